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
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
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


def test_runsync_help_lists_each_command_with_its_own_first_help_line() -> None:
    from runsync.commands import COMMANDS

    listed = {name: short for name, (_module, _attribute, short) in COMMANDS.items()}
    own = {path: command.get_short_help_str(limit=500) for path, command in all_commands() if " " not in path}
    assert listed == own
    help_text = " ".join(run_cli("--help").stdout.split())
    assert all(" ".join(short.split()) in help_text for short in listed.values())


def test_importing_the_cli_loads_neither_pandas_nor_numpy_nor_matplotlib() -> None:
    """A fact, not a timing: the heavy libraries load where a command uses them, never at start-up."""
    import subprocess
    import sys

    code = ("import sys, runsync.cli; from runsync.cli import cli; cli.main(['--help'], standalone_mode=False);"
            "print(sorted(m for m in ('pandas', 'numpy', 'matplotlib', 'rich', 'stravalib', 'psycopg', 'jinja2',"
            "'tomlkit', 'requests', 'lxml', 'fitdecode') if m in sys.modules))")  # fmt: skip
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.splitlines()[-1] == "[]"


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


def test_shell_completion_names_the_commands_and_their_options() -> None:
    """The README's completion lines: click's completion over the lazily loaded commands."""
    import os
    import subprocess
    import sys

    def complete(words: str) -> str:
        env = {**os.environ, "_RUNSYNC_COMPLETE": "bash_complete", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}  # fmt: skip
        return subprocess.run([sys.executable, "-m", "runsync"], env=env, capture_output=True, text=True).stdout

    assert "plain,status" in complete("runsync sta").splitlines()
    assert "plain,--fail-on" in complete("runsync audit --fa").splitlines()
    for shell in ("bash", "zsh", "fish"):
        env = {**os.environ, "_RUNSYNC_COMPLETE": f"{shell}_source"}
        script = subprocess.run([sys.executable, "-m", "runsync"], env=env, capture_output=True, text=True).stdout
        assert "_RUNSYNC_COMPLETE" in script, shell
