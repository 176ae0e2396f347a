"""Strava → store, incrementally and within the rate limits: the Strava step of runsync.sync's pipeline.

Per athlete, in `sync_state` (source "strava"): `newest_start` (epoch of the newest activity seen),
`backfill_before` (the history cursor, walking back from the first sync; null when the history is complete),
`pending` (ids of runs whose laps and streams are still to fetch) and `last_sync`. Application-wide (athlete ""):
`resume_after`, the time the exhausted rate-limit window resets.

A nightly run: (1) every athlete's new activities (`after = newest − 7 days`: 1 call when nothing is new) and
their pending runs, then (2) the histories still being backfilled, one page per athlete in turn, until the budget
says stop. So a coach's squad gets last night's runs first; a long history fills in over the following nights.
Every summary becomes a session at once (distance and time are enough for mileage); a run gains its laps and
streams (2 calls) when the budget allows. Each activity is committed on its own: a stop loses nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from stravalib import exc

from runsync.config import Athlete, Config, StravaSettings
from runsync.config.secrets import Secrets, open_secrets
from runsync.errors import AuthError, RunsyncError, TemporaryError
from runsync.model import Session
from runsync.sources.files import FILE_KINDS
from runsync.sources.strava.client import RateBudget, StravaApi, StravaRateLimited, budgeted_session, make_api
from runsync.sources.strava.normalise import STRAVA_NORMALISER, needs_detail, normalise_activity, parse_time
from runsync.sources.strava.oauth import TokenKeeper, ensure_credentials, load_token
from runsync.store import Store

if TYPE_CHECKING:
    from runsync.sources.report import SyncReport

SOURCE = "strava"
APP_WIDE = ""  # sync_state athlete for what belongs to the whole application (Strava's limits are per app)
LOOKBACK = timedelta(days=7)
REFUSED = "refused"  # sync_state: the cause of the athlete's last 403 (athlete-limit, inactive-app, forbidden)
CAPACITY = "capacity"  # app-wide sync_state: [connected athletes, the app's limit] from Strava's headers
OWNER_ID = "owner_id"  # sync_state key: the athlete's Strava id (webhook events name the athlete by it)
# fmt: off
FINGERPRINT = ("name", "sport_type", "type", "workout_type", "distance", "moving_time", "elapsed_time", "start_date",
               "start_date_local", "timezone", "total_elevation_gain", "average_heartrate", "max_heartrate", "trainer")
# fmt: on
SaveSession = Callable[[Store, Session], bool]


def fingerprint(summary: dict[str, Any]) -> str:
    """The summary fields a session is built from: equal fingerprints mean nothing to fetch or save."""
    return json.dumps([summary.get(k) for k in FINGERPRINT], sort_keys=True, default=str)


def _epoch(summary: dict[str, Any]) -> int | None:
    start = parse_time(summary.get("start_date"))
    return int(start.replace(tzinfo=UTC).timestamp()) if start else None


def _json(store: Store, activity_id: str, part: str) -> Any:
    payload = store.raw_payload(SOURCE, activity_id, part)
    return json.loads(payload) if payload else None


class AthleteSync:
    """One athlete's Strava sync; every method leaves the store consistent if a call raises."""

    def __init__(
        self,
        store: Store,
        athlete: Athlete,
        api: StravaApi,
        *,
        per_page: int,
        now: datetime,
        report: SyncReport,
        save: SaveSession,
    ) -> None:
        self.store, self.athlete, self.api, self.per_page, self.now = store, athlete, api, per_page, now
        self.report, self.save = report, save
        self.failed = False

    def state(self, key: str) -> Any:
        return self.store.state(self.athlete.id, SOURCE, key)

    def set_state(self, key: str, value: Any) -> None:
        with self.store.transaction():
            self.store.save_state(self.athlete.id, SOURCE, key, value)

    def count(self, what: str) -> None:
        self.report.strava[what] = self.report.strava.get(what, 0) + 1

    def guarded(self, step: Callable[[], bool]) -> bool:
        """Run one step; an auth or network problem stops this athlete only (the rate limit stops everyone)."""
        try:
            return step()
        except StravaRateLimited:
            raise
        except (AuthError, TemporaryError) as error:
            self.failed = True
            self.report.errors.append(error)
            if isinstance(error, AuthError):
                self.set_state("auth_error", str(error))
                self.set_state(REFUSED, getattr(error, "cause", None))  # a 403's cause (StravaRefused), else None
            return False

    def sync_new(self) -> bool:
        newest = self.state("newest_start")
        if newest is None:  # first sync: the history walk starts with the newest activities
            self.set_state("backfill_before", int(self.now.timestamp()))
        else:
            after: int | None = int(newest - LOOKBACK.total_seconds())
            while after is not None:
                page = self.api.fetch_activities(after=after, per_page=self.per_page)
                self.save_page(page, urgent=True)
                starts = [e for e in map(_epoch, page) if e is not None]
                full = len(page) >= self.per_page and starts and max(starts) > after
                after = max(starts) if full else None
        self.drain()
        return True

    def finish(self) -> None:
        """Record a sync that reached Strava without an auth or network problem (rate-limited counts)."""
        if not self.failed:
            self.set_state("auth_error", None)
            self.set_state(REFUSED, None)
            self.set_state("last_sync", self.now.isoformat(timespec="seconds"))
        token = self.api.keeper.token
        if token is not None and token.athlete_id and self.state(OWNER_ID) != token.athlete_id:
            self.set_state(OWNER_ID, token.athlete_id)  # how a webhook event names this athlete

    def backfill_page(self) -> bool:
        """One page of older history (newest first); True while more remains."""
        before = self.state("backfill_before")
        if before is None:
            return False
        page = self.api.fetch_activities(before=before, per_page=self.per_page)
        self.save_page(page, urgent=False)
        starts = [e for e in map(_epoch, page) if e is not None]
        done = len(page) < self.per_page or not starts or min(starts) >= before
        self.set_state("backfill_before", None if done else min(starts))
        self.drain()
        return not done

    def save_page(self, page: list[dict[str, Any]], *, urgent: bool) -> None:
        for summary in page:
            if isinstance(summary, dict) and summary.get("id") is not None:
                self.save_summary(summary, urgent=urgent)

    def save_summary(self, summary: dict[str, Any], *, urgent: bool) -> None:
        activity_id = str(summary["id"])
        start = _epoch(summary)
        stored = _json(self.store, activity_id, "summary")
        record = self.store.raw(SOURCE, activity_id, "summary") if stored is not None else None
        if record is not None and record.status == "ok" and fingerprint(stored) == fingerprint(summary):
            self.count("unchanged")
            return
        self.count("activities")
        with self.store.transaction():
            self.store.save_raw(
                SOURCE,
                activity_id,
                athlete=self.athlete.id,
                part="summary",
                decoder=STRAVA_NORMALISER,
                payload=json.dumps(summary).encode(),
            )
            self.save_session(activity_id, summary)
            if needs_detail(summary) and self.store.raw(SOURCE, activity_id, "streams") is None and not (
                self.has_file(activity_id)
            ):
                pending = [p for p in self.state("pending") or [] if p != activity_id]
                self.store.save_state(
                    self.athlete.id, SOURCE, "pending", [activity_id, *pending] if urgent else [*pending, activity_id]
                )
            if start is not None and start > (self.state("newest_start") or 0):
                self.store.save_state(self.athlete.id, SOURCE, "newest_start", start)

    def has_file(self, activity_id: str) -> bool:
        """The activity's session was made from a file (an export archive, the watch): its laps and samples are
        better than the API's streams, which are not fetched."""
        return any(source.kind in FILE_KINDS for session_id in self.store.session_ids_for_source(SOURCE, activity_id)
                   if (found := self.store.session(session_id, samples=False)) for source in found.sources)  # fmt: skip

    def save_session(self, activity_id: str, summary: dict[str, Any]) -> None:
        detail, streams = _json(self.store, activity_id, "detail"), _json(self.store, activity_id, "streams")
        try:
            session = normalise_activity(
                summary, athlete=self.athlete.id, detail=detail, streams=streams, fallback_tz=self.athlete.tz
            )
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            self.report.failed.append((f"strava activity {activity_id}", f"cannot normalise: {error}"))
            return
        if session is not None:
            self.report.merged += self.save(self.store, session)
            self.report.changed_athletes.add(session.athlete)

    def drain(self) -> None:
        """Fetch laps and streams for the pending runs, committing each run as soon as it is complete."""
        for activity_id in list(self.state("pending") or []):
            self.complete(activity_id)

    def complete(self, activity_id: str) -> None:
        summary = _json(self.store, activity_id, "summary")
        try:
            if summary is not None and self.store.raw(SOURCE, activity_id, "detail") is None:
                self.save_part(activity_id, "detail", self.api.fetch_activity(activity_id))
            if summary is not None and self.store.raw(SOURCE, activity_id, "streams") is None:
                self.save_part(activity_id, "streams", self.api.fetch_streams(activity_id))
        except exc.ObjectNotFound:  # deleted on Strava since it was listed
            summary = None
        self.count("with laps and streams")
        with self.store.transaction():
            if summary is not None:
                self.save_session(activity_id, summary)
            pending = [p for p in self.state("pending") or [] if p != activity_id]
            self.store.save_state(self.athlete.id, SOURCE, "pending", pending)

    def save_part(self, activity_id: str, part: str, data: Any) -> None:
        with self.store.transaction():
            self.store.save_raw(
                SOURCE,
                activity_id,
                athlete=self.athlete.id,
                part=part,
                decoder=STRAVA_NORMALISER,
                payload=json.dumps(data).encode(),
                status="ok" if data is not None else "skipped",
            )


def shared_budget(store: Store, settings: StravaSettings) -> RateBudget:
    """The app's rate budget, counted in the store: every worker draws from it."""
    return RateBudget(settings.reserve_15min, settings.reserve_daily, store=store, limit_15min=settings.limit_15min,
                      limit_daily=settings.limit_daily)  # fmt: skip


def sync_strava(
    store: Store,
    athletes: list[Athlete],
    settings: StravaSettings,
    secrets: Secrets,
    *,
    now: datetime,
    report: SyncReport,
    save: SaveSession,
) -> None:
    """New activities for every athlete first, then the histories in turn, until done or the budget is spent."""
    resume = store.state(APP_WIDE, SOURCE, "resume_after")
    if resume and datetime.fromisoformat(resume) > now:
        report.errors.append(
            StravaRateLimited(
                f"Strava rate limit reached earlier; resuming after {resume}", datetime.fromisoformat(resume)
            )
        )
        return
    creds = ensure_credentials(settings, secrets)
    budget = shared_budget(store, settings)
    session = budgeted_session(budget, settings.timeout_s)
    syncs = [
        AthleteSync(
            store,
            athlete,
            make_api(settings, lambda c, a=athlete.id: TokenKeeper(c, secrets, creds, a), budget, session, now=now),
            per_page=settings.per_page,
            now=now,
            report=report,
            save=save,
        )
        for athlete in athletes
    ]
    try:
        active = [s for s in syncs if s.guarded(s.sync_new)]
        while active:
            active = [s for s in active if s.guarded(s.backfill_page)]
        resume_after = None
    except StravaRateLimited as error:
        report.errors.append(error)
        resume_after = error.resume_at.isoformat(timespec="seconds")
    finally:
        session.close()
        report.strava["calls"] = report.strava.get("calls", 0) + budget.calls
    for athlete_sync in syncs:
        athlete_sync.finish()
    with store.transaction():
        store.save_state(APP_WIDE, SOURCE, "resume_after", resume_after)
        if budget.capacity is not None:
            store.save_state(APP_WIDE, SOURCE, CAPACITY, list(budget.capacity))


def sync_strava_athletes(
    store: Store, athletes: list[Athlete], config: Config, *, now: datetime, report: SyncReport, save: SaveSession
) -> None:
    """Open the secrets store (a missing keyring is an auth error, reported, not a silent fallback), then sync."""
    try:
        secrets = open_secrets(config)
        sync_strava(store, athletes, config.strava, secrets, now=now, report=report, save=save)
    except RunsyncError as error:
        report.errors.append(error)


def strava_state(store: Store, athlete: Athlete, secrets: Callable[[], Secrets], now: datetime) -> dict[str, Any]:
    """The athlete's Strava sync state and token state (ok, expiring, missing, revoked, refused: Strava answered
    403, unknown) — never the token."""
    pending = store.state(athlete.id, SOURCE, "pending") or []
    problem, refused = store.state(athlete.id, SOURCE, "auth_error"), store.state(athlete.id, SOURCE, REFUSED)
    try:
        token = load_token(secrets(), athlete.id)
    except RunsyncError as error:
        token_state = f"unknown ({str(error).split(';')[0]})"
    else:
        token_state = ("missing" if token is None else "refused" if refused else "revoked" if problem
                       else token.state(now))  # fmt: skip
    used_limit = store.state(APP_WIDE, SOURCE, CAPACITY)
    state = {
        "source": SOURCE,
        "last_sync": store.state(athlete.id, SOURCE, "last_sync"),
        "pending": len(pending),
        "history_complete": store.state(athlete.id, SOURCE, "backfill_before") is None,
        "token": token_state,
        "app_capacity": {"connected": used_limit[0], "limit": used_limit[1]} if used_limit else None,
    }
    if token_state in ("refused", "revoked"):
        state["problem"] = problem
    return state


def strava_status(store: Store, athlete: Athlete, secrets: Callable[[], Secrets], now: datetime) -> str:
    """'strava (last sync …, N pending, history incomplete, token ok)' — never the token."""
    state = strava_state(store, athlete, secrets, now)
    parts = [f"last sync {state['last_sync']}" if state["last_sync"] else "never synced", f"{state['pending']} pending"]
    if not state["history_complete"]:
        parts.append("history incomplete")
    return f"strava ({', '.join(parts)}, token {state['token']})"
