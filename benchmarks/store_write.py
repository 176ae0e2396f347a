"""One job's import into each store, side by side in one run: SQLite (each file its own transaction), PostgreSQL
with each file committed on its own (as before), and PostgreSQL with the job's files batched (runsync.sync.files
.Batch: one commit per 64 files or 2 s). The same squad of watch files (benchmarks/squad.py), one worker process
(workers=1, as a worker's job runs), a fresh store each time; files per second and the ratio to SQLite.

    python benchmarks/store_write.py [--athletes 20] [--weeks 4] [--runs 3] [--postgres URL]

Target (issue 25): PostgreSQL batched at least as fast as SQLite for the same import.
--postgres: a role that may create databases (default RUNSYNC_TEST_POSTGRES, else the local socket).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
from squad import write_squad  # noqa: E402

from runsync.config import Athlete, Config  # noqa: E402
from runsync.store import Store  # noqa: E402
from runsync.sync import files as file_stage  # noqa: E402
from runsync.sync import run_sync  # noqa: E402


def fresh_database(admin: str) -> tuple[str, str]:
    name = f"runsync_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin)
    return name, f"{parts.scheme}://{parts.netloc}/{name}" + (f"?{parts.query}" if parts.query else "")


def drop(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed_import(location: str, athletes: list[Athlete]) -> tuple[float, int]:
    store = Store.open(location)
    try:
        started = time.perf_counter()
        report = run_sync(store, athletes, config=Config(), workers=1, sources=["files"])
        return time.perf_counter() - started, report.sessions
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--athletes", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("RUNSYNC_TEST_POSTGRES") or "postgresql:///postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_squad(folder, args.athletes, args.weeks)
        athletes = [Athlete(id=p.name, name=p.name, max_hr=190, fit_dirs=(p,))
                    for p in sorted((folder / "fit").iterdir())]  # fmt: skip
        print(f"{files} files, {len(athletes)} athletes, one job's import (workers=1)")
        results: dict[str, float] = {}
        sessions = None
        for run in range(args.runs):  # best of --runs, the stores taken in turn (a busy machine's noise)
            path = folder / f"bench-{run}.db"
            seconds, sessions = timed_import(str(path), athletes)
            results["SQLite, a commit per file"] = min(seconds, results.get("SQLite, a commit per file", seconds))
            for label, batch in (("PostgreSQL, a commit per file", 1), ("PostgreSQL, batched (64 files / 2 s)", 64)):
                file_stage.BATCH_FILES = batch
                name, url = fresh_database(args.postgres)
                try:
                    seconds, found = timed_import(url, athletes)
                finally:
                    drop(args.postgres, name)
                assert found == sessions, (found, sessions)
                results[label] = min(seconds, results.get(label, seconds))
        base = results["SQLite, a commit per file"]
        for label, seconds in results.items():
            print(f"  {label:<40} {seconds:6.2f} s  {files / seconds:6.1f} files/s  {base / seconds:4.2f}x SQLite")


if __name__ == "__main__":
    main()
