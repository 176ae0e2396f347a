"""Disconnecting Strava: `runsync auth strava ATHLETE --revoke` and the webhook's deauthorisation event.

Strava's deauthorisation endpoint (POST /oauth/deauthorize) is the supported way to disconnect (the only one from
June 2027). After it, runsync keeps none of that athlete's Strava data: the tokens are deleted, sessions whose only
source is Strava are removed, and the Strava provenance (ids, names, raw JSON) is stripped from the rest. Copies that
came from the athlete's own watch files, Garmin download or export archives stay, with every other source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from runsync.model import Session
from runsync.store import Store

SOURCE = "strava"


def strava_only(session: Session) -> bool:
    """A session whose every source is Strava's API (no watch file, Garmin download or archive copy)."""
    return bool(session.sources) and all(s.kind == SOURCE for s in session.sources)


@dataclass
class Removal:
    """What disconnecting Strava removes from the store for one athlete."""

    athlete: str
    sessions: list[Session] = field(default_factory=list)  # removed: Strava was their only source
    stripped: list[Session] = field(default_factory=list)  # kept (another source has them), Strava ids removed
    raw_payloads: int = 0

    def lines(self, planned: bool = False) -> list[str]:
        out = [f"remove {s.local_date} {s.sport} {s.name or ''} ({s.id}): Strava is its only source".rstrip()
               for s in self.sessions]  # fmt: skip
        out += [f"keep {s.local_date} {s.sport} ({s.id}) from {_others(s)}; its Strava id and name are removed"
                for s in self.stripped]  # fmt: skip
        done = ("would be removed", "would be kept", "would be deleted") if planned else ("removed", "kept", "deleted")
        out.append(f"{len(self.sessions)} Strava-only sessions {done[0]}, {len(self.stripped)} {done[1]} without "
                   f"their Strava provenance, {self.raw_payloads} raw Strava payloads {done[2]}")  # fmt: skip
        return out


def _others(session: Session) -> str:
    return ", ".join(sorted({s.kind for s in session.sources} - {SOURCE}))


def plan_removal(store: Store, athlete: str) -> Removal:
    """What removing the athlete's Strava data would do (nothing is changed)."""
    removal = Removal(athlete)
    for session in store.sessions(athlete):
        if strava_only(session):
            removal.sessions.append(session)
        elif any(s.kind == SOURCE for s in session.sources):
            removal.stripped.append(session)
    removal.raw_payloads = len(store.raw_records(source=SOURCE, athlete=athlete))
    return removal


def remove_strava_data(store: Store, athlete: str, *, now: datetime, why: str) -> Removal:
    """Remove the athlete's Strava-only sessions, Strava provenance and raw payloads, in one transaction, and record
    when and why (shown by `runsync status`)."""
    removal = plan_removal(store, athlete)
    with store.transaction():
        for session in removal.sessions:
            store.delete_session(session.id)
        for session in removal.stripped:
            store.db.execute("DELETE FROM session_sources WHERE session_id = ? AND kind = ?", (session.id, SOURCE))
        store.db.execute("DELETE FROM raw_payloads WHERE source = ? AND source_id IN (SELECT source_id FROM raw"
                         " WHERE source = ? AND athlete = ?)", (SOURCE, SOURCE, athlete))  # fmt: skip
        store.db.execute("DELETE FROM raw WHERE source = ? AND athlete = ?", (SOURCE, athlete))
        for key in ("pending", "newest_start", "backfill_before", "last_sync"):
            store.save_state(athlete, SOURCE, key, None)
        store.save_state(athlete, SOURCE, "disconnected", f"{now:%Y-%m-%d %H:%M} UTC ({why}): "
                                                          f"{len(removal.sessions)} sessions removed")  # fmt: skip
    return removal
