"""Intensity for listings (`runsync sessions`): each athlete's thresholds judged from their stored history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from runsync.config import Config
from runsync.model import Session
from runsync.rules import RuleContext
from runsync.store import Store

HISTORY_DAYS = 90  # best efforts for an estimated critical speed come from this far back


def intensity_lookup(config: Config, store: Store, sessions: list[Session]) -> Callable[[Session], str | None]:
    """Session → easy | moderate | hard | None, computed once per session (samples loaded per athlete)."""
    levels: dict[str, str | None] = {}
    for athlete_id in dict.fromkeys(s.athlete for s in sessions):
        athlete = config.athletes.get(athlete_id)
        mine = [s for s in sessions if s.athlete == athlete_id]
        if athlete is None or not mine:
            continue
        first, last = min(s.local_date for s in mine), max(s.local_date for s in mine)
        history = store.sessions(athlete_id, since=first - timedelta(days=HISTORY_DAYS), until=last, samples=True)
        ctx = RuleContext(athlete, history)
        wanted = {s.id for s in mine}
        for session in history:
            if session.id in wanted:
                found = ctx.intensity(session)
                levels[session.id] = found.level if found else None
    return lambda session: levels.get(session.id)
