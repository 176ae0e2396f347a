"""Helpers for plugin authors' tests: build sessions without a watch and run one rule the way the audit does.

from runsync.testing import make_session, run_rule

runs = [make_session(day=f"2026-10-{d:02d}", km=10, pace_s_per_km=240) for d in (5, 6, 7)]
findings = run_rule(MyRule, runs, config={"threshold": 3})
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from runsync.analysis import analysis_settings
from runsync.config import Athlete, Config
from runsync.model import Finding, Lap, PlannedWorkout, Session, Source, WellnessDay
from runsync.rules import Rule, RuleContext, rule_config

_ids = itertools.count(1)


def make_session(
    *,
    day: date | str = "2026-10-05",
    at: time | str = "07:00",
    km: float | None = 10.0,
    pace_s_per_km: float | None = 300.0,
    sport: str = "run",
    athlete: str = "test",
    utc_offset_s: int = 0,
    minutes: float | None = None,
    laps: Iterable[Lap] = (),
    **fields: Any,
) -> Session:
    """A session on a local `day` at local time `at`; moving time from `km` × `pace_s_per_km` (or `minutes`).
    Any Session field (avg_hr, workout_type, samples, name, id, ...) may be given as a keyword."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    at = time.fromisoformat(at) if isinstance(at, str) else at
    local = datetime.combine(day, at)
    moving = minutes * 60 if minutes is not None else (km * pace_s_per_km if km and pace_s_per_km else None)
    number = next(_ids)
    fields.setdefault("id", f"test-{number}")
    return Session(
        athlete=athlete,
        sport=sport,
        start=(local - timedelta(seconds=utc_offset_s)).replace(tzinfo=UTC),
        utc_offset_s=utc_offset_s,
        distance_m=km * 1000 if km is not None and sport != "strength" else None,
        moving_s=moving,
        elapsed_s=fields.pop("elapsed_s", moving),
        laps=tuple(laps),
        sources=fields.pop("sources", (Source("manual", f"test-{number}"),)),
        **fields,
    )


def run_rule(
    rule: Rule | type[Rule],
    sessions: Iterable[Session],
    config: dict[str, Any] | None = None,
    athlete: Athlete | None = None,
    now: datetime | None = None,
    wellness: Iterable[WellnessDay] = (),
    planned: Iterable[PlannedWorkout] = (),
) -> list[Finding]:
    """The rule's findings over `sessions`, with `config` overlaid on its defaults (checked like [rules.<id>]).
    Each session is analysed from its samples as the store would (intensity, intervals, zones, load, with the
    athlete's thresholds). `now` defaults to a day after the last session (never the clock). Exceptions propagate,
    so a test shows them. `wellness`, `planned`: the days and planned workouts the rule sees (ctx.wellness,
    ctx.planned)."""
    rule = rule() if isinstance(rule, type) else rule
    chosen = list(sessions)
    athlete = athlete or Athlete(id=chosen[0].athlete if chosen else "test", name="Test")
    now = now or (max((s.start for s in chosen), default=datetime(2026, 1, 1, tzinfo=UTC)) + timedelta(days=1))
    full = Config(rules={rule.id: dict(config or {})})
    ctx = RuleContext(athlete, chosen, rule_config(rule, full), now, settings=analysis_settings(full, athlete),
                      wellness=sorted(wellness, key=lambda d: d.day), planned=sorted(planned, key=lambda p: p.day))
    return list(rule.check(ctx))
