"""Strava's push: webhook events in, jobs out; then, in a worker, the one activity an event names.

Strava signs nothing, so an event is trusted for its ids only: it must carry our subscription id and the Strava id
of an athlete who authorised us, and then it only says *which* activity to fetch (through the API, with the
athlete's token) or which athlete withdrew access. An event is stored (deduplicated: Strava retries a delivery it
did not see acknowledged) together with its job in one transaction before the answer, so a worker that is down
loses nothing. An athlete's queued activity jobs are capped: past the cap one sync of the athlete's new activities
stands for the rest, so a flood of made-up activity ids cannot grow the queue or spend the rate budget.

Jobs, as a worker runs them:
- `activity` (created or updated): the activity's detail (1 call; laps and the summary fields) and, for a run not
  already made from a watch file, its streams (1 call); saved, merged, analysed like any other.
- `delete`: its session goes (or, when a watch file or another service holds it too, only the Strava source);
  findings already recorded stay, and the raw payloads stay marked as deleted (the audit trail).
- `deauth`: the athlete's tokens are removed from the secrets store, the athlete's queued Strava jobs are dropped,
  and `runsync status` says that the athlete withdrew access.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from stravalib import exc

from runsync.config import Athlete, Config
from runsync.config.secrets import open_secrets
from runsync.errors import AuthError, ConfigError, RunsyncError, TemporaryError
from runsync.sources.strava.client import StravaRateLimited, budgeted_session, make_api
from runsync.sources.strava.oauth import TokenKeeper, ensure_credentials, reauth_hint, token_key
from runsync.sources.strava.sync import APP_WIDE, OWNER_ID, SOURCE, AthleteSync, SaveSession, shared_budget
from runsync.store import Store
from runsync.store.jobs import Job, JobQueue
from runsync.store.rows import now_iso

if TYPE_CHECKING:
    from runsync.sources.report import SyncReport

MAX_BODY_BYTES = 4096  # a real event is about 300 bytes
MAX_QUEUED_PER_ATHLETE = 50  # activity jobs queued per athlete; past it, one sync job stands for the rest
SUBSCRIPTION_ID = "subscription_id"  # sync_state (application-wide): the id `runsync strava subscribe` got
_ASPECTS = ("create", "update", "delete")
_DETAIL_ONLY = ("laps", "splits_metric", "splits_standard", "segment_efforts", "best_efforts", "photos")


class BadEvent(ValueError):
    """Not an event Strava sends (the reason is for the log; the sender gets a plain 400)."""


@dataclass(frozen=True)
class Event:
    object_type: str  # activity | athlete
    object_id: int
    aspect_type: str  # create | update | delete
    owner_id: int
    subscription_id: int
    event_time: int
    updates: dict[str, str] = field(default_factory=dict)

    @property
    def dedup(self) -> str:
        """The same delivery, retried, has the same key."""
        updates = json.dumps(self.updates, sort_keys=True, separators=(",", ":"))
        return (f"{self.subscription_id}:{self.object_type}:{self.object_id}:{self.aspect_type}:{self.owner_id}"
                f":{self.event_time}:{updates}")  # fmt: skip

    @property
    def job_kind(self) -> str | None:
        if self.object_type == "activity":
            return "delete" if self.aspect_type == "delete" else "activity"
        if self.aspect_type == "update" and str(self.updates.get("authorized", "")).lower() == "false":
            return "deauth"
        return None  # other athlete updates name nothing runsync keeps


def _id(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if type(value) is not int or not 0 < value < 2**63:
        raise BadEvent(f"{key}: expected a positive integer id")
    return value


def parse_event(body: bytes) -> Event:
    """The event in a POST body, checked field by field; BadEvent for anything else."""
    if len(body) > MAX_BODY_BYTES:
        raise BadEvent("body too large")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadEvent("not JSON") from None
    if not isinstance(data, dict):
        raise BadEvent("not a JSON object")
    object_type, aspect = data.get("object_type"), data.get("aspect_type")
    if object_type not in ("activity", "athlete"):
        raise BadEvent("object_type: expected activity or athlete")
    if aspect not in _ASPECTS:
        raise BadEvent("aspect_type: expected create, update or delete")
    updates = data.get("updates") or {}
    if not isinstance(updates, dict) or len(updates) > 16 or not all(
        isinstance(k, str) and isinstance(v, str | int | bool) and len(k) + len(str(v)) < 512
        for k, v in updates.items()
    ):  # fmt: skip
        raise BadEvent("updates: expected a small object of strings")
    event_time = data.get("event_time")
    if type(event_time) is not int or not 0 <= event_time < 2**40:
        raise BadEvent("event_time: expected epoch seconds")
    return Event(object_type, _id(data, "object_id"), aspect, _id(data, "owner_id"), _id(data, "subscription_id"),
                 event_time, {k: str(v) for k, v in updates.items()})  # fmt: skip


def athlete_of_owner(store: Store, owner_id: int) -> str | None:
    """Our athlete whose Strava id is `owner_id` (recorded when they authorised, and by every sync)."""
    row = store.db.execute("SELECT athlete FROM sync_state WHERE source = ? AND key = ? AND value = ? LIMIT 1",
                           (SOURCE, OWNER_ID, json.dumps(owner_id))).fetchone()  # fmt: skip
    return row[0] if row else None


def accept_event(store: Store, config: Config, event: Event) -> str:
    """Store the event and queue its job, in one transaction: 'queued', 'duplicate', or 'ignored: <why>'."""
    ours = store.state(APP_WIDE, SOURCE, SUBSCRIPTION_ID)
    if ours is None or event.subscription_id != ours:
        return "ignored: not our subscription"
    athlete = athlete_of_owner(store, event.owner_id)
    if athlete is None or athlete not in config.athletes:
        return "ignored: no athlete with this Strava id"
    kind = event.job_kind
    if kind is None:
        return "ignored: nothing to do"
    queue = JobQueue(store)
    with store.transaction():
        row = store.db.execute(
            "INSERT INTO webhook_events (source, dedup, athlete, object_type, object_id, aspect, event_time,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup) DO NOTHING RETURNING id",
            (SOURCE, event.dedup, athlete, event.object_type, str(event.object_id), event.aspect_type,
             event.event_time, now_iso()),
        ).fetchone()  # fmt: skip
        if row is None:
            return "duplicate"
        if kind == "activity" and queue.queued_count(athlete, "activity") >= MAX_QUEUED_PER_ATHLETE:
            job = queue.enqueue(athlete, SOURCE, "sync")  # the athlete's new activities, in pages: bounded
        else:
            job = queue.enqueue(athlete, SOURCE, kind, "" if kind == "deauth" else str(event.object_id))
        store.db.execute("UPDATE webhook_events SET job_id = ? WHERE id = ?", (job, row[0]))
    return "queued"


# --- the jobs, in a worker -------------------------------------------------------------------------------------


def run_event_job(store: Store, athlete: Athlete, job: Job, config: Config, *, now: datetime, report: SyncReport,
                  save: SaveSession) -> None:  # fmt: skip
    """One webhook job for `athlete` (the caller holds the athlete's lock); problems go to `report`."""
    try:
        if job.kind == "delete":
            delete_activity(store, athlete, job.object_id, now=now, report=report)
        elif job.kind == "deauth":
            deauthorise(store, athlete, config, now=now)
        elif job.kind == "activity":
            fetch_activity(store, athlete, job.object_id, config, now=now, report=report, save=save)
        else:
            raise ConfigError(f"{job.label}: unknown kind of Strava job")
    except RunsyncError as error:
        report.errors.append(error)


def fetch_activity(store: Store, athlete: Athlete, activity_id: str, config: Config, *, now: datetime,
                   report: SyncReport, save: SaveSession) -> None:  # fmt: skip
    """The activity an event named: detail (laps, summary fields), then streams for a run without a file."""
    settings = config.strava
    secrets = open_secrets(config)
    creds = ensure_credentials(settings, secrets)
    budget = shared_budget(store, settings)
    session = budgeted_session(budget, settings.timeout_s)
    api = make_api(settings, lambda c: TokenKeeper(c, secrets, creds, athlete.id), budget, session, now=now)
    sync = AthleteSync(store, athlete, api, per_page=settings.per_page, now=now, report=report, save=save)
    try:
        try:
            detail = api.fetch_activity(activity_id)
        except exc.ObjectNotFound:  # deleted (or made invisible to us) since the event
            delete_activity(store, athlete, activity_id, now=now, report=report)
            return
        if not isinstance(detail, dict) or str(detail.get("id")) != activity_id:
            raise TemporaryError(f"Strava answered activity {activity_id} with something else; try again later")
        sync.save_part(activity_id, "detail", detail)
        sync.save_summary({k: v for k, v in detail.items() if k not in _DETAIL_ONLY}, urgent=True)
        if activity_id in (sync.state("pending") or []):
            sync.complete(activity_id)
        report.strava["webhook activities"] = report.strava.get("webhook activities", 0) + 1
    except StravaRateLimited as error:
        report.errors.append(error)
    except exc.AccessUnauthorized:
        raise AuthError(f"Strava refused {athlete.id}'s token: {reauth_hint(athlete.id)}") from None
    finally:
        session.close()
        report.strava["calls"] = report.strava.get("calls", 0) + budget.calls


def delete_activity(store: Store, athlete: Athlete, activity_id: str, *, now: datetime, report: SyncReport) -> None:
    """The session made from this Strava activity goes; a session another source holds too keeps that source."""
    stamp = now.isoformat(timespec="seconds")
    with store.transaction():
        for session_id in store.session_ids_for_source(SOURCE, activity_id):
            found = store.session(session_id, samples=False)
            if found is None or found.athlete != athlete.id:
                continue
            if any(not (s.kind == SOURCE and s.id == activity_id) for s in found.sources):
                store.remove_source(session_id, SOURCE, activity_id)
            else:
                store.delete_session(session_id)
            report.changed_athletes.add(athlete.id)
        store.mark_raw(SOURCE, activity_id, status="deleted", error=f"deleted on Strava (event handled {stamp})")
        pending = store.state(athlete.id, SOURCE, "pending") or []
        if activity_id in pending:
            store.save_state(athlete.id, SOURCE, "pending", [p for p in pending if p != activity_id])
    report.strava["deleted"] = report.strava.get("deleted", 0) + 1


def deauthorise(store: Store, athlete: Athlete, config: Config, *, now: datetime) -> None:
    """The athlete withdrew runsync's access on Strava: forget the tokens, drop their queued Strava jobs, and remove
    their Strava-only data and Strava provenance (as `runsync auth strava --revoke` does)."""
    from runsync.sources.strava.revoke import remove_strava_data

    open_secrets(config).delete(token_key(athlete.id))
    remove_strava_data(store, athlete.id, now=now, why="deauthorised on Strava (webhook)")
    with store.transaction():
        withdrawn = f"{athlete.id} withdrew access on Strava ({now:%Y-%m-%d %H:%M} UTC): {reauth_hint(athlete.id)}"
        store.save_state(athlete.id, SOURCE, "auth_error", withdrawn)
        store.db.execute("UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE athlete = ?"
                         " AND source = ? AND status = 'queued'",
                         ("the athlete withdrew access on Strava", now_iso(), athlete.id, SOURCE))  # fmt: skip
