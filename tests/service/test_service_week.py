"""A club's service across a simulated week on a real PostgreSQL server of its own (stopped and started here, so the
suite's shared server is never touched): the schedule run by two workers at a time (every three simulated hours),
`runsync serve`, a worker killed mid-job, and a PostgreSQL outage. Three athletes in Sydney, London and Los
Angeles: each gets one nightly sync a local night and one Monday mail at her local 07:00, and nothing is lost or done
twice."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests

from runsync.app import App
from runsync.store import Store
from runsync.sync.worker import work
from tests.commands.test_faults import watch_files
from tests.smtp_server import Sink, free_port
from tests.smtp_server import start_server as start_smtp
from tests.sources.strava.test_webhooks import child, start_server

ZONES = {"syd": "Australia/Sydney", "lon": "Europe/London", "la": "America/Los_Angeles"}
START = datetime(2026, 11, 17, 12, 0, tzinfo=UTC)  # Tuesday
END = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # the next Tuesday
STEP = timedelta(hours=3)
PGBINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0)  # the newest last


@dataclass
class Cluster:
    folder: str
    port: int
    bin: str

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.folder}&port={self.port}"

    def run(self, command: str) -> None:
        full = f"{self.bin}/{command}"
        if os.getuid() == 0:
            subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", full], check=True, capture_output=True)
        else:
            subprocess.run(["sh", "-c", full], check=True, capture_output=True)

    def start(self) -> None:
        self.run(f"pg_ctl -D {self.folder}/data -o \"-k {self.folder} -p {self.port} -c listen_addresses=''\" "
                 f"-l {self.folder}/server.log -w start")  # fmt: skip

    def stop(self) -> None:
        self.run(f"pg_ctl -D {self.folder}/data -m fast -w stop")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if not PGBINS or (os.getuid() == 0 and shutil.which("su") is None):
        if os.environ.get("RUNSYNC_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL's server binaries (Debian's postgresql package) are needed for this test")
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin) for a private cluster")
    folder = tempfile.mkdtemp(prefix="runsync-week-", dir="/tmp")
    os.chmod(folder, 0o755)
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    found = Cluster(folder, free_port(), PGBINS[-1])
    found.run(f"initdb -D {folder}/data -A trust -U postgres -E UTF8 --locale=C.UTF-8")
    found.start()
    try:
        yield found
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            found.run(f"pg_ctl -D {folder}/data -m immediate -w stop")
        shutil.rmtree(folder, ignore_errors=True)


def squad_config(tmp_path: Path, url: str, smtp_port: int) -> tuple[Path, dict[str, Path]]:
    watches = {a: tmp_path / a for a in ZONES}
    for n, folder in enumerate(watches.values()):
        watch_files(folder, range(1 + 3 * n, 3 + 3 * n))
    blocks = "".join(f'[athletes.{a}]\nname = "{a.title()}"\ntimezone = "{zone}"\nmax_hr = 190\n'
                     f'fit_dirs = ["{watches[a]}"]\nemail = ["{a}@example.org"]\n'
                     for a, zone in ZONES.items())  # fmt: skip
    path = tmp_path / "club.toml"
    path.write_text(
        f'[storage]\nurl = "{url}"\n[strava]\nverify_token = "verify-me"\n'
        '[schedule]\nsync_at = "03:00"\nreport_day = "monday"\nreport_at = "07:00"\nrollup = true\n'
        'timezone = "Europe/London"\ncatch_up_hours = 12\n'
        f'[email]\nhost = "127.0.0.1"\nport = {smtp_port}\nsecurity = "none"\nto = ["coach@example.org"]\n{blocks}',
        encoding="utf-8",
    )
    return path, watches


def step(config: Path, moment: datetime, workers: int = 2) -> None:
    """`runsync worker --schedule --burst` at `moment`, `workers` at once (threads, each its own connection)."""
    errors: list[BaseException] = []

    def one() -> None:
        try:
            app = App.load(config, now=moment)
            try:
                work(app, burst=True, schedule=True)
            finally:
                app.close()
        except BaseException as exc:  # noqa: BLE001 - shown by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def rows(url: str, sql: str) -> list[tuple]:
    store = Store.open(url)
    try:
        return [tuple(r) for r in store.db.rows(sql)]
    finally:
        store.close()


def wait_for(what: str, check, timeout: float = 60.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def enqueue(config: Path, moment: datetime, athlete: str) -> int:
    from runsync.store.jobs import JobQueue

    app = App.load(config, now=moment)
    try:
        return JobQueue(app.store).enqueue(athlete, "files")
    finally:
        app.close()


def kill_a_worker_mid_job(config: Path, url: str, moment: datetime, watch: Path) -> None:
    """A worker takes a job and is killed (SIGKILL: no goodbye); whoever looks next queues the job again."""
    watch_files(watch, range(20, 24))  # something to chew on
    enqueue(config, moment, "lon")
    doomed = child("--config", config, "--now", moment.isoformat(), "worker", "--poll", "0.2")
    wait_for("the worker to take the job",
             lambda: rows(url, "SELECT COUNT(*) FROM jobs WHERE status = 'running'")[0][0] == 1)  # fmt: skip
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)


def postgres_outage(config: Path, cluster: Cluster, moment: datetime, webhook: str, watch: Path) -> None:
    """PostgreSQL stops and starts: the webhook answers 503 meanwhile, a --burst worker exits 5 in one line, a
    long-running worker waits and does the next job when the database is back, serve reconnects."""
    base = webhook.rsplit("/strava/", 1)[0]
    event = {"aspect_type": "create", "event_time": 1_790_000_000, "object_id": 42, "object_type": "activity",
             "owner_id": 7, "subscription_id": 1, "updates": {}}  # fmt: skip
    steady = child("--config", config, "--now", moment.isoformat(), "worker", "--poll", "0.2")
    mine = f"SELECT COUNT(*) FROM workers WHERE name LIKE '%:{steady.pid}:%'"
    wait_for("the worker's heartbeat", lambda: rows(cluster.url, mine)[0][0])
    assert requests.get(f"{base}/healthz", timeout=5).json()["checks"]["workers"]["fresh"] >= 1
    cluster.stop()
    assert requests.post(webhook, json=event, timeout=10).status_code == 503  # Strava retries later
    health = requests.get(f"{base}/healthz", timeout=10)
    assert health.status_code == 503 and health.json()["checks"]["database"].startswith("unreachable")
    burst = child("--config", config, "--now", moment.isoformat(), "worker", "--burst")
    _out, err = burst.communicate(timeout=60)
    assert burst.returncode == 5 and "cannot reach PostgreSQL" in err and "Traceback" not in err
    time.sleep(2)
    assert steady.poll() is None  # the long-running worker waits for the database
    cluster.start()
    wait_for("serve to reconnect", lambda: requests.get(f"{base}/healthz", timeout=5).status_code == 200)
    assert requests.post(webhook, json=event, timeout=10).status_code == 200
    watch_files(watch, range(30, 32))
    job = enqueue(config, moment, "la")
    done = f"SELECT status FROM jobs WHERE id = {job}"
    wait_for("the waiting worker to do the job", lambda: rows(cluster.url, done)[0][0] == "done", timeout=90)
    steady.send_signal(signal.SIGTERM)
    _out, err = steady.communicate(timeout=60)
    assert steady.returncode == 0, err
    assert "waiting for the database" in err and "the database is back" in err and "Traceback" not in err


def test_a_week_of_schedule_workers_serve_a_killed_worker_and_a_postgres_outage(tmp_path: Path,
                                                                               cluster: Cluster) -> None:  # fmt: skip
    sink = Sink()
    smtp = start_smtp(sink)
    config, watches = squad_config(tmp_path, cluster.url, smtp.port)
    server, webhook = start_server(config)
    try:
        moment, killed, outage = START, False, False
        while moment <= END:
            if not killed and moment >= START + timedelta(days=1):
                kill_a_worker_mid_job(config, cluster.url, moment, watches["lon"])
                killed = True
            if not outage and moment >= START + timedelta(days=3):
                postgres_outage(config, cluster, moment, webhook, watches["la"])
                outage = True
            step(config, moment)
            moment += STEP
    finally:
        server.terminate()
        server.wait(timeout=30)
        smtp.stop()
    # one nightly sync a local night: consecutive local days, none twice, each with its one files job
    for athlete in ZONES:
        days = sorted(r[0] for r in rows(cluster.url, f"SELECT due FROM schedule_runs WHERE task = 'sync' AND "
                                                      f"athlete = '{athlete}'"))  # fmt: skip
        nights = [date.fromisoformat(d) for d in days]
        assert len(nights) >= 7 and nights == [nights[0] + timedelta(days=n) for n in range(len(nights))], days
    jobs = rows(cluster.url, "SELECT athlete, source, kind, object_id, status FROM jobs")
    assert all(status == "done" for *_x, status in jobs), [j for j in jobs if j[-1] != "done"]
    scheduled_syncs = len(rows(cluster.url, "SELECT 1 FROM schedule_runs WHERE task = 'sync'"))
    assert sum(1 for j in jobs if j[2] == "sync") == scheduled_syncs + 2  # + the two enqueued by hand
    # one Monday mail each, at her own Monday morning, and the coach's roll-up once
    mails = sorted((r.recipients[0], r.message["Subject"]) for r in sink.received)
    assert [m[0] for m in mails] == ["coach@example.org", "la@example.org", "lon@example.org", "syd@example.org"], mails
    sent = rows(cluster.url, "SELECT recipient, athlete, week FROM reports_sent ORDER BY recipient, athlete")
    assert ("syd@example.org", "syd", "2026-11-16") in sent and len({r[0] for r in sent}) == 4
    # nothing lost, nothing twice: every watch file is one session
    files = sum(len(list(folder.glob("*.fit"))) for folder in watches.values())
    assert rows(cluster.url, "SELECT COUNT(*) FROM sessions")[0][0] == files
