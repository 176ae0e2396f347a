"""Easy / moderate / hard per run, with the basis used: HR against the athlete's max or LTHR, pace against
threshold pace or critical speed (configured, or estimated from the athlete's own best efforts), an interval set,
a sustained tempo, or a race.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from runsync.analysis.intervals import IntervalSet
from runsync.analysis.stream import Blocks
from runsync.model import Session

LEVELS = ("easy", "moderate", "hard")


@dataclass(frozen=True)
class Thresholds:
    max_hr: float | None = None
    lthr: float | None = None
    cs_mps: float | None = None
    cs_basis: str | None = None  # "critical speed" | "threshold pace" | "critical speed estimated from best efforts"
    resting_hr: float | None = None
    hr_basis: str | None = None  # "max HR" | "max HR estimated from the highest seen"


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


def classify(
    session: Session,
    blocks: Blocks,
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
    return _hard(blocks, thresholds, params) or _easy_or_moderate(blocks, thresholds, params)


def _hard(blocks: Blocks, th: Thresholds, p: IntensityParams) -> Intensity | None:
    minutes = {}
    if th.max_hr:
        of = "max" if th.hr_basis in (None, "max HR") else f"the {th.hr_basis}"
        minutes[f"HR ≥ {p.hard_hr_fraction:.0%} of {of}"] = blocks.seconds(blocks.hr >= p.hard_hr_fraction * th.max_hr)
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
    easy = easy_time(blocks, th, p, is_run=True)
    if easy is None:
        return None
    share = easy.easy_s / easy.basis_s
    if easy.basis == "hr":
        limit = p.easy_hr_fraction * th.max_hr if th.max_hr else p.easy_lthr_fraction * (th.lthr or 0)
        estimated = th.max_hr and th.hr_basis not in (None, "max HR")
        label = f"HR below {limit:.0f}" + (f" ({p.easy_hr_fraction:.0%} of the {th.hr_basis})" if estimated else "")
    else:
        label = f"slower than {p.easy_speed_fraction:.0%} of {th.cs_basis}"
    level = "easy" if share >= p.easy_share else "moderate"
    return Intensity(level, (easy.basis, blocks.source), f"{share:.0%} of moving time {label}")


@dataclass(frozen=True)
class EasyTime:
    easy_s: float  # moving seconds below the first threshold ...
    basis_s: float  # ... out of these moving seconds (> 0)
    basis: str  # hr | pace


def easy_time(blocks: Blocks, th: Thresholds, p: IntensityParams, is_run: bool) -> EasyTime | None:
    """Moving seconds below the first threshold: by HR when most moving time has it (< 80 % of max HR, or < 88 % of
    LTHR), else by pace for runs (slower than 0.80 × critical speed); None when neither can be told."""
    moving = blocks.moving & (blocks.duration_s > 0)
    limit = p.easy_hr_fraction * th.max_hr if th.max_hr else (p.easy_lthr_fraction * th.lthr if th.lthr else None)
    known_hr = moving & np.isfinite(blocks.hr)
    if limit and blocks.seconds(known_hr) > 0 and blocks.seconds(known_hr) >= 0.5 * blocks.seconds(moving):
        return EasyTime(blocks.seconds(known_hr & (blocks.hr < limit)), blocks.seconds(known_hr), "hr")
    known_speed = moving & np.isfinite(blocks.speed_mps)
    if is_run and th.cs_mps and blocks.seconds(known_speed) > 0:
        easy = known_speed & (blocks.speed_mps < p.easy_speed_fraction * th.cs_mps)
        return EasyTime(blocks.seconds(easy), blocks.seconds(known_speed), "pace")
    return None
