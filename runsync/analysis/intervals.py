"""Interval sets: ≥ 4 similar fast reps with recoveries, from structured laps, manual laps or the speed stream.

Rest is measured in ELAPSED seconds between one rep's end and the next rep's start, so a standing rest that the
watch's auto-pause hid from the timer still counts. GPS errs 3-6 %: a rep of 360-440 m is a 400.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from runsync.analysis.stream import Grid, lap_speed
from runsync.model import Lap, Session

STANDARD_DISTANCES_M = (100, 150, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500, 1609, 2000, 3000, 5000)
REP_INTENSITIES = frozenset({"active", "interval"})
REST_INTENSITIES = frozenset({"rest", "recovery"})
AUTO_TRIGGERS = frozenset({"distance", "position", "time"})
REP_ENTER, REP_LEAVE = 0.85, 0.80  # of the typical rep speed, in the stream (reps fade, jogs and cool-downs don't)


@dataclass(frozen=True)
class IntervalParams:
    min_reps: int = 4
    enter_fraction: float = 0.90  # of critical speed: a rep starts above this
    leave_fraction: float = 0.80  # ... and ends below this
    min_rep_s: float = 30.0
    min_rest_s: float = 5.0
    similar_pct: float = 20.0  # reps within ± this of the set's median distance (or duration)
    max_rest_s: float = 600.0  # a longer stop is not a recovery between reps
    min_rest_ratio: float = 0.06  # median rest ≥ this × the median rep time (stops in a tempo run are not rests)


INTERVAL_LIMITS: dict[str, tuple[float, float]] = {
    "min_reps": (2, 100),
    "enter_fraction": (0.3, 2.0),
    "leave_fraction": (0.3, 2.0),
    "min_rep_s": (5, 3600),
    "min_rest_s": (0, 600),
    "similar_pct": (1, 100),
    "max_rest_s": (10, 7200),
    "min_rest_ratio": (0, 10),
}


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
        return standard_distance(statistics.median(r.distance_m for r in self.reps))

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
    session: Session, grid: Grid | None, cs_mps: float | None, params: IntervalParams | None = None
) -> IntervalSet | None:
    """The session's main interval set, or None (a steady run with 1 km auto-laps is not one). `grid`: the session's
    stream on the 1 s grid (runsync.analysis.stream.to_grid), None without one."""
    params = params or IntervalParams()
    if not session.is_run:
        return None
    found = None
    if session.laps and not is_auto_lapped(session.laps):
        found = _from_laps(session, cs_mps, params)
    if found is None and cs_mps:
        found = _from_stream(grid, cs_mps, params)
    return found


def is_auto_lapped(laps: Sequence[Lap]) -> bool:
    """Laps the watch cut by itself: distance/time triggers, or mostly 1 km or 1 mile long."""
    body = laps[:-1] if len(laps) > 1 else laps
    if any(lap.intensity in REST_INTENSITIES for lap in laps):
        return False
    if body and all(lap.trigger in AUTO_TRIGGERS for lap in body):
        return True
    distances = [lap.distance_m or 0 for lap in body]
    for unit in (1000, 1609.344):
        if len(body) >= 2 and sum(abs(d - unit) < 0.05 * unit for d in distances) >= 0.8 * len(body):
            return True
    return False


def _from_laps(session: Session, cs_mps: float | None, params: IntervalParams) -> IntervalSet | None:
    """Reps are fast laps with only recovery laps between them; anything else between two reps ends a set."""
    structured = any(lap.intensity in REST_INTENSITIES for lap in session.laps)
    kinds = _structured_kinds(session.laps) if structured else _speed_kinds(session.laps, cs_mps, params)
    best: IntervalSet | None = None
    for run in _rep_runs(session, kinds):
        found = _best_set([r for r in run if r.duration_s >= params.min_rep_s and r.distance_m > 0], params,
                          "laps" if structured else "manual laps")  # fmt: skip
        if found and (best is None or len(found.reps) > len(best.reps)):
            best = found
    return best


def _structured_kinds(laps: Sequence[Lap]) -> list[str]:
    return ["rep" if lap.intensity in REP_INTENSITIES else "rest" if lap.intensity in REST_INTENSITIES else "other"
            for lap in laps]  # fmt: skip


def _speed_kinds(laps: Sequence[Lap], cs_mps: float | None, params: IntervalParams) -> list[str]:
    """Fast laps (≥ enter × CS) are reps, slow ones (< leave × CS) recoveries; without CS, halves of the range."""
    speeds = np.nan_to_num(np.array([lap_speed(lap) for lap in laps], dtype=float))
    if cs_mps:
        fast, slow = params.enter_fraction * cs_mps, params.leave_fraction * cs_mps
    elif len(speeds) and speeds.max() >= 1.3 * max(speeds.min(), 0.1):
        fast = slow = (speeds.max() + speeds.min()) / 2
    else:
        return ["other"] * len(laps)
    return ["rep" if v >= fast else "rest" if v < slow else "other" for v in speeds]


def _rep_runs(session: Session, kinds: list[str]) -> list[list[Rep]]:
    """Runs of reps, each two separated by recovery laps only (adjacent reps or a steady lap break the run)."""
    runs: list[list[Rep]] = [[]]
    gap: list[str] = []
    for lap, kind in zip(session.laps, kinds, strict=True):
        if kind == "rep":
            if runs[-1] and (not gap or "other" in gap):
                runs.append([])
            runs[-1].append(_lap_rep(session, lap))
            gap = []
        else:
            gap.append(kind)
    return runs


def _lap_rep(session: Session, lap: Lap) -> Rep:
    start_t = (lap.start - session.start).total_seconds()
    moving = lap.timer_s or lap.elapsed_s
    return Rep(start_t, start_t + lap.elapsed_s, lap.distance_m or 0.0, moving)


def _from_stream(grid: Grid | None, cs_mps: float, params: IntervalParams) -> IntervalSet | None:
    if grid is None:
        return None
    speed = grid.speed(3)
    thresholds = _stream_thresholds(speed, cs_mps, params)
    spans = [_sharpened(grid.speed_raw, a, b, sum(thresholds) / 2) for a, b in _hysteresis(speed, *thresholds)]
    t, dist = grid.t, grid.distance_m
    spans = _merge_short_rests(spans, t, params.min_rest_s)
    # a grid value is stamped at the end of its second: a span of seconds a .. b-1 runs from t[a-1] to t[b-1]
    reps = [Rep(t[p], t[q], dist[q] - dist[p], t[q] - t[p]) for a, b in spans
            if (q := max(b - 1, 0)) > (p := max(a - 1, 0))]  # fmt: skip
    return _best_set([r for r in reps if r.duration_s >= params.min_rep_s], params, "stream")


def _stream_thresholds(speed: np.ndarray, cs_mps: float, params: IntervalParams) -> tuple[float, float]:
    """Where a rep starts and ends in the speed stream: above enter × CS, below leave × CS, and, since reps are run
    well above the jog or easy running around them, never below REP_ENTER / REP_LEAVE of the typical rep speed: a
    last rep that runs straight into an easy cool-down, or a rep that fades, is still told apart."""
    enter, leave = params.enter_fraction * cs_mps, params.leave_fraction * cs_mps
    moving = speed[speed > 0.5]
    fast = moving[moving > max(enter, _split(moving))]  # the faster of the session's two kinds of running
    if fast.size:
        rep_speed = float(np.median(fast))
        enter = max(enter, REP_ENTER * rep_speed)
        leave = min(enter, max(leave, REP_LEAVE * rep_speed))
    return enter, leave


def _split(values: np.ndarray, bins: int = 64) -> float:
    """Otsu's threshold: the value that best splits `values` into a slow and a fast group (reps from the jogs,
    warm-up and cool-down around them, whatever share of the session the reps are)."""
    if values.size < 2 or values.max() <= values.min():
        return float(values.max()) if values.size else 0.0
    counts, edges = np.histogram(values, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(counts)
    mass = np.cumsum(counts * centres)
    total, total_mass = weight[-1], mass[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        slow_mean, fast_mean = mass / weight, (total_mass - mass) / (total - weight)
        between = weight * (total - weight) * (slow_mean - fast_mean) ** 2
    return float(edges[int(np.nanargmax(between[:-1])) + 1])


def _sharpened(raw: np.ndarray, a: int, b: int, middle: float, most: int = 3) -> tuple[int, int]:
    """The span's edges moved (by at most `most` seconds) to where the raw speed crosses `middle`: smoothing blurs
    a rep's first and last seconds into the rest beside them."""
    for _ in range(most):
        if a > 0 and raw[a - 1] > middle:
            a -= 1
        elif a < b - 1 and raw[a] <= middle:
            a += 1
        if b < len(raw) and raw[b] > middle:
            b += 1
        elif b > a + 1 and raw[b - 1] <= middle:
            b -= 1
    return a, b


def _hysteresis(speed: np.ndarray, enter: float, leave: float) -> list[tuple[int, int]]:
    """Spans that start where the speed rises above `enter` and end where it next falls below `leave` (the last one
    may run to the end): the state at each second is that of the last crossing at or before it."""
    events = np.where(speed > enter, 1, np.where(speed < leave, 0, -1))
    last = np.maximum.accumulate(np.where(events >= 0, np.arange(len(speed)), -1))
    state = np.where(last >= 0, events[np.maximum(last, 0)], 0)
    change = np.diff(np.concatenate([[0], state, [0]]))
    starts, ends = np.flatnonzero(change == 1), np.flatnonzero(change == -1)
    return [(int(a), int(min(b, len(speed) - 1))) for a, b in zip(starts, ends, strict=True)]


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
    for values in ([r.distance_m for r in reps], [r.duration_s for r in reps]):
        for i in range(len(reps)):
            j = i + 1
            while j < len(reps) and _similar(values[i : j + 1], params.similar_pct):
                j += 1
            if j - i > len(best):
                best = reps[i:j]
    if len(best) < params.min_reps:
        return None
    rests = tuple(round(b.start_t - a.end_t, 1) for a, b in zip(best, best[1:], strict=False))
    typical_rep = statistics.median(r.duration_s for r in best)
    if min(rests) < params.min_rest_s or statistics.median(rests) < params.min_rest_ratio * typical_rep:
        return None  # back-to-back laps, or a steady run with short stops: not an interval set
    if max(rests) > params.max_rest_s or not _regular(rests):
        return None  # a long stop is a break in the run, random stops are not a planned recovery
    return IntervalSet(tuple(best), rests, basis)


def _regular(rests: tuple[float, ...]) -> bool:
    """Planned recoveries are steady (spread ≤ 35 % of the mean) or change one way (shrinking or growing)."""
    values = np.array(rests, dtype=float)
    if values.std() <= 0.35 * values.mean():
        return True
    steps = np.diff(values)
    slack = 0.1 * values.mean()
    return bool((steps <= slack).all() or (steps >= -slack).all())


def _similar(values: list[float], pct: float) -> bool:
    middle = statistics.median(values)  # a few values: the standard library's median is the quick one here
    return middle > 0 and all(abs(v - middle) <= middle * pct / 100 for v in values)
