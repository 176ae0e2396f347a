"""What a long-running worker does besides jobs: say it is alive (the `workers` table, in wall-clock time whatever
--now says: /healthz reads it), enqueue
what the schedule says is due (with --schedule), and keep the database from growing forever (finished jobs,
handled webhook events and schedule records older than `[queue] keep_days`, workers not seen for as long)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from runsync.store.jobs import JobQueue

if TYPE_CHECKING:
    from runsync.app import App

SCHEDULE_EVERY = timedelta(seconds=30)
PRUNE_EVERY = timedelta(hours=1)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass
class Housekeeping:
    app: App
    worker: str
    schedule: bool = False
    _beat: datetime | None = None
    _scheduled: datetime | None = None
    _pruned: datetime | None = None
    _busy: bool = False

    def tick(self, now: datetime) -> None:
        """Due work, at its own pace each: a heartbeat (at once after a job: it is idle again), the schedule, the
        pruning."""
        store, queue = self.app.store, self.app.config.queue
        alive = datetime.now(UTC)  # liveness is wall-clock time, whatever --now says
        if self._beat is None or alive - self._beat >= timedelta(seconds=queue.heartbeat_s / 3) or self._busy:
            heartbeat(self.app, self.worker, alive, None)
            self._beat, self._busy = alive, False
        if self.schedule and (self._scheduled is None or now - self._scheduled >= SCHEDULE_EVERY):
            from runsync.service.schedule import enqueue_due

            enqueue_due(store, self.app.config, now)
            self._scheduled = now
        if self._pruned is None or now - self._pruned >= PRUNE_EVERY:
            prune(self.app, now)
            self._pruned = now

    def busy(self, job_id: int) -> None:
        """A job claimed: the heartbeat names it, so a job longer than the heartbeat's span does not make the worker
        look gone (/healthz counts a worker whose named job is running as alive)."""
        heartbeat(self.app, self.worker, datetime.now(UTC), job_id)
        self._busy = True

    def leave(self) -> None:
        """The worker stops: its heartbeat row goes (it is not a dead worker)."""
        with self.app.store.transaction():
            self.app.store.db.execute("DELETE FROM workers WHERE name = ?", (self.worker,))


def heartbeat(app: App, worker: str, now: datetime, job_id: int | None) -> None:
    with app.store.transaction():
        app.store.db.execute(
            "INSERT INTO workers (name, started_at, seen_at, job_id) VALUES (?, ?, ?, ?) ON CONFLICT (name)"
            " DO UPDATE SET seen_at = excluded.seen_at, job_id = excluded.job_id",
            (worker, stamp(now), stamp(now), job_id),
        )


def prune(app: App, now: datetime) -> int:
    """Forget what is older than [queue] keep_days; how many jobs went."""
    from runsync.service.schedule import prune_runs

    before = now - timedelta(days=app.config.queue.keep_days)
    gone = JobQueue(app.store).prune(before)
    prune_runs(app.store, before)
    with app.store.transaction():
        gone_for = datetime.now(UTC) - timedelta(days=app.config.queue.keep_days)
        app.store.db.execute("DELETE FROM workers WHERE seen_at < ?", (stamp(gone_for),))
    return gone

