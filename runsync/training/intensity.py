"""Easy / moderate / hard per run, with the basis used: HR against the athlete's max or LTHR, pace against
threshold pace or critical speed (configured, or estimated from the athlete's own best efforts), an interval set,
a sustained tempo, or a race.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from runsync.config import Athlete
from runsync.model import Session
from runsync.training.intervals import IntervalSet
from runsync.training.stream import Blocks, to_blocks, to_grid

LEVELS = ("easy", "moderate", "hard")


@dataclass(frozen=True)
class Thresholds:
    max_hr: float | None = None
    lthr: float | None = None
    cs_mps: float | None = None
    cs_basis: str | None = None  # "critical speed" | "threshold pace" | "critical speed estimated from best efforts"


@dataclass(frozen=True)
class IntensityParams:
    hard_hr_fraction: float = 0.88  # of max HR
    hard_lthr_fraction: float = 0.94  # of LTHR
    hard_minutes: float = 10.0  # above the hard HR or faster than critical speed for this long
    tempo_fraction: float = 0.90  # of critical speed
    tempo_minutes: float = 20.0
    easy_hr_fraction: float = 0.80  # of max HR: the first threshold
    easy_lthr_fraction: float = 0.88  # of LTHR, when only LTHR is known
    easy_speed_fraction: float = 0.80  # of critical speed
    easy_share: float = 0.90  # of moving time below the first threshold


INTENSITY_LIMITS: dict[str, tuple[float, float]] = {
    "hard_hr_fraction": (0.5, 1.2),
    "hard_lthr_fraction": (0.5, 1.3),
    "hard_minutes": (1, 300),
    "tempo_fraction": (0.5, 1.5),
    "tempo_minutes": (1, 300),
    "easy_hr_fraction": (0.4, 1.0),
    "easy_lthr_fraction": (0.4, 1.1),
    "easy_speed_fraction": (0.3, 1.5),
    "easy_share": (0.5, 1.0),
}


@dataclass(frozen=True)
class Intensity:
    level: str  # easy | moderate | hard
    basis: tuple[str, ...]  # hr, pace, laps, stream, race, ...
    reason: str


def thresholds_for(athlete: Athlete | None, sessions: Iterable[Session] = ()) -> Thresholds:
    """The athlete's configured thresholds; without a pace threshold, critical speed from their best efforts."""
    max_hr, lthr = (athlete.max_hr, athlete.lthr) if athlete else (None, None)
    if athlete and athlete.critical_speed_mps:
        return Thresholds(max_hr, lthr, athlete.critical_speed_mps, "critical speed")
    if athlete and athlete.threshold_pace_s_per_km:
        return Thresholds(max_hr, lthr, 1000 / athlete.threshold_pace_s_per_km, "threshold pace")
    estimate = estimate_critical_speed(sessions)
    return Thresholds(max_hr, lthr, estimate, "critical speed estimated from best efforts" if estimate else None)


def estimate_critical_speed(sessions: Iterable[Session]) -> float | None:
    """Two-parameter model over the best 3- and 12-minute efforts (d = CS·t + D'), floored at 1.2 × the typical
    run speed so an athlete who never ran hard does not have every easy run called hard."""
    runs = [s for s in sessions if s.is_run]
    best3 = best12 = 0.0
    for session in runs:
        grid = to_grid(session.samples)
        if grid is not None:
            best3, best12 = max(best3, _best(grid["distance_m"], 180)), max(best12, _best(grid["distance_m"], 720))
    speeds = [s.distance_m / s.moving_s for s in runs if s.distance_m and s.moving_s and s.moving_s > 600]
    floor = 1.2 * float(np.median(speeds)) if speeds else None
    model = (best12 - best3) / 540 if best12 > best3 > 0 else None
    candidates = [v for v in (model, floor) if v]
    return max(candidates) if candidates else None


def _best(distance, seconds: int) -> float:  # noqa: ANN001 - a Series on the 1 s grid
    values = distance.to_numpy()
    return float(np.max(values[seconds:] - values[:-seconds])) if len(values) > seconds else 0.0


def classify(
    session: Session,
    thresholds: Thresholds,
    params: IntensityParams | None = None,
    intervals: IntervalSet | None = None,
) -> Intensity | None:
    """None for sessions that are not runs, or when neither HR thresholds nor a pace threshold are known."""
    params = params or IntensityParams()
    if not session.is_run:
        return None
    if session.workout_type == "race":
        return Intensity("hard", ("race",), "a race")
    if intervals is not None:
        reps = f"{len(intervals.reps)} × {intervals.rep_distance_m:.0f} m"
        return Intensity("hard", (intervals.basis,), f"interval set {reps} (from {intervals.basis})")
    blocks = to_blocks(session)
    return _hard(blocks, thresholds, params) or _easy_or_moderate(blocks, thresholds, params)


def _hard(blocks: Blocks, th: Thresholds, p: IntensityParams) -> Intensity | None:
    minutes = {}
    if th.max_hr:
        minutes[f"HR ≥ {p.hard_hr_fraction:.0%} of max"] = blocks.seconds(blocks.hr >= p.hard_hr_fraction * th.max_hr)
    if th.lthr:
        minutes[f"HR ≥ {p.hard_lthr_fraction:.0%} of LTHR"] = blocks.seconds(
            blocks.hr >= p.hard_lthr_fraction * th.lthr
        )
    for label, seconds in minutes.items():
        if seconds >= p.hard_minutes * 60:
            return Intensity("hard", ("hr", blocks.source), f"{label} for {seconds / 60:.0f} min")
    if th.cs_mps:
        above = blocks.seconds(blocks.speed_mps > th.cs_mps)
        if above >= p.hard_minutes * 60:
            return Intensity("hard", ("pace", blocks.source), f"faster than {th.cs_basis} for {above / 60:.0f} min")
        tempo = blocks.seconds(blocks.speed_mps >= p.tempo_fraction * th.cs_mps)
        if tempo >= p.tempo_minutes * 60:
            label = f"tempo {tempo / 60:.0f} min at ≥ {p.tempo_fraction:.0%} of {th.cs_basis}"
            return Intensity("hard", ("pace", blocks.source), label)
    return None


def _easy_or_moderate(blocks: Blocks, th: Thresholds, p: IntensityParams) -> Intensity | None:
    moving = np.nan_to_num(blocks.speed_mps, nan=1.0) > 0.5
    limit = p.easy_hr_fraction * th.max_hr if th.max_hr else (p.easy_lthr_fraction * th.lthr if th.lthr else None)
    known_hr = moving & ~np.isnan(blocks.hr)
    if limit and blocks.seconds(known_hr) > 0 and blocks.seconds(known_hr) >= 0.5 * blocks.seconds(moving):
        share = blocks.seconds(known_hr & (blocks.hr < limit)) / blocks.seconds(known_hr)
        basis, label = "hr", f"HR below {limit:.0f}"
    elif th.cs_mps and blocks.seconds(moving) > 0:
        share = blocks.seconds(moving & (blocks.speed_mps < p.easy_speed_fraction * th.cs_mps)) / blocks.seconds(moving)
        basis, label = "pace", f"slower than {p.easy_speed_fraction:.0%} of {th.cs_basis}"
    else:
        return None
    level = "easy" if share >= p.easy_share else "moderate"
    return Intensity(level, (basis, blocks.source), f"{share:.0%} of moving time {label}")
