"""Planned vs done: which session did each planned workout, and a week's plan against the week as run.

A planned workout is done by a session of the same local day and sport family (any run for a planned run): the one
the service paired with it when it did (intervals.icu's `paired_activity_id`, matched through the session's
intervals.icu id), else the one closest in duration. Each session does one planned workout at most. A key workout
(intervals, tempo, long run) counts as done only by a session that was not easy: an easy jog on a key day is that
session done as something else.

Loads are compared on intervals.icu's own scale (its planned load against its load of the activities that did the
plan); runsync's TRIMP is another scale and is never mixed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from runsync.model import RUN_SPORTS, PlannedWorkout, Session


def _family(sport: str) -> str:
    return "run" if sport in RUN_SPORTS else sport


def match_planned(planned: list[PlannedWorkout], sessions: list[Session]) -> dict[str, Session]:
    """Planned workout id → the session that did it (those without one are left out)."""
    by_day: dict[date, list[Session]] = {}
    for session in sessions:
        by_day.setdefault(session.local_date, []).append(session)
    used: set[str] = set()
    found: dict[str, Session] = {}
    for workout in sorted(planned, key=lambda w: (w.day, w.done is None, w.id)):
        candidates = [s for s in by_day.get(workout.day, []) if s.id not in used]
        paired = [s for s in candidates if workout.done and any(x.id == workout.done for x in s.sources)]
        same = paired or [s for s in candidates if _family(s.sport) == _family(workout.sport)]
        if not same:
            continue
        chosen = min(same, key=lambda s: abs((s.moving_s or 0) - (workout.moving_s or s.moving_s or 0)))
        used.add(chosen.id)
        found[workout.id] = chosen
    return found


@dataclass
class PlanWeek:
    """One week's plan against what was done (distance and time of the planned sports; load on intervals.icu's
    scale, None when unknown on either side)."""

    week: date
    planned: int = 0
    done: int = 0  # planned workouts done
    planned_distance_m: float = 0.0
    done_distance_m: float = 0.0
    planned_s: float = 0.0
    done_s: float = 0.0
    planned_load: float | None = None
    done_load: float | None = None
    key_planned: list[PlannedWorkout] = field(default_factory=list)
    key_missed: list[PlannedWorkout] = field(default_factory=list)
    key_changed: list[tuple[PlannedWorkout, Session]] = field(default_factory=list)  # done as something else

    @property
    def distance_pct(self) -> float | None:
        return 100 * self.done_distance_m / self.planned_distance_m if self.planned_distance_m else None

    @property
    def time_pct(self) -> float | None:
        return 100 * self.done_s / self.planned_s if self.planned_s else None

    @property
    def load_pct(self) -> float | None:
        if self.planned_load and self.done_load is not None:
            return 100 * self.done_load / self.planned_load
        return None


def plan_week(week: date, planned: list[PlannedWorkout], sessions: list[Session], *, today: date,
              level: Callable[[Session], str | None],
              service_load: Callable[[Session], float | None]) -> PlanWeek | None:  # fmt: skip
    """The week from `week` (its first local day) to the day before the next; None when nothing was planned.
    `sessions`: the week's sessions; `level(session)`: easy | moderate | hard | None; `service_load(session)`: the
    load intervals.icu gave the activity. A planned workout later than `today` is not yet due and is left out."""
    due = [w for w in planned if w.day <= today]
    if not due:
        return None
    done = match_planned(due, sessions)
    families = {_family(w.sport) for w in due}
    ran = [s for s in sessions if _family(s.sport) in families]
    result = PlanWeek(week=week, planned=len(due), done=len(done))
    result.planned_distance_m = sum(w.distance_m or 0.0 for w in due)
    result.planned_s = sum(w.moving_s or 0.0 for w in due)
    result.done_distance_m = sum(s.distance_m or 0.0 for s in ran)
    result.done_s = sum(s.moving_s or 0.0 for s in ran)
    loads = [w.load for w in due if w.load is not None]
    result.planned_load = sum(loads) if loads else None
    done_loads = [service_load(s) for s in ran]
    result.done_load = sum(x for x in done_loads if x is not None) if any(x is not None for x in done_loads) else None
    for workout in due:
        if not workout.key:
            continue
        result.key_planned.append(workout)
        session = done.get(workout.id)
        if session is None:
            result.key_missed.append(workout)
        elif level(session) == "easy":
            result.key_changed.append((workout, session))
    return result
