"""`runsync worker`: take jobs from the store's queue and run them, one at a time, on any number of machines.

A job is one athlete's one source (sync.run_sync with that source only) or one activity a Strava webhook named
(runsync.sources.strava.events). The worker holds the athlete's lock while it runs the job, so two workers never
write one athlete at once; each activity is committed on its own, so a worker killed mid-job leaves whole sessions
only and the job, queued again by the next worker that looks (runsync.store.jobs), finds the rest. What a job ends
with decides what happens to it:

- it worked (or some files failed to read, which are recorded and shown by `runsync status`): done;
- the Strava rate budget is spent: queued again for when the window resets (no attempt counted);
- a temporary problem (network, a service's 5xx, the athlete busy in another worker): queued again with a backoff
  (30 s, 1, 2, 4 min…), failed after MAX_ATTEMPTS;
- a person must act (a token revoked, the athlete removed from the config): failed, with the reason.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import FrameType

from runsync.app import App
from runsync.errors import ConfigError, ExitStatus, LockHeld, RateLimited, RunsyncError, TemporaryError
from runsync.sources.report import SyncReport
from runsync.store.jobs import MAIL, MAX_ATTEMPTS, Job, JobQueue, worker_name
from runsync.sync import run_sync, save_merged

BUSY_RETRY = timedelta(seconds=5)  # the athlete is being synced by another worker


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


@dataclass
class Outcome:
    job: Job
    status: str  # done | failed | retry
    message: str = ""
    exit_status: ExitStatus = ExitStatus.OK


@dataclass
class WorkerRun:
    outcomes: list[Outcome] = field(default_factory=list)
    recovered: list[Job] = field(default_factory=list)
    outage: str | None = None  # the database could not be reached (a --burst run stops; a long one waits)

    def exit_status(self) -> ExitStatus:
        """What needs a person most among the jobs that did not end well (0 when all did; 5 after an outage)."""
        statuses = [o.exit_status for o in self.outcomes if o.exit_status]
        return min(statuses + ([ExitStatus.TEMPORARY] if self.outage else []), default=ExitStatus.OK)

    def summary(self) -> str:
        counts = {s: sum(o.status == s for o in self.outcomes) for s in ("done", "retry", "failed")}
        parts = [f"{counts['done']} jobs done", f"{counts['retry']} queued again", f"{counts['failed']} failed"]
        if self.recovered:
            parts.append(f"{len(self.recovered)} taken over from dead workers")
        return ", ".join(parts)


class Clock:
    """The command's moment (--now, or the real time) moving on with the real time."""

    def __init__(self, start: datetime) -> None:
        self.start, self.started = start, time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.started)


def run_job(app: App, job: Job, now: datetime) -> SyncReport:
    """Run one job under its athlete's lock; what went wrong is in the report (LockHeld is raised)."""
    if job.source == MAIL:  # a scheduled weekly mail
        from runsync.service.schedule import run_mail_job

        return run_mail_job(app, job, now)
    athlete = app.config.athletes.get(job.athlete)
    if athlete is None:
        raise ConfigError(f"{job.label}: no athlete {job.athlete!r} in {app.config.path or 'the config'}")
    with app.store.lock([athlete.id]):
        if job.kind == "sync":
            return run_sync(app.store, [athlete], config=app.config, now=now, workers=1, sources=[job.source])
        report = SyncReport()
        if job.source == "strava":
            from runsync.sources.strava.events import run_event_job  # stravalib loads for Strava jobs only

            run_event_job(app.store, athlete, job, app.config, now=now, report=report, save=save_merged)
        else:
            report.errors.append(ConfigError(f"{job.label}: unknown kind of job"))
        if report.changed_athletes:
            from runsync.analysis.refresh import refresh_athletes

            report.analysis = refresh_athletes(app.store, app.config, [athlete], workers=1)
        return report


def settle(queue: JobQueue, job: Job, report: SyncReport | None, error: RunsyncError | None,
           now: datetime) -> Outcome:  # fmt: skip
    """Record how the job ended (done, queued again, failed) from its report or the error it raised."""
    errors = list(report.errors) if report is not None else []
    if error is not None:
        errors.append(error)
    limited = next((e for e in errors if isinstance(e, RateLimited)), None)
    status = min([e.exit_status for e in errors] + ([report.exit_status()] if report is not None else []),
                 default=ExitStatus.OK)  # fmt: skip
    message = "; ".join(str(e) for e in errors)
    if isinstance(error, LockHeld):
        queue.retry(job, now + BUSY_RETRY, message, counts=False)
        return Outcome(job, "retry", message)
    if limited is not None:
        resume = getattr(limited, "resume_at", None) or now + timedelta(minutes=15)
        queue.retry(job, resume, message, counts=False)
        return Outcome(job, "retry", message, ExitStatus.TEMPORARY)
    if status == ExitStatus.TEMPORARY and job.attempts < MAX_ATTEMPTS:
        queue.retry(job, now + backoff(job.attempts), message)
        return Outcome(job, "retry", message, ExitStatus.TEMPORARY)
    if status in (ExitStatus.OK, ExitStatus.PARTIAL):
        failed = report.failed if report is not None else []
        note = "; ".join(f"{what}: {why}" for what, why in failed[:3]) or None
        queue.finish(job, "done", error=note, exit_status=int(status))
        return Outcome(job, "done", note or "", status)
    queue.finish(job, "failed", error=message or f"exit {int(status)}", exit_status=int(status))
    return Outcome(job, "failed", message, status)


def work(
    app: App,
    *,
    burst: bool,
    athletes: Iterable[str] | None = None,
    poll_s: float = 2.0,
    max_jobs: int | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    until: Callable[[], bool] | None = None,
    schedule: bool = False,
    on_outage: Callable[[str | None], None] | None = None,
) -> WorkerRun:
    """Claim and run jobs until the queue has none ready (`burst`), `max_jobs` are run, `until()` says so, or a
    SIGTERM/SIGINT arrives (the job in hand is finished first; a second signal stops at once). With `schedule`, what
    [schedule] says is due is enqueued as it falls due. The database out of reach: a --burst run stops (exit 5); a
    long-running one waits with a backoff (1 s doubling to 30 s) and goes on when it is back (`on_outage`: told
    once when it goes, with None when it is back); the job in hand is queued again by whoever looks next."""
    from runsync.service.housekeeping import Housekeeping

    queue, name, clock = JobQueue(app.store), worker_name(), Clock(app.now)
    chosen = None if athletes is None else list(athletes)
    run, house = WorkerRun(), Housekeeping(app, name, schedule)
    stopping, down = _StopSignals(), Outage()
    with stopping:
        while not stopping.asked and (max_jobs is None or len(run.outcomes) < max_jobs):
            if until is not None and until():
                break
            try:
                house.tick(clock())
                run.recovered += queue.recover()
                job = queue.claim(name, clock(), chosen)
                if down.back(on_outage):
                    run.outage = None  # it is over: a long-running worker that waited it out ends well
            except TemporaryError as error:  # the database is out of reach
                run.outage = str(error)
                if burst:
                    break
                stopping.sleep(down.wait(str(error), on_outage))
                continue
            if job is None:
                if burst:
                    break
                stopping.sleep(poll_s)
                continue
            report, error = None, None
            with contextlib.suppress(RunsyncError):  # only a heartbeat: the job's own writes say if the store is gone
                house.busy(job.id)
            try:
                report = run_job(app, job, clock())
            except RunsyncError as raised:
                error = raised
            except Exception as raised:  # a bug in one job must not stop the queue: recorded, then failed
                if os.environ.get("RUNSYNC_DEBUG"):
                    raise
                from runsync.errors import save_crash_report

                error = RunsyncError(f"{save_crash_report(raised)} ({type(raised).__name__})")
                error.exit_status = ExitStatus.INTERNAL
            try:
                outcome = settle(queue, job, report, error, clock())
            except TemporaryError as lost:  # the database went while the job ran: recover() queues it again
                run.outage = str(lost)
                outcome = Outcome(job, "retry", f"{error or ''} (the database went away: {lost})".strip(),
                                  ExitStatus.TEMPORARY)  # fmt: skip
            run.outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    with contextlib.suppress(RunsyncError):
        house.leave()
    return run


@dataclass
class Outage:
    """The database out of reach: how long to wait before the next look (1 s doubling to 30 s), told once."""

    seconds: float = 0.0

    def wait(self, why: str, tell: Callable[[str | None], None] | None) -> float:
        if not self.seconds and tell is not None:
            tell(why)
        self.seconds = min(max(self.seconds * 2, 1.0), 30.0)
        return self.seconds

    def back(self, tell: Callable[[str | None], None] | None) -> bool:
        """The database answers again: True when it had been out of reach."""
        was = bool(self.seconds)
        if was and tell is not None:
            tell(None)
        self.seconds = 0.0
        return was


def enqueue_syncs(app: App, athletes: Iterable[str]) -> list[int]:
    """One job per athlete and source they sync from (an identical job already queued is reused)."""
    from runsync.sync import sources_of

    queue = JobQueue(app.store)
    return [queue.enqueue(a.id, source) for a in map(app.config.athlete, athletes) for source in sources_of(a)]


@dataclass
class Waited:
    """How the jobs `runsync sync --wait` queued ended: their final rows."""

    jobs: list[Job]

    def problems(self) -> list[str]:
        """One line per job that failed, finished with files failing, or is still queued or running."""
        lines = []
        for job in self.jobs:
            if job.status == "failed" or (job.status == "done" and job.error):
                lines.append(f"{job.label}: {job.status}: {job.error}")
            elif job.status in ("queued", "running"):
                lines.append(f"{job.label}: still {job.status}" + (f" ({job.error})" if job.error else ""))
        return lines

    def exit_status(self) -> ExitStatus:
        """What needs a person most among the jobs (a job not yet ended: 5, try again); 0 when all are done."""
        statuses = [ExitStatus(j.exit_status) for j in self.jobs if j.exit_status]
        statuses += [ExitStatus.TEMPORARY for j in self.jobs if j.status in ("queued", "running")]
        return min(statuses, default=ExitStatus.OK)

    def summary(self) -> str:
        return f"{sum(j.status == 'done' for j in self.jobs)} of {len(self.jobs)} sync jobs done"


def wait_for(app: App, ids: list[int], *, poll_s: float = 1.0, timeout_s: float | None = None) -> Waited:
    """Work these jobs in this process (as a worker that takes only their athletes) until none is queued and
    ready or running; then how they ended. Jobs queued again for later (a rate-limit window) are not waited for."""
    queue = JobQueue(app.store)
    athletes = sorted({j.athlete for j in queue.jobs(ids)})
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    clock = Clock(app.now)
    while True:
        work(app, burst=True, athletes=athletes)
        jobs = queue.jobs(ids)
        waiting = [j for j in jobs if j.status == "running" or (j.status == "queued"
                                                                and j.not_before <= clock().timestamp())]  # fmt: skip
        if not waiting or (deadline is not None and time.monotonic() > deadline):
            return Waited(jobs)
        time.sleep(poll_s)  # another worker runs some of them


class _StopSignals:
    """SIGTERM (systemd stop) and SIGINT: finish the job in hand, then stop; a second one stops at once."""

    def __init__(self) -> None:
        self.asked = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _StopSignals:
        try:
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._previous[sig] = signal.signal(sig, self._ask)
        except ValueError:  # not the main thread (a test's worker thread): no signals here
            pass
        return self

    def __exit__(self, *_exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]

    def _ask(self, signum: int, _frame: FrameType | None) -> None:
        if self.asked:
            raise KeyboardInterrupt
        self.asked = True

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.asked and time.monotonic() < end:
            time.sleep(min(0.2, seconds))
