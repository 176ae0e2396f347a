"""The project keeps its promises to newcomers: every command has help with an example and is in the README."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from tests.conftest import run_cli

REPO = Path(__file__).resolve().parents[1]


def all_commands() -> list[tuple[str, click.Command]]:
    from runsync.cli import cli

    found: list[tuple[str, click.Command]] = []

    def walk(prefix: str, group: click.Group) -> None:
        for name, command in group.commands.items():
            path = f"{prefix} {name}".strip()
            found.append((path, command))
            if isinstance(command, click.Group):
                walk(path, command)

    walk("", cli)
    return found


@pytest.mark.parametrize(("path", "command"), all_commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_help_with_an_example_and_is_in_the_readme(path: str, command: click.Command) -> None:
    out = run_cli(*path.split(), "--help")
    assert "Example" in out.stdout, f"runsync {path} --help has no example"
    assert f"runsync {path}" in (REPO / "README.md").read_text(encoding="utf-8"), f"README never shows runsync {path}"


def test_the_ci_script_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pytest -q" in readme and "python -m pytest -q" in ci


def test_every_package_in_the_tree_is_installed_by_pyproject() -> None:
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "runsync").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert "runsync_plugins" in listed


def test_the_report_commands_formats_are_the_renderers() -> None:
    from runsync import report
    from runsync.commands.report import FORMATS

    assert tuple(sorted(report.RENDERERS)) == FORMATS
