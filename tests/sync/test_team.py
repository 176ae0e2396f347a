"""Team scale on a real PostgreSQL server: sync as jobs, workers (in-process and as killed processes), the shared
rate budget, and the coach's read commands answering exactly as they do on SQLite."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runsync.store import Store
from runsync.store.budget import Window
from runsync.store.jobs import JobQueue
from tests.commands.test_faults import watch_files
from tests.conftest import DEMO_NOW, run_cli


def team_config(tmp_path: Path, url: str, watches: dict[str, Path], extra: str = "") -> Path:
    path = tmp_path / "team.toml"
    blocks = "".join(f'\n[athletes.{a}]\nname = "{a.title()}"\ntimezone = "UTC"\nmax_hr = 190\nfit_dirs = ["{w}"]\n'
                     for a, w in watches.items())  # fmt: skip
    path.write_text(f'[storage]\nurl = "{url}"\n{extra}{blocks}', encoding="utf-8")
    return path


def sessions_of(url: str, athlete: str | None = None) -> list[str]:
    store = Store.open(url)
    try:
        return [s.id for s in store.sessions(athlete)]
    finally:
        store.close()


def job_status(url: str, job_id: int) -> str:
    store = Store.open(url)
    try:
        return JobQueue(store).jobs([job_id])[0].status
    finally:
        store.close()


def child(*args: str | Path, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.Popen[str]:
    env = {k: v for k, v in (env or os.environ).items() if k != "RUNSYNC_DEBUG"}
    return subprocess.Popen([sys.executable, "-m", "runsync", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kwargs)  # type: ignore[call-overload]  # fmt: skip


def test_sync_queues_one_job_per_athlete_and_source_and_a_worker_runs_them(tmp_path: Path, pg_url: str) -> None:
    watches = {a: tmp_path / a for a in ("ana", "ben", "cy")}
    for i, folder in enumerate(watches.values()):
        watch_files(folder, range(1 + i * 3, 4 + i * 3))
    config = team_config(tmp_path, pg_url, watches)
    run_cli("--config", config, "sync")
    status = json.loads(run_cli("--config", config, "status", "--format", "json").stdout)
    assert status["jobs"] == {"queued": 3} and status["database"].startswith("postgresql://")
    assert all(a["jobs"]["queued"] == 1 and a["sessions"] == 0 for a in status["athletes"])
    run_cli("--config", config, "sync")  # the same jobs are not queued twice
    assert JobQueue(Store.open(pg_url)).summary() == {"queued": 3}
    out = run_cli("--config", config, "worker", "--burst", "-v")
    assert "3 jobs done" in out.stderr
    assert len(sessions_of(pg_url)) == 9
    status = json.loads(run_cli("--config", config, "status", "--format", "json").stdout)
    assert status["jobs"] == {"done": 3} and [a["sessions"] for a in status["athletes"]] == [3, 3, 3]


def test_sync_wait_works_the_jobs_and_exits_with_what_they_ended_with(tmp_path: Path, pg_url: str) -> None:
    watch = tmp_path / "ana"
    watch_files(watch, range(1, 4))
    (watch / "broken.fit").write_bytes(b"\x0e\x10" + b"\x00" * 40)
    config = team_config(tmp_path, pg_url, {"ana": watch})
    out = run_cli("--config", config, "sync", "--wait", expect=6)
    assert "job 1 (ana files sync): done: " in out.stderr and "broken.fit" in out.stderr
    assert len(sessions_of(pg_url, "ana")) == 3
    text = run_cli("--config", config, "status").stdout
    assert "broken.fit" in text and "jobs: 1 done" in text


def test_a_job_for_an_athlete_no_longer_configured_fails_and_status_says_why(tmp_path: Path, pg_url: str) -> None:
    watch = tmp_path / "ana"
    watch_files(watch, range(1, 2))
    config = team_config(tmp_path, pg_url, {"ana": watch})
    store = Store.open(pg_url)
    JobQueue(store).enqueue("gone", "files")
    JobQueue(store).enqueue("ana", "files")
    out = run_cli("--config", config, "worker", "--burst", expect=3)
    assert "job 1 (gone files sync): failed: " in out.stderr and "no athlete 'gone'" in out.stderr
    assert len(sessions_of(pg_url, "ana")) == 1  # one athlete's failure never stops the others


@pytest.mark.parametrize(("batch", "kill_after"), [(64, 0), (1, 1), (1, 6), (1, 14)])
def test_a_worker_killed_mid_job_loses_nothing_and_the_next_worker_takes_the_job_over(
    tmp_path: Path, pg_url: str, batch: int, kill_after: float
) -> None:
    """Killed mid-batch (the default: a job's files commit 64 at a time, so none or a whole batch is there) or, with
    a commit per file, after `kill_after` sessions."""
    watch = tmp_path / "ana"
    files = watch_files(watch, range(1, 21))
    config = team_config(tmp_path, pg_url, {"ana": watch})
    run_cli("--config", config, "sync")
    env = {**os.environ, "RUNSYNC_BATCH_FILES": str(batch)}
    worker = child("--config", config, "worker", "--burst", env=env)
    deadline = time.monotonic() + 60
    if batch > 1:  # a second after the job started running (the batch is open), plus kill_after
        while job_status(pg_url, 1) != "running" and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3 + kill_after)
    while len(sessions_of(pg_url)) < kill_after and worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    finished = worker.poll() is not None
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    left = len(sessions_of(pg_url))
    assert left < len(files) or kill_after == 14 or finished  # killed mid-job (a fast machine may finish first)
    assert batch == 1 or left in (0, len(files))  # a batch commits whole or not at all
    out = run_cli("--config", config, "worker", "--burst", "-v")
    ids = sessions_of(pg_url)
    assert len(ids) == len(set(ids)) == len(files)  # nothing lost, nothing twice
    job = JobQueue(Store.open(pg_url)).jobs([1])[0]
    assert job.status == "done"
    if left < len(files):
        assert "its worker died; queued again" in out.stderr and job.attempts == 2


def test_two_workers_never_hold_one_athlete_and_share_the_rest(pg_url: str) -> None:
    first, second = Store.open(pg_url), Store.open(pg_url)
    q1, q2 = JobQueue(first), JobQueue(second)
    for athlete, source in (("ana", "files"), ("ana", "strava"), ("ben", "files")):
        q1.enqueue(athlete, source)
    now = datetime.now(UTC)
    a = q1.claim("w1", now)
    b = q2.claim("w2", now)
    assert (a.athlete, b.athlete) == ("ana", "ben")  # ana's second job waits for her first
    assert q2.claim("w2", now) is None
    assert q2.recover() == []  # both workers alive: their jobs stay theirs
    first.close()  # worker 1 dies (its connection, and so its locks, go)
    [orphan] = q2.recover()
    assert orphan.id == a.id
    assert q2.claim("w2", now).athlete == "ana"


def test_on_sqlite_a_job_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    queue = JobQueue(store)
    queue.enqueue("ana", "files")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    import socket

    job = queue.claim(f"{socket.gethostname()}:{dead.stdout.strip()}:1", datetime.now(UTC))
    assert queue.recover()[0].id == job.id and queue.jobs([job.id])[0].status == "queued"


def test_every_worker_draws_from_one_rate_budget(pg_url: str) -> None:
    stores = [Store.open(pg_url) for _ in range(3)]
    windows = [Window("15min", 1_000_000.0, 20, 5), Window("daily", 999_000.0, 1000, 50)]
    granted = 0
    for _ in range(10):
        for store in stores:
            granted += stores[0] is not None and store.reserve_call("strava", windows) is None
    assert granted == 15  # 20 less the reserve of 5, whichever worker asked
    later = [Window("15min", 1_000_900.0, 20, 5), windows[1]]
    assert stores[1].reserve_call("strava", later) is None  # the next quarter hour starts afresh
    stores[2].observe_usage("strava", later[0], used=19, limit=20)  # another program used the app meanwhile
    assert stores[0].reserve_call("strava", later).span == "15min"


def test_the_coachs_read_commands_answer_the_same_on_postgresql_and_on_sqlite(tmp_path: Path, pg_url: str) -> None:
    out = run_cli("--now", DEMO_NOW, "demo", "--dir", tmp_path / "demo")
    assert out.exit_code == 0
    config = tmp_path / "demo" / "config.toml"
    env = {"RUNSYNC_DATABASE_URL": pg_url}
    run_cli("--now", DEMO_NOW, "--config", config, "sync", "--wait", env=env)
    for command in (["audit", "--all", "--format", "json"], ["report", "--all", "--format", "json"],
                    ["report", "--all"], ["sessions", "--athlete", "demo", "--format", "json"],
                    ["audit", "--all"]):  # fmt: skip
        on_sqlite = run_cli("--now", DEMO_NOW, "--config", config, *command)
        on_postgres = run_cli("--now", DEMO_NOW, "--config", config, *command, env=env)
        assert on_postgres.stdout == on_sqlite.stdout, command


def test_the_database_password_lives_in_the_secrets_store_never_in_config_or_output(
    tmp_path: Path, pg_url: str, postgres_admin: str
) -> None:
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    role, password = f"runsync_pw_{uuid.uuid4().hex[:8]}", "Pw-" + uuid.uuid4().hex
    database = urlsplit(pg_url).path.lstrip("/")
    with psycopg.connect(postgres_admin, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        admin.execute(f'GRANT ALL ON DATABASE "{database}" TO {role}')
        admin.execute(f'ALTER DATABASE "{database}" OWNER TO {role}')
    parts = urlsplit(pg_url)
    url = urlunsplit(parts._replace(netloc=f"{role}@{parts.netloc.rsplit('@', 1)[-1]}"))
    try:
        psycopg.connect(url, connect_timeout=3).close()
        pytest.skip("this server lets the role in without a password (trust)")
    except psycopg.OperationalError as refused:
        if "password" not in str(refused):
            pytest.skip(f"this server does not ask for passwords: {refused}")
    secrets = tmp_path / "secrets.json"
    config = tmp_path / "c.toml"
    config.write_text(f'[storage]\nurl = "{url}"\n[secrets]\nbackend = "file"\nfile = "{secrets}"\n'
                      '[athletes.ana]\nname = "Ana"\ntimezone = "UTC"\n', encoding="utf-8")  # fmt: skip
    env = {"PGPASSFILE": str(tmp_path / "none"), "PGPASSWORD": None}
    out = run_cli("--config", config, "status", expect=3, env=env)
    assert "refused the login" in out.stderr and "runsync auth database" in out.stderr
    from click.testing import CliRunner

    from runsync.cli import cli

    wrong = CliRunner().invoke(cli, ["--config", str(config), "auth", "database", "--password-stdin"], input="nope",
                               env=env)  # fmt: skip
    assert wrong.exit_code == 3 and not secrets.exists()
    right = CliRunner().invoke(cli, ["--config", str(config), "auth", "database", "--password-stdin"],
                               input=password, env=env)  # fmt: skip
    assert right.exit_code == 0, right.output
    status = run_cli("--config", config, "status", "--format", "json", env=env)
    assert json.loads(status.stdout)["database"].startswith(f"postgresql://{role}@")
    assert password not in status.stdout + status.stderr + config.read_text()
    assert oct(secrets.stat().st_mode)[-3:] == "600"
    with psycopg.connect(pg_url) as conn:  # as the admin: nothing runsync wrote holds the password
        rows = conn.execute("SELECT * FROM sync_state").fetchall() + conn.execute("SELECT * FROM jobs").fetchall()
    assert password not in repr(rows)
