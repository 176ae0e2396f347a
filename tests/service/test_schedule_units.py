"""The schedule (each athlete's local night and Monday, DST included, enqueued once, caught up once), the shipped
systemd units (systemd-analyze verify), /healthz and /metrics, and the housekeeping a long-running worker does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests

from runsync.config import load_config
from runsync.errors import rotate_crash_reports
from runsync.service.schedule import due_now, enqueue_due
from runsync.store import Store
from runsync.store.jobs import JobQueue
from tests.conftest import run_cli
from tests.sources.strava.test_webhooks import start_server

ZONES = {"syd": "Australia/Sydney", "lon": "Europe/London", "la": "America/Los_Angeles"}


def write_config(tmp_path: Path, *, store: str | None = None, extra: str = "") -> Path:
    watch = tmp_path / "watch"
    watch.mkdir(exist_ok=True)
    blocks = "".join(f'[athletes.{a}]\nname = "{a.title()}"\ntimezone = "{zone}"\nfit_dirs = ["{watch}"]\n'
                     f'email = ["{a}@example.org"]\n' for a, zone in ZONES.items())  # fmt: skip
    where = f'url = "{store}"' if store and store.startswith("postgresql") else f'database = "{tmp_path / "r.db"}"'
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\n{where}\n[strava]\nverify_token = "verify-me"\n[schedule]\nsync_at = "03:00"\n'
                    f'report_day = "monday"\nreport_at = "07:00"\nrollup = true\ntimezone = "UTC"\n{extra}\n'
                    f'[email]\nhost = "127.0.0.1"\nport = 2525\nsecurity = "none"\nto = ["coach@example.org"]\n'
                    f"{blocks}", encoding="utf-8")  # fmt: skip
    return path


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_each_athlete_is_due_at_their_own_local_time_across_dst(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    # Monday 23 Nov 2026, 07:00 in Sydney (AEDT, +11) is Sunday 20:00 UTC: her mail, nobody else's yet
    due = {(d.task, d.athlete): d for d in due_now(config, at("2026-11-22T20:30:00"))}
    assert due[("report", "syd")].key == "2026-11-16" and due[("report", "syd")].at == at("2026-11-22T20:00:00")
    assert ("report", "lon") not in due and ("report", "la") not in due  # their Monday has not come
    assert due[("sync", "syd")].key == "2026-11-23" and due[("sync", "syd")].at == at("2026-11-22T16:00:00")
    later = {(d.task, d.athlete): d for d in due_now(config, at("2026-11-23T15:30:00"))}
    assert later[("report", "lon")].at == at("2026-11-23T07:00:00")
    assert later[("report", "la")].at == at("2026-11-23T15:00:00")  # 07:00 PST
    assert later[("rollup", "*")].key == "2026-11-16"
    # London leaves summer time on Sunday 25 Oct 2026: 03:00 is 02:00 UTC before, 03:00 UTC after
    assert {d.at for d in due_now(config, at("2026-10-24T12:00:00")) if d.athlete == "lon" and d.task == "sync"} \
        == {at("2026-10-24T02:00:00")}
    assert {d.at for d in due_now(config, at("2026-10-26T12:00:00")) if d.athlete == "lon" and d.task == "sync"} \
        == {at("2026-10-26T03:00:00")}


def test_due_work_is_enqueued_once_by_several_schedulers_and_caught_up_once_after_downtime(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    store = Store.open(config.database)
    try:
        first = enqueue_due(store, config, at("2026-11-23T16:00:00"))
        assert sorted(f"{d.task} {d.athlete} {d.key}" for d, _ in first) == [
            "report la 2026-11-16", "report lon 2026-11-16", "report syd 2026-11-16", "rollup * 2026-11-16",
            "sync la 2026-11-23", "sync lon 2026-11-23", "sync syd 2026-11-24"]  # fmt: skip
        assert enqueue_due(store, config, at("2026-11-23T16:00:30")) == []  # a second scheduler: nothing more
        queue = JobQueue(store)
        assert queue.summary() == {"queued": 7}
        # down from Tuesday to Friday afternoon: each night's sync is caught up once (the latest), not three times
        back = enqueue_due(store, config, at("2026-11-27T17:00:00"))
        assert sorted(f"{d.task} {d.athlete}" for d, _ in back) == ["sync la", "sync lon", "sync syd"]
        # down for a fortnight: the Monday mail is not sent on a Wednesday 10 days late
        stale = enqueue_due(store, config, at("2026-12-09T12:00:00"))
        assert {d.task for d, _ in stale} == {"sync"}
    finally:
        store.close()


def test_worker_schedule_needs_a_schedule(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "r.db"}"\n[athletes.a]\nname = "A"\n', encoding="utf-8")
    out = run_cli("--config", config, "worker", "--schedule", "--burst", expect=3)
    assert "[schedule]: nothing scheduled" in out.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("kind", ["sqlite", "secrets-file"])
def test_the_shipped_units_pass_systemd_analyze_verify(tmp_path: Path, kind: str) -> None:
    secrets = f'[secrets]\nbackend = "file"\nfile = "{tmp_path / "s" / "secrets.json"}"\n'
    extra = secrets if kind == "secrets-file" else ""
    config = write_config(tmp_path, extra=extra)
    folder = tmp_path / "units"
    run_cli("--config", config, "service", "--print", "--write", folder)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["runsync-report.service", "runsync-report.timer", "runsync-serve.service",
                     "runsync-sync.service", "runsync-sync.timer", "runsync-worker@.service"]  # fmt: skip
    worker = (folder / "runsync-worker@.service").read_text()
    assert "ProtectSystem=strict" in worker and "User=runsync" in worker and "worker --schedule" in worker
    assert f"ReadWritePaths=-{tmp_path}" in worker and "NoNewPrivileges=yes" in worker
    shutil.copy(folder / "runsync-worker@.service", folder / "runsync-worker@1.service")  # verify wants an instance
    units = [str(p) for p in sorted(folder.iterdir()) if p.name != "runsync-worker@.service"]
    done = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})  # fmt: skip
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
    printed = run_cli("--config", config, "service", "--print", "--units", "timer").stdout
    assert "OnCalendar=*-*-* 03:00:00" in printed and "OnCalendar=Mon *-*-* 07:00:00" in printed


def test_healthz_and_metrics_answer_as_documented_and_name_no_athlete(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    out = run_cli("--config", config, "--now", "2026-11-23T16:00:00Z", "worker", "--schedule", "--burst", expect=5)
    assert out.stderr.count("cannot reach the SMTP server") == 4  # no mail server here: the mails wait
    server, url = start_server(config)
    base = url.rsplit("/strava/", 1)[0]
    try:
        health = requests.get(f"{base}/healthz", timeout=5)
        body = health.json()
        assert health.status_code == 200 and body["status"] == "degraded"  # the burst worker has gone
        assert body["checks"]["database"] == "reachable" and body["checks"]["schema"]["current"]
        assert body["checks"]["workers"] == {"fresh": 0, "stale": 0}
        assert body["checks"]["queue"]["jobs"] == {"done": 3, "queued": 4}
        metrics = requests.get(f"{base}/metrics", timeout=5)
        text = metrics.text
        assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
        for name in ("runsync_jobs{status=\"queued\"}", "runsync_job_latency_seconds{phase=\"wait\"}",
                     "runsync_last_sync_age_seconds{source=\"fit\"}", "runsync_files_failing", "runsync_workers_alive",
                     "runsync_oldest_queued_job_age_seconds",
                     "runsync_history_incomplete{source=\"garmin\"}"):  # fmt: skip
            assert name in text, name
        assert not any(athlete in text or athlete in json.dumps(body) for athlete in ('"syd"', '"lon"', "la@"))
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_crash_reports_are_rotated(tmp_path: Path) -> None:
    for n in range(25):
        report = tmp_path / f"crash-2026112{n // 10}T00000{n % 10}-{n}.txt"
        report.write_text("trace")
        os.utime(report, (1_700_000_000 + n, 1_700_000_000 + n))
    assert rotate_crash_reports(tmp_path, keep=20) == 5
    left = sorted(p.name for p in tmp_path.glob("crash-*.txt"))
    assert len(left) == 20 and "crash-20261120T000000-0.txt" not in left


def test_prune_forgets_what_is_older_than_keep_days(tmp_path: Path) -> None:
    from runsync.app import App
    from runsync.service.housekeeping import prune

    config = write_config(tmp_path, extra="")
    app = App.load(config, now=at("2026-11-23T16:00:00"))
    queue = JobQueue(app.store)
    old = queue.enqueue("la", "files")
    job = queue.claim("w", at("2026-11-23T16:00:00"))
    queue.finish(job, "done")
    with app.store.transaction():
        app.store.db.execute("UPDATE jobs SET finished_at = ? WHERE id = ?", ("2026-09-01T00:00:00+00:00", old))
    assert prune(app, at("2026-11-23T16:00:00")) == 1 and queue.summary() == {}
    app.close()
    assert date(2026, 11, 23) - timedelta(days=30) > date(2026, 9, 1)


def test_a_worker_busy_with_a_long_job_is_alive_and_one_gone_quiet_is_stale(tmp_path: Path) -> None:
    from runsync.app import App
    from runsync.service.health import workers
    from runsync.service.housekeeping import heartbeat

    app = App.load(write_config(tmp_path), now=at("2026-11-23T16:00:00"))
    queue = JobQueue(app.store)
    queue.enqueue("la", "files")
    job = queue.claim("host:1:1", at("2026-11-23T16:00:00"))
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    heartbeat(app, "host:1:1", long_ago, job.id)  # claimed two hours ago, still walking a history
    heartbeat(app, "host:2:2", long_ago, None)  # idle and silent for two hours: gone
    assert workers(app.store, app.config) == (1, 1)
    queue.finish(job, "done")
    assert workers(app.store, app.config) == (0, 2)
    app.close()
