"""Shared fixtures: a temp config + store, and a CLI runner that fails unless the exit status is the expected one."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
DEMO_NOW = "2026-11-25T18:00:00Z"  # a Wednesday: the clock the tests pass to the demo and the reports over it
CORPUS = Path(os.environ.get("RUNSYNC_FIT_CORPUS", REPO.parent / "shared" / "data" / "fit"))


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str | Path, expect: int = 0, env: dict[str, str] | None = None) -> CliResult:
    """Run `runsync ARGS` in-process; fail with both streams shown unless it exits with `expect`."""
    from runsync.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)
    out = CliResult(result.exit_code, result.stdout, result.stderr)
    assert result.exit_code == expect, (
        f"runsync {' '.join(map(str, args))}: exit {result.exit_code}, expected {expect}\n"
        f"--- stdout\n{out.stdout}\n--- stderr\n{out.stderr}"
    )
    return out


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the real config, data dir or keyring."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("RUNSYNC_CONFIG", raising=False)
    monkeypatch.delenv("RUNSYNC_DATABASE", raising=False)
    monkeypatch.delenv("RUNSYNC_NOW", raising=False)
    monkeypatch.setenv("RUNSYNC_DEBUG", "1")  # a bug in a test run raises with its traceback, not one line


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """A config with one athlete (Los Angeles) whose watch folder is tmp_path/watch."""
    watch = tmp_path / "watch"
    watch.mkdir()
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
database = "{tmp_path / "runsync.db"}"

[athletes.ana]
name = "Ana"
timezone = "America/Los_Angeles"
max_hr = 190
fit_dirs = ["{watch}"]
""",
        encoding="utf-8",
    )
    return path


# --- PostgreSQL: a real server, a fresh database per test ---------------------------------------------------------

POSTGRES_HINT = ("no PostgreSQL server for the tests: set RUNSYNC_TEST_POSTGRES=postgresql://user@host/postgres "
                 "(a role that may create databases); .ci/run starts Debian's postgresql package")


def _postgres_admin_url() -> str | None:
    """RUNSYNC_TEST_POSTGRES, else the local server's socket as this user; None when neither answers."""
    import psycopg

    for url in filter(None, (os.environ.get("RUNSYNC_TEST_POSTGRES"), "postgresql:///postgres")):
        try:
            psycopg.connect(url, connect_timeout=3).close()
        except psycopg.Error:
            continue
        return url
    return None


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    url = _postgres_admin_url()
    if url is None:
        if os.environ.get("RUNSYNC_REQUIRE_POSTGRES"):
            pytest.fail(POSTGRES_HINT)
        pytest.skip(POSTGRES_HINT)
    return url


@pytest.fixture
def pg_url(postgres_admin: str) -> Iterator[str]:
    """The URL of a new, empty database, dropped after the test (with whatever still holds it)."""
    from urllib.parse import urlsplit

    import psycopg

    name = f"runsync_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_admin, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        parts = urlsplit(postgres_admin)
        yield f"{parts.scheme}://{parts.netloc}/{name}" + (f"?{parts.query}" if parts.query else "")
    finally:
        with psycopg.connect(postgres_admin, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a store lives: an SQLite file, or a fresh PostgreSQL database (the same tests run on both)."""
    if request.param == "sqlite":
        return str(tmp_path / "s.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def squad_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo squad (2 athletes, 6 weeks of FIT files), synced once for the test run."""
    folder = tmp_path_factory.mktemp("demo") / "squad"
    run_cli("--now", DEMO_NOW, "demo", "--dir", folder)
    return folder


@pytest.fixture
def squad(squad_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the demo squad's config and database, and the demo's clock; returns the config path."""
    monkeypatch.setenv("RUNSYNC_NOW", DEMO_NOW)
    config = tmp_path / "config.toml"
    text = (squad_template / "config.toml").read_text(encoding="utf-8")
    source, copy = sqlite3.connect(squad_template / "runsync.db"), sqlite3.connect(tmp_path / "runsync.db")
    source.backup(copy)  # through SQLite: whatever is still in the write-ahead log is copied too
    source.close()
    copy.close()
    config.write_text(text.replace(str(squad_template / "runsync.db"), str(tmp_path / "runsync.db")), encoding="utf-8")
    return config


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the cores, since many tests wait (on worker processes, loopback servers,
    timeouts) rather than compute: on 2 cores 3 workers finish the suite in about 3/4 of the time 2 take."""
    return (os.cpu_count() or 1) + 1
