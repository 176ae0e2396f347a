"""Dedupe (pure): the same activity from the watch and from Strava becomes one session with both provenances.

Match: same athlete, compatible sport, UTC start within ±120 s, distance within 5 %. The richest copy's laps,
samples and numbers win (an original FIT file, then GPX or TCX, then the API's streams); Strava's name and every
source's id are kept. The result does not depend on which copy arrived first.
"""

from __future__ import annotations

from datetime import timedelta

from runsync.model import RUN_SPORTS, Session, Source

START_TOLERANCE = timedelta(seconds=120)
DISTANCE_TOLERANCE = 0.05
_RANK = {"fit": 0, "gpx": 1, "tcx": 1, "strava": 2, "garmin": 2, "manual": 3}


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
