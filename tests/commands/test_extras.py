"""A lean install: the core is what a runner with a watch folder and Strava needs; Garmin Connect, PostgreSQL, the
webhook server and the fitparse decoder are extras. Asked for without its extra, a feature exits 3 with the exact
pip line, never an ImportError (the extra's libraries are made unimportable here, as in a core-only install)."""

from __future__ import annotations

import sys
import tomllib
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest

from runsync.demo.fitwrite import easy_run, write_file
from tests.conftest import REPO, run_cli

EXTRAS = {"garmin": ["garminconnect"], "postgres": ["psycopg"], "server": ["starlette", "uvicorn", "prometheus_client"],
          "fitparse": ["fitparse"], "charts": ["matplotlib"]}  # fmt: skip


def without(monkeypatch: pytest.MonkeyPatch, extra: str) -> None:
    for name in list(sys.modules):
        if name.split(".")[0] in EXTRAS[extra]:
            monkeypatch.delitem(sys.modules, name)
    for module in EXTRAS[extra]:
        monkeypatch.setitem(sys.modules, module, None)  # import raises ImportError, as when it is not installed


def config(tmp_path: Path, extra: str = "", athlete: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\ndatabase = "{tmp_path / "s.db"}"\n{extra}\n[athletes.ana]\ntimezone = "UTC"\n'
                    f'fit_dirs = ["{tmp_path / "watch"}"]\n{athlete}', encoding="utf-8")  # fmt: skip
    (tmp_path / "watch").mkdir(exist_ok=True)
    return path


def test_the_core_dependencies_leave_the_extras_out() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = {d.split(">")[0].split("[")[0].split("<")[0] for d in project["dependencies"]}
    assert not core & {"garminconnect", "psycopg", "starlette", "uvicorn", "fitparse", "fit-tool", "matplotlib"}
    assert set(project["optional-dependencies"]) >= {*EXTRAS, "all"}


def test_a_postgresql_store_without_the_postgres_extra_exits_3_with_the_pip_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without(monkeypatch, "postgres")
    path = tmp_path / "config.toml"
    path.write_text('[storage]\nurl = "postgresql://coach@db.example.org/club"\n', encoding="utf-8")
    out = run_cli("--config", path, "status", expect=3)
    assert "a PostgreSQL store (storage.url) needs runsync's postgres extra" in out.stderr
    assert "pip install 'runsync[postgres]'" in out.stderr and "Traceback" not in out.stderr


def test_garmin_without_its_extra_is_exit_3_for_garmin_and_the_watch_folder_still_syncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without(monkeypatch, "garmin")
    path = config(tmp_path, athlete="garmin = true\n")
    write_file(easy_run(datetime(2026, 11, 2, 7, tzinfo=UTC), 0, 8, 330, 140), tmp_path / "watch" / "run.fit")
    out = run_cli("--config", path, "sync", "--workers", "1", expect=3)
    assert "pip install 'runsync[garmin]'" in out.stderr
    assert len(run_cli("--config", path, "sessions", "--format", "csv").stdout.splitlines()) == 2  # header + run
    login = run_cli("--config", path, "auth", "garmin", "ana", "--email", "ana@example.org", expect=3)
    assert "runsync auth garmin needs runsync's garmin extra" in login.stderr  # said before a password is asked


def test_serve_without_the_server_extra_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    without(monkeypatch, "server")
    out = run_cli("--config", config(tmp_path, '[strava]\nverify_token = "t0ken"\n'), "serve", expect=3)
    assert "runsync serve needs runsync's server extra" in out.stderr and "pip install 'runsync[server]'" in out.stderr


def test_the_fitparse_decoder_without_its_extra_exits_3_before_any_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without(monkeypatch, "fitparse")
    out = run_cli("--config", config(tmp_path, '[fit]\ndecoder = "fitparse"\n'), "sync", "--workers", "1", expect=3)
    assert "pip install 'runsync[fitparse]'" in out.stderr


def test_the_report_without_the_charts_extra_is_sent_without_charts_and_says_how_to_get_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without(monkeypatch, "charts")
    path = config(tmp_path)
    write_file(easy_run(datetime(2026, 11, 2, 7, tzinfo=UTC), 0, 8, 330, 140), tmp_path / "watch" / "run.fit")
    run_cli("--config", path, "sync", "--workers", "1")
    html = run_cli("--config", path, "--now", "2026-11-10T09:00:00Z", "report", "--format", "html").stdout
    assert "<img" not in html and "pip install 'runsync[charts]'" in unescape(html)
    assert "matplotlib" not in sys.modules or sys.modules["matplotlib"] is None
