"""The save step every source shares: the same activity from the watch, an export, Strava or Garmin becomes one
session with every provenance.

Match: same athlete, compatible sport, UTC start within ±120 s, distance within 5 % (or the same service id). The
richest copy's laps, samples and numbers win (an original FIT file, then GPX or TCX, then the API's streams);
Strava's name and every source's id are kept. The result does not depend on which copy arrived first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from runsync.model import RUN_SPORTS, Session, Source
from runsync.store import Store, unpack_samples

if TYPE_CHECKING:
    from runsync.analysis.efforts import Efforts
    from runsync.analysis.session import SessionAnalysis

SERVICES = ("strava", "garmin", "intervals")  # sources whose ids name one activity: a shared id is the same session
START_TOLERANCE = timedelta(seconds=120)
DISTANCE_TOLERANCE = 0.05
_RANK = {"fit": 0, "gpx": 1, "tcx": 1, "strava": 2, "garmin": 2, "intervals": 2, "manual": 3}


def _rank(session: Session) -> int:
    return min((_RANK.get(s.kind, 9) for s in session.sources), default=9)


def _same_sport(a: Session, b: Session) -> bool:
    return a.sport == b.sport or (a.sport in RUN_SPORTS and b.sport in RUN_SPORTS)


def _same_distance(a: Session, b: Session) -> bool:
    da, db = a.distance_m or 0.0, b.distance_m or 0.0
    if max(da, db) < 50:  # no distance on either side (strength, pool without laps): start time decides
        return max(da, db) == 0 or abs(da - db) < 50
    return abs(da - db) <= DISTANCE_TOLERANCE * max(da, db)


def is_duplicate(a: Session, b: Session) -> bool:
    return (
        a.athlete == b.athlete
        and a.id != b.id
        and abs(a.start - b.start) <= START_TOLERANCE
        and _same_sport(a, b)
        and _same_distance(a, b)
    )


def find_duplicate(session: Session, candidates: list[Session]) -> Session | None:
    """The stored session `session` duplicates (closest start first), or None."""
    matches = [c for c in candidates if is_duplicate(session, c)]
    return min(matches, key=lambda c: abs(c.start - session.start), default=None)


def merge(existing: Session, incoming: Session) -> Session:
    """One session from two copies of the same activity; FIT data wins, Strava's name and id are kept."""
    primary, other = sorted((existing, incoming), key=lambda s: (_rank(s), s.id))  # ties: the same winner either way
    named = next((s for s in (incoming, existing) if any(src.kind == "strava" for src in s.sources)), None)
    sources: dict[tuple[str, str], Source] = {}
    for src in (*primary.sources, *other.sources, *incoming.sources):
        sources[(src.kind, src.id)] = src
    return primary.replace(
        name=(named.name if named and named.name else None) or primary.name or other.name,
        workout_type=primary.workout_type if primary.workout_type != "none" else other.workout_type,
        sources=tuple(sorted(sources.values(), key=lambda s: (_RANK.get(s.kind, 9), s.id))),
    )


def save_merged(store: Store, session: Session, packed: tuple[int, bytes | None] | None = None,
                analysis: SessionAnalysis | Efforts | None = None, content: str | None = None) -> bool:  # fmt: skip
    """Save `session`, folding it into a stored copy of the same activity from another source (the same service id,
    else start ±120 s and distance ±5 %). True if merged. `packed`: the session's samples already packed, used when
    it is saved as it is. `analysis`: computed from the session's content `content`; saved if what is stored has the
    same content (else the refresh after the import recomputes it)."""
    duplicate = _same_service_activity(store, session) or _same_activity(store, session)
    if duplicate is None:
        saved, stored_id = store.save_session(session, packed), session.id
    else:
        if packed is not None and session.samples is None:  # a worker sent the samples packed
            session = session.replace(samples=unpack_samples(*packed))
        stored = store.session(duplicate.id, samples=True)
        merged = merge(stored, session)
        if merged.id != stored.id:
            store.delete_session(stored.id)
        saved, stored_id = store.save_session(merged), merged.id
    if analysis is not None and saved == content:
        from runsync.analysis.refresh import save_analysis

        save_analysis(store, stored_id, saved, analysis)
    return duplicate is not None


def _same_service_activity(store: Store, session: Session) -> Session | None:
    for source in (s for s in session.sources if s.kind in SERVICES):
        for found in store.session_ids_for_source(source.kind, source.id):
            if found != session.id:
                return store.session(found, samples=False)
    return None


def _same_activity(store: Store, session: Session) -> Session | None:
    window = (session.start - START_TOLERANCE, session.start + START_TOLERANCE)
    candidates = [s for s in store.sessions(session.athlete, start_between=window) if s.id != session.id]
    return find_duplicate(session, candidates)
