"""Faults a nightly cron job meets: a full disk, a read-only store or lock, an unreadable folder, another program's
database, two configs reaching one database through a symlink. Each is one line naming the path, a documented
exit status, and nothing lost.

Permission faults run the CLI in a subprocess; as root (CI) it runs without CAP_DAC_OVERRIDE (setpriv), so file
modes apply to it as they would to a user."""

from __future__ import annotations

import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from runsync.demo.fitwrite import easy_run, write_file
from runsync.store import Store
from tests.conftest import run_cli

START = "2026-10-{day:02d}T07:00:00+00:00"


def watch_files(folder: Path, days: range) -> list[Path]:
    from datetime import datetime

    folder.mkdir(parents=True, exist_ok=True)
    return [write_file(easy_run(datetime.fromisoformat(START.format(day=d)), 0, 5.0, 330.0, 140.0, seed=d),
                       folder / f"run-{d:02d}.fit") for d in days]  # fmt: skip


def config_for(tmp_path: Path, database: Path, watch: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\ndatabase = "{database}"\n[athletes.ana]\nname = "Ana"\ntimezone = "UTC"\n'
                    f'max_hr = 190\nfit_dirs = ["{watch}"]\n', encoding="utf-8")  # fmt: skip
    return path


def run_subprocess(*args: str | Path, unprivileged: bool = False, file_limit: int | None = None,
                   ) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`python -m runsync ARGS` in a child process: as root without the capability to ignore file modes, and/or
    with a file-size limit (ulimit -f)."""
    command = [sys.executable, "-m", "runsync", *map(str, args)]
    if unprivileged and os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: file modes cannot be tested")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]

    def limit() -> None:
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    env = {k: v for k, v in os.environ.items() if k != "RUNSYNC_DEBUG"}
    return subprocess.run(command, capture_output=True, text=True, preexec_fn=limit, env=env, timeout=120)


def session_count(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]


def test_a_full_disk_stops_the_sync_with_one_line_exit_5_and_loses_nothing(tmp_path: Path) -> None:
    database, watch = tmp_path / "db" / "runsync.db", tmp_path / "watch"
    watch_files(watch, range(1, 4))
    config = config_for(tmp_path, database, watch)
    run_cli("--config", config, "sync", "--workers", "1")
    watch_files(watch, range(4, 20))
    full = run_subprocess("--config", config, "sync", "--workers", "1", file_limit=database.stat().st_size + 40_000)
    assert full.returncode == 5, full.stderr
    assert "Traceback" not in full.stderr and "disk full" in full.stderr and str(database) in full.stderr
    assert "cannot rollback" not in full.stderr
    partial = session_count(database)
    assert 3 <= partial < 19  # whole files only: what was committed before the disk filled
    run_cli("--config", config, "sync", "--workers", "1")
    assert session_count(database) == 19


def test_a_read_only_database_is_one_line_naming_it_and_exit_3(tmp_path: Path) -> None:
    database, watch = tmp_path / "db" / "runsync.db", tmp_path / "watch"
    watch_files(watch, range(1, 3))
    config = config_for(tmp_path, database, watch)
    run_cli("--config", config, "sync")
    watch_files(watch, range(3, 5))
    for path in database.parent.iterdir():
        path.chmod(0o444)
    database.parent.chmod(0o555)
    try:
        for args in (("sync",), ("log", "strength", "--date", "2026-10-05", "--minutes", "30")):
            out = run_subprocess("--config", config, *args, unprivileged=True)
            assert out.returncode == 3, out.stderr
            assert "Traceback" not in out.stderr and str(database.parent) in out.stderr
        for args in (("sessions", "--format", "json"), ("audit",), ("report", "--week", "2026-10-01")):
            read = run_subprocess("--config", config, *args, unprivileged=True)
            assert read.returncode == 0, read.stderr  # reading a read-only store still works
    finally:
        database.parent.chmod(0o755)
    assert session_count(database) == 2


def test_an_unreadable_subfolder_of_a_watch_folder_is_named_and_the_rest_imported(tmp_path: Path) -> None:
    database, watch = tmp_path / "runsync.db", tmp_path / "watch"
    watch_files(watch, range(1, 3))
    watch_files(watch / "locked", range(3, 5))
    (watch / "locked").chmod(0o000)
    try:
        out = run_subprocess("--config", config_for(tmp_path, database, watch), "sync", unprivileged=True)
    finally:
        (watch / "locked").chmod(0o755)
    assert out.returncode == 6, out.stderr
    assert f"{watch / 'locked'}: cannot read this folder" in out.stderr
    assert session_count(database) == 2


def test_another_programs_database_is_refused_with_exit_3_and_never_modified(tmp_path: Path) -> None:
    foreign = tmp_path / "photos.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, photo BLOB)")
        conn.execute("INSERT INTO sessions (photo) VALUES (x'00')")
    before = foreign.read_bytes()
    config = config_for(tmp_path, foreign, tmp_path)
    for args in (("sessions",), ("sync",), ("report",)):
        out = run_cli("--config", config, *args, expect=3)
        assert f"{foreign}: not a runsync database" in out.stderr
    assert foreign.read_bytes() == before
    (tmp_path / "notes.db").write_text("just text, not SQLite\n" * 100)
    out = run_cli("--config", config_for(tmp_path, tmp_path / "notes.db", tmp_path), "sessions", expect=3)
    assert "notes.db" in out.stderr


def test_a_database_from_before_application_ids_is_still_ours(tmp_path: Path) -> None:
    Store.open(tmp_path / "s.db").close()
    with sqlite3.connect(tmp_path / "s.db") as conn:
        conn.execute("PRAGMA application_id = 0")
    Store.open(tmp_path / "s.db").close()
    with sqlite3.connect(tmp_path / "s.db") as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] != 0


def test_two_paths_to_one_database_share_one_writer_lock(tmp_path: Path) -> None:
    from runsync.errors import LockHeld

    real = tmp_path / "real" / "runsync.db"
    Store.open(real).close()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    first, second = Store.open(real), Store.open(tmp_path / "link" / "runsync.db")
    with first.lock(), pytest.raises(LockHeld), second.lock():
        pass


def test_a_folder_or_an_unreadable_file_as_config_is_a_config_error_exit_3(tmp_path: Path) -> None:
    out = run_cli("--config", tmp_path, "sessions", expect=3)
    assert str(tmp_path) in out.stderr
    config = config_for(tmp_path, tmp_path / "runsync.db", tmp_path)
    config.chmod(0o000)
    try:
        out = run_subprocess("--config", config, "sessions", unprivileged=True)
    finally:
        config.chmod(0o644)
    assert out.returncode == 3 and f"{config}: cannot read" in out.stderr and "Traceback" not in out.stderr


def test_an_unwritable_report_output_is_one_line_naming_it_and_exit_2(tmp_path: Path) -> None:
    config = config_for(tmp_path, tmp_path / "runsync.db", tmp_path)
    out = run_cli("--config", config, "report", "--format", "html", "-o", tmp_path / "missing" / "x.html", expect=2)
    assert f"cannot write {tmp_path / 'missing' / 'x.html'}" in out.stderr
