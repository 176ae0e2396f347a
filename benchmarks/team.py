"""Team scale on PostgreSQL: sync fanned out over 1, 2 and 4 worker processes, the shared Strava budget, and the
coach's `audit --all` on PostgreSQL beside SQLite for the same squad, side by side in one run.

    python benchmarks/team.py [--athletes 500] [--weeks 2] [--postgres URL] [--dir DIR]

- The squad: `--athletes` athletes × `--weeks` weeks of watch files (benchmarks/squad.py's generator: 5-7
  activities a week, 1 Hz samples), every athlete's files in their own folder.
- Sync: for 1, 2 and 4 workers, a fresh PostgreSQL database, `runsync sync` (one job per athlete), then that many
  `runsync worker --burst` processes started together; wall time until the last exits, files per second and the
  speed-up over one worker (target: 2 workers >= 1.7x one; the machine's cores bound it).
- Strava: the same athletes on the loopback fake Strava (its limits: 100 calls a quarter hour, 1,000 a day, as
  Strava's default application), one new run each, 2 workers: the calls the fake counted in the window against its
  limit, its 429 answers (target: none), and how many jobs wait for the next window.
- `audit --all` and `report --all --format json` on PostgreSQL and on SQLite for the same squad, wall time.

--postgres: a URL of a role that may create databases (default RUNSYNC_TEST_POSTGRES, else the local socket).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.fake_strava
sys.path.insert(0, str(Path(__file__).resolve().parent))  # squad.py's generator

import psycopg  # noqa: E402
from squad import write_squad  # noqa: E402

from runsync.config import load_config  # noqa: E402
from runsync.store import Store  # noqa: E402
from runsync.sync import run_sync  # noqa: E402

NOW = datetime(2026, 12, 1, 6, 1, tzinfo=UTC)  # a minute into a quarter hour (the fake's window is not time-based)


def new_database(admin: str) -> str:
    name = f"runsync_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    return f"{parts.scheme}://{parts.netloc}/{name}" + (f"?{parts.query}" if parts.query else "")


def drop_database(admin: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_config(folder: Path, athletes: int, name: str, storage: str, extra: str = "", strava: bool = False) -> Path:
    lines = [f"[storage]\n{storage}\n{extra}"]
    for athlete in range(athletes):
        watch = folder / "fit" / f"a{athlete:03}"
        source = "strava = true\n" if strava else f'fit_dirs = ["{watch}"]\n'
        lines.append(f'[athletes.a{athlete:03}]\nname = "Athlete {athlete}"\ntimezone = "UTC"\nmax_hr = 190\n'
                     f'resting_hr = 50\nlthr = 172\nthreshold_pace = "4:10/km"\n{source}')  # fmt: skip
    path = folder / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def runsync(config: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "runsync", "--now", NOW.isoformat(), "--config", str(config),
                             *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})  # fmt: skip


def finished(process: subprocess.Popen[str]) -> str:
    _, err = process.communicate()
    if process.returncode not in (0, 5, 6):
        raise SystemExit(f"runsync exited {process.returncode}: {err}")
    return err


def sync_with_workers(admin: str, folder: Path, athletes: int, workers: int) -> float:
    url = new_database(admin)
    try:
        config = write_config(folder, athletes, f"pg{workers}.toml", f'url = "{url}"')
        finished(runsync(config, "sync"))
        start = time.perf_counter()
        for process in [runsync(config, "worker", "--burst") for _ in range(workers)]:
            finished(process)
        seconds = time.perf_counter() - start
        store = Store.open(url)
        sessions = sum(store.athletes_with_sessions().values())
        summary = store.db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        store.close()
        print(f"  {workers} worker(s): {seconds:6.1f} s, {sessions:,} sessions, jobs {dict(map(tuple, summary))}")
        return seconds
    finally:
        drop_database(admin, url)


def strava_budget(admin: str, folder: Path, athletes: int) -> None:
    from runsync.config.secrets import FileSecrets
    from runsync.sources.strava.oauth import Token, save_token
    from tests.fake_strava import CLIENT_ID, CLIENT_SECRET, make_activity, start_fake_strava

    fake, server = start_fake_strava()
    fake.now = NOW.timestamp()
    fake.limits = fake.read_limits = (100, 1000)
    url = new_database(admin)
    secrets_file = folder / "secrets.json"
    secrets = FileSecrets(secrets_file)
    try:
        extra = (f'[secrets]\nbackend = "file"\nfile = "{secrets_file}"\n[strava]\nclient_id = "{CLIENT_ID}"\n'
                 f'api_url = "{fake.url}/api/v3"\noauth_url = "{fake.url}/oauth"\n')  # fmt: skip
        config = write_config(folder, athletes, "strava.toml", f'url = "{url}"', extra, strava=True)
        for athlete in range(athletes):
            name = f"a{athlete:03}"
            info = fake.issue_tokens(name)
            save_token(secrets, name, Token(info["access_token"], info["refresh_token"], info["expires_at"],
                                            info["athlete"]["id"]))  # fmt: skip
            fake.add_activity(name, make_activity(10_000 + athlete, NOW - timedelta(hours=10)))
        env = {"RUNSYNC_STRAVA_CLIENT_SECRET": CLIENT_SECRET}
        finished(runsync(config, "sync", env=env))
        start = time.perf_counter()
        for process in [runsync(config, "worker", "--burst", env=env) for _ in range(2)]:
            finished(process)
        seconds = time.perf_counter() - start
        store = Store.open(url)
        jobs = dict(map(tuple, store.db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()))
        store.close()
        print(f"  calls made in the window {fake.api_calls()} (limit {fake.read_limits[0]}, reserve 5), "
              f"429 answers {fake.too_many}, {seconds:.1f} s; jobs {jobs} (queued: for the next quarter hour)")
    finally:
        server.shutdown()
        server.server_close()
        drop_database(admin, url)


def timed_command(config: Path, *args: str, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    finished(runsync(config, *args, env=env))
    return time.perf_counter() - start


def audits(admin: str, folder: Path, athletes: int) -> None:
    url = new_database(admin)
    try:
        config = write_config(folder, athletes, "audit.toml", f'database = "{folder / "audit.db"}"')
        loaded = load_config(config)
        for location in (str(folder / "audit.db"), url):
            store = Store.open(location)
            run_sync(store, list(loaded.athletes.values()), config=loaded, now=NOW, workers=2)
            store.close()
        pg = {"RUNSYNC_DATABASE_URL": url}
        for args in (("audit", "--all", "--format", "json"), ("report", "--all", "--format", "json")):
            sqlite_s = timed_command(config, *args)
            pg_s = timed_command(config, *args, env=pg)
            print(f"  {' '.join(args[:2]):14} SQLite {sqlite_s:5.2f} s   PostgreSQL {pg_s:5.2f} s   "
                  f"ratio {pg_s / sqlite_s:.2f}x")
    finally:
        drop_database(admin, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--athletes", type=int, default=500)
    parser.add_argument("--weeks", type=int, default=2)
    parser.add_argument("--postgres", default=os.environ.get("RUNSYNC_TEST_POSTGRES", "postgresql:///postgres"))
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="runsync-team-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "fit").is_dir():
        files = write_squad(folder, args.athletes, args.weeks)
    else:
        files = sum(1 for _ in (folder / "fit").rglob("*.fit"))
    print(f"squad: {args.athletes} athletes x {args.weeks} weeks, {files:,} files, {os.cpu_count()} cores")
    print("sync on PostgreSQL, one job per athlete, N worker processes:")
    times = {n: sync_with_workers(args.postgres, folder, args.athletes, n) for n in (1, 2, 4)}
    for n, seconds in times.items():
        print(f"  {n} worker(s): {files / seconds:7.1f} files/s   speed-up {times[1] / seconds:4.2f}x"
              + ("   (target for 2: >= 1.7x)" if n == 2 else ""))  # fmt: skip
    print("Strava, 2 workers sharing the budget in the database:")
    strava_budget(args.postgres, folder, args.athletes)
    print(f"the coach's read commands, {args.athletes} athletes:")
    audits(args.postgres, folder, args.athletes)


if __name__ == "__main__":
    main()
