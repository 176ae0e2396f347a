"""The schedule runsync owns (`[schedule]`, run by `runsync worker --schedule`): each athlete's nightly sync and
weekly mail at their own local time, so a Sydney athlete's Monday mail leaves on her Monday morning.

A task is due at its latest occurrence at or before now (in the athlete's timezone: DST and all). Enqueuing it
records (task, athlete, the local day or week it is due for) in `schedule_runs` in the same transaction as its
jobs; the key makes it happen once however many schedulers look, and whatever restarts in between. A run missed by
downtime is caught up once (only the latest occurrence counts, never the N missed ones), and only when it was due
within `catch_up_hours` (a week-old Monday mail is not sent on Friday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from runsync.config import Config, ScheduleSettings
from runsync.store import Store
from runsync.store.jobs import MAIL, Job, JobQueue
from runsync.store.rows import now_iso

if TYPE_CHECKING:
    from runsync.app import App
    from runsync.sources.report import SyncReport

SQUAD = "*"  # the athlete of the coach's roll-up job


@dataclass(frozen=True)
class Due:
    task: str  # sync | report | rollup
    athlete: str
    key: str  # the local day (sync) or the week being reported (report, rollup)
    at: datetime  # the occurrence, UTC


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def last_daily(now: datetime, zone: ZoneInfo, at: time) -> datetime:
    """The latest local `at` at or before `now` (a time skipped by a DST change is the instant it maps to)."""
    local = now.astimezone(zone)
    for back in range(0, 3):
        candidate = datetime.combine(local.date() - timedelta(days=back), at, zone)
        if candidate.astimezone(UTC) <= now:
            return candidate.astimezone(UTC)
    raise AssertionError("unreachable")


def last_weekly(now: datetime, zone: ZoneInfo, weekday: int, at: time) -> datetime:
    local = now.astimezone(zone)
    for back in range(0, 9):
        day = local.date() - timedelta(days=back)
        candidate = datetime.combine(day, at, zone)
        if day.weekday() == weekday and candidate.astimezone(UTC) <= now:
            return candidate.astimezone(UTC)
    raise AssertionError("unreachable")


def reported_week(occurrence: datetime, zone: ZoneInfo, week_start: int) -> date:
    """The last local week that had ended when the report became due (its first day)."""
    day = occurrence.astimezone(zone).date()
    return day - timedelta(days=(day.weekday() - week_start) % 7) - timedelta(days=7)


def due_now(config: Config, now: datetime) -> list[Due]:
    """What the schedule says should have run by `now` (within catch_up_hours), per athlete and task."""
    s: ScheduleSettings = config.schedule
    found: list[Due] = []
    fresh = timedelta(hours=s.catch_up_hours)
    for athlete in config.athletes.values():
        zone = athlete.tz
        if s.sync_at:
            at = last_daily(now, zone, _clock(s.sync_at))
            found.append(Due("sync", athlete.id, at.astimezone(zone).date().isoformat(), at))
        if s.report_at and athlete.email:
            at = last_weekly(now, zone, s.report_day, _clock(s.report_at))
            found.append(Due("report", athlete.id, reported_week(at, zone, config.week_start).isoformat(), at))
    if s.report_at and s.rollup and config.email.to:
        zone = ZoneInfo(s.timezone)
        at = last_weekly(now, zone, s.report_day, _clock(s.report_at))
        found.append(Due("rollup", SQUAD, reported_week(at, zone, config.week_start).isoformat(), at))
    return [d for d in found if now - d.at <= fresh]


def enqueue_due(store: Store, config: Config, now: datetime) -> list[tuple[Due, list[int]]]:
    """Enqueue each due task not enqueued before (by any scheduler); what was enqueued now, with its job ids."""
    from runsync.sync import sources_of

    queue, done = JobQueue(store), []
    for due in due_now(config, now):
        with store.transaction():
            claimed = store.db.execute(
                "INSERT INTO schedule_runs (task, athlete, due, enqueued_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (task, athlete, due) DO NOTHING RETURNING task",
                (due.task, due.athlete, due.key, now_iso()),
            ).fetchone()  # fmt: skip
            if claimed is None:
                continue
            if due.task == "sync":
                ids = [queue.enqueue(due.athlete, source) for source in sources_of(config.athlete(due.athlete))]
            else:
                ids = [queue.enqueue(due.athlete, MAIL, due.task, due.key)]
        done.append((due, ids))
    return done


def prune_runs(store: Store, before: datetime) -> None:
    with store.transaction():
        store.db.execute("DELETE FROM schedule_runs WHERE enqueued_at < ?",
                         (before.astimezone(UTC).isoformat(timespec="seconds"),))  # fmt: skip


def run_mail_job(app: App, job: Job, now: datetime) -> SyncReport:
    """A scheduled weekly mail: one athlete's report to their own address, or the roll-up (`SQUAD`) to [email] to,
    for the week the job names; a recipient who already has it is skipped (a retried job never mails twice)."""
    from runsync.errors import PluginError
    from runsync.report.outbox import ReportRequest, deliver_reports
    from runsync.sources.report import SyncReport

    report = SyncReport()
    squad = job.athlete == SQUAD
    athletes = list(app.config.athletes.values()) if squad else [app.config.athlete(job.athlete)]
    request = ReportRequest(athletes, squad=squad, week=date.fromisoformat(job.object_id),
                            audience="coach" if squad else "athlete")  # fmt: skip
    before, app.now = app.now, now
    try:
        to = app.config.email.to if squad else athletes[0].email
        delivery = deliver_reports(app, request, to=tuple(to), unsent_only=True)
    finally:
        app.now = before
    report.notes += [f"mailed {m.recipients[0]}" for m in delivery.messages]
    report.failed += [(job.label, line) for line in delivery.problems()]
    if delivery.exit_status() == 7:
        report.errors.append(PluginError("; ".join(delivery.problems())))
    return report
