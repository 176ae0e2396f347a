"""The job queue, in the store's own database (no broker): one athlete's one source to sync, or one activity a
webhook named, claimed by `runsync worker` processes on any number of machines.

A worker claims the oldest ready job whose athlete no other worker is busy with (PostgreSQL: `FOR UPDATE SKIP
LOCKED`, so two workers never wait for or take the same row; SQLite: one writer at a time anyway). While it works
the job it holds a lock that dies with it: a PostgreSQL advisory lock on its connection, or on SQLite its process
(the job row names host, pid and the process's start time). A running job whose lock is free belongs to a dead
worker and is queued again (after MAX_ATTEMPTS deaths it is failed, so a job that kills its worker cannot loop).
A temporary failure (network, rate limit) is queued again for later; a failure a person must fix (a token, a
config) fails the job, and `runsync status` shows it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from runsync.store.rows import now_iso

MAX_ATTEMPTS = 5  # a job that failed or lost its worker this many times is failed for good
JOB_COLUMNS = "id, athlete, source, kind, object_id, attempts, worker, status, error, exit_status, not_before"
ACTIVE = ("queued", "running")


MAIL = "mail"  # the source of a scheduled weekly mail's job (runsync.service.schedule)

@dataclass(frozen=True)
class Job:
    id: int
    athlete: str
    source: str  # files | strava | garmin | intervals | mail (MAIL: a scheduled weekly report)
    kind: str  # sync (the source's new activities) | activity (one, by id) | delete (one) | deauth
    object_id: str = ""
    attempts: int = 0
    worker: str | None = None
    status: str = "queued"  # queued | running | done | failed
    error: str | None = None
    exit_status: int | None = None
    not_before: float = 0.0

    @property
    def label(self) -> str:
        what = f"{self.kind} {self.object_id}" if self.object_id else self.kind
        return f"job {self.id} ({self.athlete} {self.source} {what})"


def _job(row: Any) -> Job:
    return Job(*row)


def _process_start() -> str:
    """This process's start time in clock ticks since boot (a pid reused later has another)."""
    try:
        with open(f"/proc/{os.getpid()}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "0"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start()}"


def _alive_here(worker: str | None) -> bool | None:
    """Whether the worker named `worker` still runs: None when it ran on another machine (cannot tell)."""
    try:
        host, pid, started = (worker or "").rsplit(":", 2)
    except ValueError:
        return False
    if host != socket.gethostname():
        return None
    try:
        with open(f"/proc/{int(pid)}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19] == started
    except (OSError, ValueError, IndexError):
        return False


class _HandedOver(Exception):
    """A job just queued again by recover() whose lock that connection has not let go of yet."""


class JobQueue:
    def __init__(self, store: Any) -> None:
        self.store = store
        self.db = store.db
        self.postgres = store.shared

    # --- enqueue --------------------------------------------------------------------------------------

    def enqueue(self, athlete: str, source: str, kind: str = "sync", object_id: str = "", *,
                not_before: float = 0.0) -> int:  # fmt: skip
        """Queue a job, or return the id of the same one already queued (not yet started)."""
        with self.store.transaction():
            if self.postgres:  # two enqueuers of the same job at once: one waits for the other's commit
                self.db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (f"enqueue:{athlete}",))
            row = self.db.execute(
                "SELECT id FROM jobs WHERE status = 'queued' AND athlete = ? AND source = ? AND kind = ?"
                " AND object_id = ? ORDER BY id LIMIT 1", (athlete, source, kind, object_id),
            ).fetchone()  # fmt: skip
            if row is not None:
                return int(row[0])
            return int(self.db.execute(
                "INSERT INTO jobs (athlete, source, kind, object_id, not_before, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                " RETURNING id", (athlete, source, kind, object_id, not_before, now_iso()),
            ).fetchone()[0])  # fmt: skip

    def queued_count(self, athlete: str, kind: str) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM jobs WHERE athlete = ? AND kind = ? AND status = 'queued'",
                                   (athlete, kind)).fetchone()[0])  # fmt: skip

    # --- claim and finish -----------------------------------------------------------------------------

    def claim(self, worker: str, now: datetime, athletes: Iterable[str] | None = None) -> Job | None:
        """The oldest job ready at `now` whose athlete no worker is busy with, marked running by `worker` (and,
        on PostgreSQL, locked by this connection until finish()). `athletes`: only theirs."""
        only, args = "", [now.timestamp()]
        if athletes is not None:
            chosen = sorted(set(athletes))
            if not chosen:
                return None
            only = f" AND athlete IN ({', '.join('?' * len(chosen))})"
            args += chosen
        pick = (
            f"SELECT id FROM jobs j WHERE status = 'queued' AND not_before <= ?{only} AND NOT EXISTS"
            " (SELECT 1 FROM jobs r WHERE r.athlete = j.athlete AND r.status = 'running') ORDER BY id LIMIT 1"
        )
        if self.postgres:
            pick += " FOR UPDATE SKIP LOCKED"
        try:
            with self.store.transaction():
                row = self.db.execute(
                    f"UPDATE jobs SET status = 'running', attempts = attempts + 1, worker = ?, started_at = ?, "
                    f"error = NULL WHERE id = ({pick}) RETURNING {JOB_COLUMNS}", (worker, now_iso(), *args),
                ).fetchone()  # fmt: skip
                if row is None:
                    return None
                job = _job(row)
                if self.postgres and not self.db.try_lock(f"job:{job.id}"):
                    raise _HandedOver  # still locked by the connection handing it over: the claim is undone
        except _HandedOver:
            return None
        return job

    def finish(self, job: Job, status: str, *, error: str | None = None, exit_status: int | None = None) -> None:
        """done or failed; the job's lock is released."""
        with self.store.transaction():
            self.db.execute("UPDATE jobs SET status = ?, error = ?, exit_status = ?, finished_at = ? WHERE id = ?",
                            (status, error, exit_status, now_iso(), job.id))  # fmt: skip
        self._release(job)

    def retry(self, job: Job, not_before: datetime, error: str, *, counts: bool = True) -> None:
        """Back to the queue, to be claimed again after `not_before`; `counts`: the attempt counts towards
        MAX_ATTEMPTS (a rate-limit wait does not)."""
        with self.store.transaction():
            self.db.execute(
                "UPDATE jobs SET status = 'queued', error = ?, not_before = ?, worker = NULL,"
                " attempts = attempts - ? WHERE id = ?", (error, not_before.timestamp(), 0 if counts else 1, job.id),
            )  # fmt: skip
        self._release(job)

    def _release(self, job: Job) -> None:
        if self.postgres:
            self.db.unlock(f"job:{job.id}")

    # --- the dead -------------------------------------------------------------------------------------

    def recover(self) -> list[Job]:
        """Queue again the running jobs of workers that died (their locks are free); returns them."""
        running = [_job(r) for r in self.db.rows(f"SELECT {JOB_COLUMNS} FROM jobs WHERE status = 'running'")]
        orphans = []
        for job in (job for job in running if self._orphaned(job)):
            self._release(job)  # before it is queued again, so a worker claiming it at once can take its lock
            gave_up = job.attempts >= MAX_ATTEMPTS
            with self.store.transaction():
                changed = self.db.execute(
                    "UPDATE jobs SET status = ?, worker = NULL, error = ?, finished_at = ? WHERE id = ?"
                    " AND status = 'running' AND worker = ?",
                    ("failed" if gave_up else "queued",
                     f"its worker {job.worker} died" + (f" ({job.attempts} times)" if gave_up else ""),
                     now_iso() if gave_up else None, job.id, job.worker),
                ).rowcount  # fmt: skip
            if changed:  # not another worker's recover() a moment before
                orphans.append(job)
        return orphans

    def _orphaned(self, job: Job) -> bool:
        if not self.postgres:
            return _alive_here(job.worker) is False
        name = f"job:{job.id}"
        # a lock held by its worker means alive; one taken here is released by recover() once the row is updated
        return not self.db.holds(name) and bool(self.db.try_lock(name))

    # --- what is there --------------------------------------------------------------------------------

    def jobs(self, ids: Iterable[int]) -> list[Job]:
        chosen = sorted(set(ids))
        if not chosen:
            return []
        rows = self.db.rows(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id IN ({', '.join('?' * len(chosen))})", chosen)
        return [_job(r) for r in rows]

    def summary(self) -> dict[str, int]:
        """Jobs by status."""
        return {r[0]: int(r[1]) for r in self.db.rows("SELECT status, COUNT(*) FROM jobs GROUP BY status")}

    def athlete_jobs(self, athlete: str) -> dict[str, Any]:
        """What `runsync status` shows of an athlete's jobs: queued and running counts, the last failure."""
        counts = {r[0]: int(r[1]) for r in self.db.rows(
            "SELECT status, COUNT(*) FROM jobs WHERE athlete = ? AND status IN ('queued', 'running') GROUP BY status",
            (athlete,))}  # fmt: skip
        failed = self.db.rows(
            "SELECT id, source, kind, object_id, error, finished_at FROM jobs WHERE athlete = ? AND status = 'failed'"
            " AND id > COALESCE((SELECT MAX(id) FROM jobs WHERE athlete = ? AND status = 'done'"
            " AND source = jobs.source AND kind = jobs.kind AND object_id = jobs.object_id), 0)"
            " ORDER BY id DESC LIMIT 3", (athlete, athlete),
        )  # fmt: skip
        return {
            "queued": counts.get("queued", 0),
            "running": counts.get("running", 0),
            "failed": [
                {"job": r[0], "source": r[1], "kind": r[2], "object_id": r[3] or None, "error": r[4], "at": r[5]}
                for r in failed
            ],  # fmt: skip
        }

    def prune(self, before: datetime) -> int:
        """Forget finished jobs and webhook events older than `before` (the queue must not grow forever)."""
        stamp = before.astimezone(UTC).isoformat(timespec="seconds")
        with self.store.transaction():
            gone = self.db.execute("DELETE FROM jobs WHERE status IN ('done', 'failed') AND finished_at < ?",
                                   (stamp,)).rowcount  # fmt: skip
            self.db.execute("DELETE FROM webhook_events WHERE received_at < ?", (stamp,))
        return int(gone or 0)
