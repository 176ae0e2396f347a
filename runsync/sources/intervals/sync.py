"""intervals.icu → store: activities as their original files, the days' wellness, and the planned workouts.

Per athlete, in `sync_state` (source "intervals"): `newest_day` (the local day of the newest activity seen),
`backfill_before` (the history walk stands at activities on or before that local day; null when complete),
`wellness_newest`, `plan_synced` and `last_sync`. Each activity done is kept as its list entry in `raw` (source
"intervals", part "summary"), so it is never fetched twice and an edit on intervals.icu is seen by comparing.

A nightly run lists the activities of the `lookback_days` before the newest one seen (one call when nothing is new;
a late upload or an edit inside that window is picked up: a new name is applied to the session; an RPE is not, as it
would change how the session's load is computed), then walks the history newest first while the run's download
budget lasts. An activity already imported from a file (watch folder, export archive, Garmin Connect's original) is
recognised by its start (±120 s) and distance and gains its intervals.icu id without a download; any other is
downloaded as its original upload and imported through the file pipeline, so the same run from several places is
one session with every provenance. Activities intervals.icu
received from Strava are stubs its API may not pass on: they are counted, recorded, never imported, and the run
says so once. Then wellness (from the newest day stored, a week back for late entries) and the planned workouts
(`lookback_days` back to `plan_days` ahead, replaced so a moved or deleted workout follows the calendar).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from runsync.config import Athlete, Config
from runsync.config.secrets import Secrets, open_secrets
from runsync.errors import AuthError, ConfigError, RunsyncError
from runsync.model import Session, Source
from runsync.sources.download import activity_file
from runsync.sources.files import FILE_KINDS
from runsync.sources.files.track import sport_of
from runsync.sources.intervals.client import COACH_KEY, SECRET_KEY, IntervalsApi, IntervalsRefused
from runsync.sources.intervals.records import number, planned_workout, wellness_day
from runsync.sources.items import FileItem, Provenance
from runsync.sources.service import BudgetSpent, ImportFile, ServiceSync, sync_each
from runsync.store import Store
from runsync.sync.merge import save_merged

if TYPE_CHECKING:
    from runsync.sources.report import SyncReport

SOURCE = "intervals"
BEGINNING = "1970-01-01"
FIRST_PLAN_DAYS = 91  # a first sync reads this much of the past calendar (planned vs done for the last weeks)
WELLNESS_RELOOK_DAYS = 7  # entries made or corrected late (a weight typed in the next day)
EDITED = ("name", "type", "distance", "moving_time", "start_date_local")


@dataclass
class AthleteIntervals(ServiceSync):
    api: IntervalsApi | None = None
    strava_stubs: int = 0
    source: ClassVar[str] = SOURCE

    def run(self, now: datetime) -> None:
        today = now.astimezone(self.athlete.tz).date()
        try:
            if self.state("newest_day") is not None:
                self.new_activities(today)
            elif self.state("backfill_before") is None:  # a first sync: the history walk starts today
                self.set_state(backfill_before=(today + timedelta(days=1)).isoformat())
            while self.state("backfill_before") is not None and self.backfill_page():
                pass
        except BudgetSpent:
            self.report.notes.append(
                f"intervals: {self.athlete.id}: the history is still being fetched "
                f"({self.config.intervals.backfill_budget} downloads a run); the next sync continues")  # fmt: skip
        finally:
            self.say_strava_stubs()
        self.sync_wellness(today)
        self.sync_planned(today)
        self.set_state(last_sync=now.isoformat(timespec="seconds"), auth_error=None)

    # --- activities -----------------------------------------------------------------------------------

    def new_activities(self, today: date) -> None:
        """The lookback window before the newest activity seen, to tomorrow: new ones, late uploads, edits."""
        newest = date.fromisoformat(self.state("newest_day"))
        oldest = newest - timedelta(days=self.config.intervals.lookback_days)
        for activity in self.api.list_activities(oldest.isoformat(), (today + timedelta(days=1)).isoformat()):
            self.take(activity)

    def backfill_page(self) -> bool:
        """One page of the history walk, newest first; False when the history is complete."""
        before, size = self.state("backfill_before"), self.config.intervals.page_size
        page = self.api.list_activities(BEGINNING, before, limit=size)
        for activity in page:
            self.take(activity)  # raises BudgetSpent: the walk stands before this page's undone ones
        days = [d for a in page if (d := local_day(a)) is not None]
        if len(page) < size or not days:
            self.set_state(backfill_before=None)
            return False
        oldest = min(days)  # the next page starts on that day again (those done are skipped, not fetched)
        step = oldest if oldest.isoformat() < before else oldest - timedelta(days=1)
        self.set_state(backfill_before=step.isoformat())
        return True

    def take(self, activity: dict[str, Any]) -> None:
        activity_id = str(activity.get("id") or "")
        if not activity_id:
            return
        record = self.store.raw(SOURCE, activity_id, "summary")
        if is_strava_stub(activity):
            if record is None:
                self.strava_stubs += 1
                with self.store.transaction():
                    self.store.save_raw(SOURCE, activity_id, athlete=self.athlete.id, part="summary",
                                        payload=json.dumps(activity).encode(), status="strava",
                                        error="received from Strava: not in intervals.icu's API")  # fmt: skip
            self.count("from Strava, not available")
            return
        if record is not None:
            self.known(activity_id, activity, record)
            return
        provenance = Provenance(Source(SOURCE, activity_id, activity.get("name")), activity.get("name"),
                                sport=sport_of(str(activity.get("type") or ""), "other"))  # fmt: skip
        self.take_new(activity_id, activity, provenance)

    def known(self, activity_id: str, activity: dict[str, Any], record: Any) -> None:
        """An activity done before: still failing (named), unchanged, or edited on intervals.icu since."""
        if record.status == "error":
            self.report.still_failing.append((activity_label(activity_id, activity), record.error or "",
                                              record.fetched_at[:10]))  # fmt: skip
            return
        before = json.loads(self.store.raw_payload(SOURCE, activity_id, "summary") or b"{}")
        if digest(before) == digest(activity):
            self.count("unchanged")
            return
        sessions = self.store.session_ids_for_source(SOURCE, activity_id)
        with self.store.transaction():
            for session_id in sessions:
                if activity.get("name") and activity.get("name") != before.get("name"):
                    self.store.rename_session(session_id, str(activity["name"]))
                    self.store.add_source(session_id, Source(SOURCE, activity_id, str(activity["name"])))
            self.keep_summary(activity_id, activity)
        self.report.changed_athletes.add(self.athlete.id)
        self.count("edited")

    def label(self, activity_id: str, activity: dict[str, Any]) -> str:
        return activity_label(activity_id, activity)

    def summary_session(self, activity: dict[str, Any]) -> Session | None:
        return summary_session(activity, self.athlete)

    def download(self, activity_id: str, activity: dict[str, Any], provenance: Provenance) -> bool:
        """Download and import the original file; False (named, recorded) when it cannot be."""
        try:
            data = self.api.download_original(activity_id)
        except IntervalsRefused as error:
            if error.status == 404:  # entered by hand (no file): a session from what the list says of it
                return self.from_summary(activity_id, activity, provenance)
            if error.status == 422:  # received from Strava after all: not ours to read
                self.strava_stubs += 1
                self.count("from Strava, not available")
                return True
            return self.failed(activity_id, activity, f"no original file ({error})")
        self.count("downloads")
        kind = str(activity.get("file_type") or "").lower()
        name, member = activity_file(data, f"{activity_id}.{kind}" if kind in FILE_KINDS else activity_id)
        if member is None:
            return self.failed(activity_id, activity, name)
        item = FileItem(f"intervals.icu activity {activity_id} ({name})", self.athlete, load=lambda: member,
                        provenance=provenance)  # fmt: skip
        self.import_file(item)
        return True

    def from_summary(self, activity_id: str, activity: dict[str, Any], provenance: Provenance) -> bool:
        """An activity without a file (typed in on intervals.icu, or from a service that sends no file): a session
        of its start, sport, distance, times and heart rate; a file of the same run, later, is merged with it."""
        session = summary_session(activity, self.athlete, full=True)
        if session is None:
            return self.failed(activity_id, activity, "no original file and no start time")
        session = session.replace(sources=(provenance.source,), name=provenance.name)
        with self.store.transaction():
            self.report.merged += save_merged(self.store, session)
        self.report.changed_athletes.add(self.athlete.id)
        self.report.imported.append((activity_label(activity_id, activity), 1))
        self.count("without a file")
        return True

    def finish(self, activity_id: str, activity: dict[str, Any]) -> None:
        day = local_day(activity)
        with self.store.transaction():
            self.keep_summary(activity_id, activity)
            newest = self.state("newest_day")
            if day is not None and (newest is None or day.isoformat() > newest):
                self.store.save_state(self.athlete.id, SOURCE, "newest_day", day.isoformat())

    def say_strava_stubs(self) -> None:
        if self.strava_stubs:
            self.report.notes.append(
                f"intervals: {self.athlete.id}: {self.strava_stubs} activities intervals.icu received from Strava "
                "are not available through its API (Strava's terms) and were not imported; connect the watch to "
                "intervals.icu directly, or let runsync sync Strava (strava = true)")  # fmt: skip

    # --- wellness and the plan ------------------------------------------------------------------------

    def sync_wellness(self, today: date) -> None:
        newest = self.state("wellness_newest")
        oldest = (date.fromisoformat(newest) - timedelta(days=WELLNESS_RELOOK_DAYS) if newest
                  else today - timedelta(days=self.config.intervals.wellness_days))  # fmt: skip
        days = [d for r in self.api.wellness(oldest.isoformat(), today.isoformat())
                if (d := wellness_day(r, self.athlete.id)) is not None]  # fmt: skip
        with self.store.transaction():
            saved = self.store.save_wellness(SOURCE, days)
            latest = max((d.day for d in days if d.values()), default=None)
            if latest is not None and (newest is None or latest.isoformat() > newest):
                self.store.save_state(self.athlete.id, SOURCE, "wellness_newest", latest.isoformat())
        if saved:
            self.count("wellness days", saved)

    def sync_planned(self, today: date) -> None:
        settings = self.config.intervals
        back = settings.lookback_days if self.state("plan_synced") else FIRST_PLAN_DAYS
        first, last = today - timedelta(days=back), today + timedelta(days=settings.plan_days)
        events = self.api.planned(first.isoformat(), last.isoformat())
        workouts = [w for e in events if (w := planned_workout(e, self.athlete.id)) is not None]
        with self.store.transaction():
            saved = self.store.replace_planned(self.athlete.id, SOURCE, first, last, workouts)
            self.store.save_state(self.athlete.id, SOURCE, "plan_synced", today.isoformat())
        if saved:
            self.count("planned workouts", saved)


def is_strava_stub(activity: dict[str, Any]) -> bool:
    """An activity intervals.icu received from Strava: its API sends only the id, the start and a note."""
    return str(activity.get("source") or "").upper() == "STRAVA" or (
        "_note" in activity and not activity.get("type") and activity.get("distance") is None)


def digest(activity: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps([activity.get(k) for k in EDITED], default=str).encode()).hexdigest()


def activity_label(activity_id: str, activity: dict[str, Any]) -> str:
    """'intervals.icu activity i123 (2026-10-12 07:03, "Morning Run")'."""
    start = str(activity.get("start_date_local") or "")[:16].replace("T", " ")
    name = activity.get("name")
    details = ", ".join(filter(None, (start, f'"{name}"' if name else None)))
    return f"intervals.icu activity {activity_id}" + (f" ({details})" if details else "")


def local_day(activity: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(activity.get("start_date_local") or "")[:10])
    except ValueError:
        return None


def summary_start(activity: dict[str, Any]) -> datetime | None:
    text = str(activity.get("start_date") or "")
    try:
        start = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    if start is None:
        return None
    return start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)


def summary_session(activity: dict[str, Any], athlete: Athlete, *, full: bool = False) -> Session | None:
    """The list entry as a session: to match it against stored ones, or (`full`) to keep when there is no file."""
    start = summary_start(activity)
    if start is None:
        return None
    session = Session(id=f"intervals-{activity.get('id')}", athlete=athlete.id, start=start,
                      sport=sport_of(str(activity.get("type") or ""), "other"),
                      distance_m=number(activity.get("distance")))  # fmt: skip
    if not full:
        return session
    local = _local_start(activity)
    offset = round((local - start.replace(tzinfo=None)).total_seconds() / 900) * 900 if local else None
    return session.replace(
        utc_offset_s=offset if offset is not None and abs(offset) <= 14 * 3600 else session.utc_offset_s,
        moving_s=number(activity.get("moving_time")), elapsed_s=number(activity.get("elapsed_time")),
        avg_hr=number(activity.get("average_heartrate")), max_hr=number(activity.get("max_heartrate")),
        elevation_gain_m=number(activity.get("total_elevation_gain")))


def _local_start(activity: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(activity.get("start_date_local") or "")[:19])
    except ValueError:
        return None


def api_key(secrets: Secrets, athlete: Athlete) -> str | None:
    """The athlete's own key, else the coach's (which reads every athlete sharing with the coach)."""
    return secrets.get(SECRET_KEY.format(athlete=athlete.id)) or secrets.get(COACH_KEY)


def sync_intervals_athletes(store: Store, athletes: list[Athlete], config: Config, *, now: datetime,
                            report: SyncReport, import_file: ImportFile) -> None:  # fmt: skip
    """Each athlete with `intervals = "i..."` in turn; one athlete's trouble never stops the others'."""
    try:
        secrets = open_secrets(config)
    except RunsyncError as error:
        report.errors.append(error)
        return
    sync_each(store, athletes, SOURCE, report, lambda athlete: sync_athlete(
        store, athlete, config, secrets, now=now, report=report, import_file=import_file))


def sync_athlete(store: Store, athlete: Athlete, config: Config, secrets: Secrets, *, now: datetime,
                 report: SyncReport, import_file: ImportFile) -> None:  # fmt: skip
    key = api_key(secrets, athlete)
    if not key:
        raise AuthError(f"no intervals.icu API key for {athlete.id}: run  runsync auth intervals {athlete.id}  (or "
                        "runsync auth intervals --coach)")  # fmt: skip
    if (athlete.intervals or "0") == "0" and not secrets.get(SECRET_KEY.format(athlete=athlete.id)):
        raise ConfigError(f"{config.path or 'config'}: athletes.{athlete.id}.intervals: \"0\" is the key's own "
                          f"athlete, and {athlete.id} has no key of their own (the coach's would read the coach): give "
                          f"their intervals.icu id (\"i…\"), or run  runsync auth intervals {athlete.id}")  # fmt: skip
    api = IntervalsApi(config.intervals, key, athlete.id, athlete.intervals or "0")
    sync = AthleteIntervals(store, athlete, config, report, import_file, config.intervals.backfill_budget, api=api)
    try:
        sync.run(now)
    finally:
        sync.count("calls", api.calls)
        api.close()


def intervals_state(store: Store, athlete: Athlete, secrets: Callable[[], Secrets]) -> dict[str, Any]:
    """The athlete's intervals.icu sync state and key state (ok, missing, rejected, unknown) — never the key."""
    try:
        key = api_key(secrets(), athlete)
    except RunsyncError as error:
        token = f"unknown ({str(error).split(';')[0]})"
    else:
        token = "missing" if not key else "rejected" if store.state(athlete.id, SOURCE, "auth_error") else "ok"
    stubs = len(store.raw_records(SOURCE, athlete.id, status="strava"))
    found = {
        "source": SOURCE,
        "last_sync": store.state(athlete.id, SOURCE, "last_sync"),
        "history_complete": store.state(athlete.id, SOURCE, "newest_day") is not None
        and store.state(athlete.id, SOURCE, "backfill_before") is None,
        "token": token,
        "strava_only": stubs,
    }
    if token == "rejected":
        found["problem"] = store.state(athlete.id, SOURCE, "auth_error")
    return found
