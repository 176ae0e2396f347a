"""Interval sets: ≥ 4 similar fast reps with recoveries, from structured laps, manual laps or the speed stream.

Rest is measured in ELAPSED seconds between one rep's end and the next rep's start, so a standing rest that the
watch's auto-pause hid from the timer still counts. GPS errs 3-6 %: a rep of 360-440 m is a 400.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from runsync.model import Lap, Session
from runsync.training.stream import to_grid

STANDARD_DISTANCES_M = (100, 150, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500, 1609, 2000, 3000, 5000)
REP_INTENSITIES = frozenset({"active", "interval"})
REST_INTENSITIES = frozenset({"rest", "recovery"})
AUTO_TRIGGERS = frozenset({"distance", "position", "time"})


@dataclass(frozen=True)
class IntervalParams:
    min_reps: int = 4
    enter_fraction: float = 0.90  # of critical speed: a rep starts above this
    leave_fraction: float = 0.80  # ... and ends below this
    min_rep_s: float = 30.0
    min_rest_s: float = 5.0
    similar_pct: float = 20.0  # reps within ± this of the set's median distance (or duration)


@dataclass(frozen=True)
class Rep:
    start_t: float  # elapsed seconds since the session start
    end_t: float
    distance_m: float
    duration_s: float

    @property
    def pace_s_per_km(self) -> float:
        return self.duration_s / self.distance_m * 1000 if self.distance_m > 0 else float("nan")


@dataclass(frozen=True)
class IntervalSet:
    reps: tuple[Rep, ...]
    rests_s: tuple[float, ...]
    basis: str  # laps | manual laps | stream

    @property
    def rep_distance_m(self) -> float:
        return standard_distance(float(np.median([r.distance_m for r in self.reps])))

    @property
    def paces_s_per_km(self) -> list[float]:
        return [r.pace_s_per_km for r in self.reps]


def standard_distance(distance_m: float, tolerance_pct: float = 10.0) -> float:
    """360-440 m → 400; a distance near no standard one is rounded to 10 m."""
    nearest = min(STANDARD_DISTANCES_M, key=lambda d: abs(d - distance_m))
    if abs(nearest - distance_m) <= nearest * tolerance_pct / 100:
        return float(nearest)
    return float(round(distance_m, -1))


def detect_intervals(
    session: Session, cs_mps: float | None, params: IntervalParams | None = None
) -> IntervalSet | None:
    """The session's main interval set, or None (a steady run with 1 km auto-laps is not one)."""
    params = params or IntervalParams()
    if not session.is_run:
        return None
    found = None
    if session.laps and not is_auto_lapped(session.laps):
        found = _from_laps(session, cs_mps, params)
    if found is None and cs_mps:
        found = _from_stream(session.samples, cs_mps, params)
    return found


def is_auto_lapped(laps: Sequence[Lap]) -> bool:
    """Laps the watch cut by itself: distance/time triggers, or (nearly) all 1 km or 1 mile long."""
    body = laps[:-1] if len(laps) > 1 else laps
    if any(lap.intensity in REST_INTENSITIES for lap in laps):
        return False
    if body and all(lap.trigger in AUTO_TRIGGERS for lap in body):
        return True
    distances = [lap.distance_m or 0 for lap in body]
    return len(body) >= 2 and any(all(abs(d - unit) < 0.03 * unit for d in distances) for unit in (1000, 1609.344))


def _from_laps(session: Session, cs_mps: float | None, params: IntervalParams) -> IntervalSet | None:
    laps = session.laps
    if any(lap.intensity in REST_INTENSITIES for lap in laps):
        fast = [lap.intensity in REP_INTENSITIES for lap in laps]
        basis = "laps"
    else:
        fast = _fast_laps(laps, cs_mps, params)
        basis = "manual laps"
    reps = [_lap_rep(session, lap) for lap, is_fast in zip(laps, fast, strict=True) if is_fast]
    return _best_set([r for r in reps if r.duration_s >= params.min_rep_s and r.distance_m > 0], params, basis)


def _fast_laps(laps: Sequence[Lap], cs_mps: float | None, params: IntervalParams) -> list[bool]:
    speeds = np.array([_speed(lap) for lap in laps], dtype=float)
    if np.isnan(speeds).all():
        return [False] * len(laps)
    top, bottom = np.nanmax(speeds), np.nanmin(speeds)
    cut = params.enter_fraction * cs_mps if cs_mps else (top + bottom) / 2
    if not cs_mps and top < 1.3 * bottom:
        return [False] * len(laps)
    return [bool(s >= cut) for s in np.nan_to_num(speeds)]


def _speed(lap: Lap) -> float:
    seconds = lap.timer_s or lap.elapsed_s
    if lap.avg_speed_mps:
        return lap.avg_speed_mps
    return lap.distance_m / seconds if lap.distance_m and seconds else float("nan")


def _lap_rep(session: Session, lap: Lap) -> Rep:
    start_t = (lap.start - session.start).total_seconds()
    moving = lap.timer_s or lap.elapsed_s
    return Rep(start_t, start_t + lap.elapsed_s, lap.distance_m or 0.0, moving)


def _from_stream(samples: pd.DataFrame | None, cs_mps: float, params: IntervalParams) -> IntervalSet | None:
    grid = to_grid(samples, smooth_s=3)
    if grid is None:
        return None
    spans = _hysteresis(grid["speed_mps"].to_numpy(), cs_mps * params.enter_fraction, cs_mps * params.leave_fraction)
    t, dist = grid["t"].to_numpy(), grid["distance_m"].to_numpy()
    spans = _merge_short_rests(spans, t, params.min_rest_s)
    reps = [Rep(t[a], t[b], dist[b] - dist[a], t[b] - t[a]) for a, b in spans]
    return _best_set([r for r in reps if r.duration_s >= params.min_rep_s], params, "stream")


def _hysteresis(speed: np.ndarray, enter: float, leave: float) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, v in enumerate(speed):
        if start is None and v > enter:
            start = i
        elif start is not None and v < leave:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(speed) - 1))
    return spans


def _merge_short_rests(spans: list[tuple[int, int]], t: np.ndarray, min_rest_s: float) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and t[a] - t[merged[-1][1]] < min_rest_s:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _best_set(reps: list[Rep], params: IntervalParams, basis: str) -> IntervalSet | None:
    """The longest run of consecutive similar reps (by distance, else by duration), if ≥ min_reps."""
    best: list[Rep] = []
    for key in (lambda r: r.distance_m, lambda r: r.duration_s):
        for i in range(len(reps)):
            j = i + 1
            while j < len(reps) and _similar([key(r) for r in reps[i : j + 1]], params.similar_pct):
                j += 1
            if j - i > len(best):
                best = reps[i:j]
    if len(best) < params.min_reps:
        return None
    rests = tuple(round(b.start_t - a.end_t, 1) for a, b in zip(best, best[1:], strict=False))
    return IntervalSet(tuple(best), rests, basis)


def _similar(values: list[float], pct: float) -> bool:
    median = float(np.median(values))
    return median > 0 and all(abs(v - median) <= median * pct / 100 for v in values)
