"""Garmin Connect → store, incrementally: what the watch uploaded today is in runsync tonight, as its original FIT file.

Per athlete, in `sync_state` (source "garmin"): `newest_start` (the newest activity seen, unix seconds),
`backfill_before` / `backfill_offset` (where the history walk stands: activities on or before that local date, after
skipping that many; null when the history is complete) and `last_sync`. Each activity done is kept as its list entry
in `raw` (source "garmin", part "summary"), so it is never fetched twice.

A nightly run lists the activities of the `lookback_days` before the newest one seen (one call when nothing is new;
a late upload inside that window is still picked up), then walks the history newest first while the run's download
budget lasts (a first sync of years of history continues the next night). An activity already imported from a file
(the watch folder, the Garmin or Strava export archive) is recognised by its start (±120 s) and distance and gains
its Garmin id without a download. Any other is downloaded as its original upload (a zip holding the FIT file) and
imported through the same path as a file off the watch (content hash, normaliser, analysis, one transaction), with
`garmin:<id>` beside the file's hash. A 429, a 5xx or the network stops the athlete cleanly (exit 5, nothing
half-written, the next run resumes); dead tokens stop them with exit 4 and the command to run; the others continue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from runsync.config import Athlete, Config
from runsync.config.secrets import Secrets, open_secrets
from runsync.errors import AuthError, RunsyncError, TemporaryError, require_extra
from runsync.model import Session, Source
from runsync.sources.download import activity_file
from runsync.sources.files.track import sport_of
from runsync.sources.garmin.client import SECRET_KEY, GarminApi
from runsync.sources.garmin.wellness import sync_garmin_wellness
from runsync.sources.items import FileItem, Provenance
from runsync.sources.service import BudgetSpent, ImportFile, ServiceSync, sync_each
from runsync.store import Store

if TYPE_CHECKING:
    from runsync.sources.report import SyncReport

SOURCE = "garmin"


@dataclass
class AthleteGarmin(ServiceSync):
    api: GarminApi | None = None
    source: ClassVar[str] = SOURCE

    def run(self, now: datetime) -> None:
        try:
            if self.state("newest_start") is not None:
                self.new_activities()
            elif self.state("backfill_before") is None:  # a first sync: the history walk starts today
                self.set_state(backfill_before=now.date().isoformat(), backfill_offset=0)
            while self.state("backfill_before") is not None and self.backfill_page():
                pass
        except BudgetSpent:
            self.report.notes.append(
                f"garmin: {self.athlete.id}: the history is still being fetched ({self.config.garmin.backfill_budget} "
                "downloads a run); the next sync continues (a long history is quicker from Garmin's export archive: "
                "runsync import)"
            )  # fmt: skip
        self.set_state(last_sync=now.isoformat(timespec="seconds"), auth_error=None)

    def new_activities(self) -> None:
        """The lookback window before the newest activity seen: new ones and late uploads."""
        newest = self.state("newest_start")
        after = (datetime.fromtimestamp(newest, UTC) - timedelta(days=self.config.garmin.lookback_days)).date()
        start, size = 0, self.config.garmin.page_size
        while True:
            page = self.api.list_activities(after=after.isoformat(), start=start, limit=size)
            for activity in page:
                self.take(activity, backfill=False)
            if len(page) < size:
                return
            start += size

    def backfill_page(self) -> bool:
        """One page of the history walk, newest first; False when the history is complete."""
        before, offset = self.state("backfill_before"), self.state("backfill_offset") or 0
        size = self.config.garmin.page_size
        page = self.api.list_activities(before=before, start=offset, limit=size)
        for done, activity in enumerate(page, start=1):
            self.take(activity, backfill=True)  # raises BudgetSpent: the walk stands after the ones done
            self.set_state(backfill_offset=offset + done)
        if len(page) < size:
            self.set_state(backfill_before=None, backfill_offset=0)
            return False
        oldest = _local_day(page[-1])
        if oldest is not None and oldest.isoformat() < before:  # restart the walk at that day, past what was taken
            same_day = sum(1 for a in page if _local_day(a) == oldest)
            self.set_state(backfill_before=oldest.isoformat(), backfill_offset=same_day)
        return True

    def take(self, activity: dict[str, Any], *, backfill: bool) -> None:
        activity_id = str(activity.get("activityId") or "")
        if not activity_id or self.done(activity_id):
            self.count("unchanged")
            return
        name = activity.get("activityName")
        self.take_new(activity_id, activity, Provenance(Source(SOURCE, activity_id, name), name))

    def done(self, activity_id: str) -> bool:
        record = self.store.raw(SOURCE, activity_id, "summary")
        if record is not None and record.status == "error":
            name = f"garmin activity {activity_id}"
            self.report.still_failing.append((name, record.error or "", record.fetched_at[:10]))
        return record is not None

    def label(self, activity_id: str, activity: dict[str, Any]) -> str:
        return activity_label(activity_id, activity)

    def summary_session(self, activity: dict[str, Any]) -> Session | None:
        return summary_session(activity, self.athlete)

    def download(self, activity_id: str, activity: dict[str, Any], provenance: Provenance) -> bool:
        """Download and import the original file; False (named, recorded) when it cannot be."""
        try:
            data = self.api.download_original(activity_id)
        except (AuthError, TemporaryError):
            raise
        except RunsyncError as error:  # a 404: Garmin has no original for it (an activity entered by hand)
            return self.failed(activity_id, activity, f"no original file ({error})")
        self.count("downloads")
        name, member = activity_file(data) if data.startswith(b"PK") else ("the download is not a zip file", None)
        if member is None:
            return self.failed(activity_id, activity, name)
        item = FileItem(f"garmin activity {activity_id} ({name})", self.athlete, load=lambda: member,
                        provenance=provenance)  # fmt: skip
        self.import_file(item)
        return True

    def finish(self, activity_id: str, activity: dict[str, Any]) -> None:
        """The activity is done: its list entry kept, the newest start moved on."""
        start = summary_start(activity)
        with self.store.transaction():
            self.keep_summary(activity_id, activity)
            newest = self.state("newest_start")
            if start is not None and (newest is None or start.timestamp() > newest):
                self.store.save_state(self.athlete.id, SOURCE, "newest_start", int(start.timestamp()))


def activity_label(activity_id: str, activity: dict[str, Any]) -> str:
    """How a person finds it in Garmin Connect: 'garmin activity 123 (2026-10-12 07:03, "Morning Run")'."""
    start = str(activity.get("startTimeLocal") or "")[:16]
    name = activity.get("activityName")
    details = ", ".join(filter(None, (start, f'"{name}"' if name else None)))
    return f"garmin activity {activity_id}" + (f" ({details})" if details else "")


def summary_start(activity: dict[str, Any]) -> datetime | None:
    text = activity.get("startTimeGMT") or activity.get("startTimeGmt")
    if isinstance(text, int | float):
        return datetime.fromtimestamp(text / 1000 if text > 1e11 else text, UTC)
    try:
        return datetime.fromisoformat(str(text)).replace(tzinfo=UTC) if text else None
    except ValueError:
        return None


def _local_day(activity: dict[str, Any]) -> date | None:
    text = str(activity.get("startTimeLocal") or "")[:10]
    try:
        return date.fromisoformat(text)
    except ValueError:
        start = summary_start(activity)
        return start.date() if start else None


def summary_session(activity: dict[str, Any], athlete: Athlete) -> Session | None:
    """The list entry as a session (only to match it against stored ones)."""
    start = summary_start(activity)
    if start is None:
        return None
    kind = activity.get("activityType")
    kind = kind.get("typeKey") if isinstance(kind, dict) else kind
    distance = activity.get("distance")
    return Session(id=f"garmin-{activity.get('activityId')}", athlete=athlete.id, sport=sport_of(str(kind or "")),
                   start=start, distance_m=float(distance) if isinstance(distance, int | float) else None)  # fmt: skip


def sync_garmin_athletes(store: Store, athletes: list[Athlete], config: Config, *, now: datetime, report: SyncReport,
                         import_file: ImportFile) -> None:  # fmt: skip
    """Each athlete with `garmin = true` in turn; one athlete's trouble (dead tokens, a rate limit) never stops the
    others'. A missing keyring is an auth error, reported, not a silent fallback; so is a missing extra."""
    try:
        require_extra("garmin", f"Garmin Connect (garmin = true for {', '.join(a.id for a in athletes)})")
        secrets = open_secrets(config)
    except RunsyncError as error:
        report.errors.append(error)
        return
    sync_each(store, athletes, SOURCE, report, lambda athlete: sync_athlete(
        store, athlete, config, secrets, now=now, report=report, import_file=import_file))


def sync_athlete(store: Store, athlete: Athlete, config: Config, secrets: Secrets, *, now: datetime,
                 report: SyncReport, import_file: ImportFile) -> None:  # fmt: skip
    key = SECRET_KEY.format(athlete=athlete.id)
    tokens = secrets.get(key)
    if not tokens:
        raise AuthError(f"no Garmin Connect tokens for {athlete.id}: run  runsync auth garmin {athlete.id}")
    api = GarminApi(config.garmin, tokens, athlete.id)
    sync = AthleteGarmin(store, athlete, config, report, import_file, config.garmin.backfill_budget, api=api)
    try:
        sync.run(now)
        days = sync_garmin_wellness(store, athlete.id, api, now.astimezone(athlete.tz).date(),
                                    config.garmin.wellness_days)  # fmt: skip
        if days:
            sync.count("wellness days", days)
    finally:
        sync.count("calls", api.calls)
        if api.wellness_calls:
            sync.count("wellness calls", api.wellness_calls)
        refreshed = api.current_tokens()
        if refreshed != tokens:  # the library refreshed them: keep the new ones
            secrets.set(key, refreshed)


def garmin_state(store: Store, athlete: Athlete, secrets: Callable[[], Secrets]) -> dict[str, Any]:
    """The athlete's Garmin sync state and token state (ok, missing, rejected, unknown) — never the tokens."""
    try:
        tokens = secrets().get(SECRET_KEY.format(athlete=athlete.id))
    except RunsyncError as error:
        token = f"unknown ({str(error).split(';')[0]})"
    else:
        rejected = store.state(athlete.id, SOURCE, "auth_error")
        token = "missing" if not tokens else "rejected" if rejected else "ok"
    return {
        "source": SOURCE,
        "last_sync": store.state(athlete.id, SOURCE, "last_sync"),
        "history_complete": store.state(athlete.id, SOURCE, "newest_start") is not None
        and store.state(athlete.id, SOURCE, "backfill_before") is None,
        "token": token,
    }
