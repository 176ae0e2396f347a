"""Best efforts, and the references an athlete without configured thresholds is judged against.

Each run keeps its best 3- and 12-minute distances (from its own stream, computed once when it is stored). For an
athlete with no configured pace threshold the critical speed is estimated from those stored efforts: the
two-parameter model d = CS·t + D' over the best 3- and 12-minute efforts of the EFFORT_DAYS days up to a session,
floored at 1.3 × the median speed of that window's runs of over 10 minutes (so the athlete's usual run stays easy).
For an athlete with heart rate but no `max_hr` / `lthr`, the max HR is estimated from the highest session maximum
seen in the same window: that maximum itself when it was a race, else ÷ 0.95 (a hard training session peaks near
95 % of the true maximum; an estimate that is too low would call easy runs moderate).

An estimate is only as good as its evidence: easy running alone says nothing about a threshold (a new runner's
first week would make her easy pace the reference, and every easy run "moderate"). So a window's estimate is used
only when it is *credible*:
- critical speed: the window holds a race, or a best 3-minute effort at least CREDIBLE_SPEED × the window's usual
  (median) running speed;
- max HR: the window holds a race, or a session maximum at least CREDIBLE_HR × the usual (median) average HR of
  its runs, from at least MIN_HR_RUNS runs with heart rate.
A day whose own window is not credible takes the earliest credible estimate later in the history (re-derived when
it arrives: the analysis key holds the estimate), else the latest earlier one, each within REACH_DAYS, else no
reference: its runs are then not called moderate or hard by pace or heart rate ("no reference yet").
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from runsync.analysis.stream import Grid

EFFORTS_VERSION = 2  # bump when best efforts are computed differently
EFFORT_DAYS = 90
SHORT_S, LONG_S = 180, 720
FLOOR_FACTOR = 1.3  # × the usual running speed: the usual run (and a little faster) stays below 0.80 × CS
MIN_FLOOR_RUN_S = 600
CREDIBLE_SPEED = 1.2  # a best 3-min effort this much faster than usual running is evidence of a threshold
CREDIBLE_HR = 1.15  # a session maximum this far above the usual average HR is evidence of a hard effort
MIN_HR_RUNS = 3
MAX_PLAUSIBLE_HR = 230.0
REACH_DAYS = 2 * EFFORT_DAYS  # how far from a day a credible estimate may come from
TRAINING_PEAK = 0.95  # of the true max HR: where a hard training session (not a race) peaks


@dataclass(frozen=True)
class Efforts:
    best_3min_m: float | None = None
    best_12min_m: float | None = None


def best_efforts(grid: Grid | None) -> Efforts:
    """The most distance covered in any 3 and 12 minutes of the session (None when it is shorter)."""
    if grid is None:
        return Efforts()
    return Efforts(_best(grid.distance_m, SHORT_S), _best(grid.distance_m, LONG_S))


def _best(distance: np.ndarray, seconds: int) -> float | None:
    if len(distance) <= seconds:
        return None
    return round(float(np.max(distance[seconds:] - distance[:-seconds])), 1)


@dataclass(frozen=True)
class EffortRow:
    """What the estimates need of one stored run: its local day, efforts, average moving speed and heart rate."""

    local_date: date
    best_3min_m: float | None
    best_12min_m: float | None
    distance_m: float | None
    moving_s: float | None
    avg_hr: float | None = None
    max_hr: float | None = None
    race: bool = False


@dataclass(frozen=True)
class Estimate:
    """What a day's sessions are judged against when the config gives no threshold (None: no credible evidence),
    and the day whose window the value came from."""

    cs_mps: float | None = None
    cs_from: date | None = None
    max_hr: float | None = None
    max_hr_from: date | None = None


def critical_speed(rows: Sequence[EffortRow]) -> float | None:
    """The estimate over `rows` (the runs of one window), credible or not."""
    return _Window(rows).cs(0, len(rows))[0]


def estimates_by_day(rows: Sequence[EffortRow], days: Sequence[date]) -> dict[date, Estimate]:
    """The estimates as of each of `days`: over the runs of the EFFORT_DAYS days up to and including it when those
    are credible, else the nearest credible window's (the earliest later one first)."""
    ordered = sorted(rows, key=lambda r: r.local_date)
    dates = [r.local_date for r in ordered]
    window = _Window(ordered)
    anchors = sorted(set(days) | set(dates))
    cs: dict[date, float | None] = {}
    hr: dict[date, float | None] = {}
    for day in anchors:
        first = bisect.bisect_left(dates, day - timedelta(days=EFFORT_DAYS - 1))
        last = bisect.bisect_right(dates, day)
        value, credible = window.cs(first, last)
        cs[day] = value if credible else None
        hr[day] = window.max_hr(first, last)
    cs_days, hr_days = _credible_days(cs), _credible_days(hr)
    found = {}
    for day in sorted(set(days)):
        cs_day, hr_day = _nearest(cs_days, day), _nearest(hr_days, day)
        found[day] = Estimate(cs[cs_day] if cs_day else None, cs_day, hr[hr_day] if hr_day else None, hr_day)
    return found


def _credible_days(values: dict[date, float | None]) -> list[date]:
    return sorted(d for d, v in values.items() if v is not None)


def _nearest(credible: list[date], day: date) -> date | None:
    """The day itself when credible, else the earliest credible day after it, else the latest before it, within
    REACH_DAYS (fitness moves: an estimate from a year away is no evidence for this day)."""
    i = bisect.bisect_left(credible, day)
    if i < len(credible) and (credible[i] - day).days <= REACH_DAYS:
        return credible[i]
    if i > 0 and (day - credible[i - 1]).days <= REACH_DAYS:
        return credible[i - 1]
    return None


class _Window:
    """The rows as arrays, so each day's estimate is a few numpy reductions over a slice."""

    def __init__(self, rows: Sequence[EffortRow]) -> None:
        self.best3 = np.array([r.best_3min_m or 0.0 for r in rows], dtype=float)
        self.best12 = np.array([r.best_12min_m or 0.0 for r in rows], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            speeds = np.array([(r.distance_m or 0.0) / (r.moving_s or np.nan) for r in rows], dtype=float)
        long_enough = np.array([(r.moving_s or 0.0) > MIN_FLOOR_RUN_S for r in rows], dtype=bool)
        self.speed = np.where(long_enough & np.isfinite(speeds) & (speeds > 0), speeds, np.nan)
        self.race = np.array([r.race for r in rows], dtype=bool)
        self.avg_hr = np.array([_hr(r.avg_hr) for r in rows], dtype=float)
        self.top_hr = np.array([_hr(r.max_hr) for r in rows], dtype=float)

    def cs(self, first: int, last: int) -> tuple[float | None, bool]:
        """The window's critical speed estimate, and whether its evidence is credible."""
        if last <= first:
            return None, False
        best3, best12 = float(np.nanmax(self.best3[first:last])), float(np.nanmax(self.best12[first:last]))
        speeds = self.speed[first:last]
        usual = float(np.nanmedian(speeds)) if np.isfinite(speeds).any() else None
        floor = FLOOR_FACTOR * usual if usual else None
        model = (best12 - best3) / (LONG_S - SHORT_S) if best12 > best3 > 0 else None
        candidates = [v for v in (model, floor) if v and np.isfinite(v) and v > 0]
        if not candidates:
            return None, False
        fast = usual is not None and best3 / SHORT_S >= CREDIBLE_SPEED * usual
        return round(max(candidates), 3), bool(fast or self.race[first:last].any())

    def max_hr(self, first: int, last: int) -> float | None:
        """The highest session maximum of the window when it is credible evidence of a hard effort, else None."""
        top, usual = self.top_hr[first:last], self.avg_hr[first:last]
        if not np.isfinite(top).any():
            return None
        at = int(np.nanargmax(top))
        highest, race = float(top[at]), bool(self.race[first:last][at])
        enough = int(np.isfinite(usual).sum()) >= MIN_HR_RUNS
        if race:
            return round(highest)
        if enough and highest >= CREDIBLE_HR * float(np.nanmedian(usual)):
            return round(min(highest / TRAINING_PEAK, MAX_PLAUSIBLE_HR))
        return None


def _hr(value: float | None) -> float:
    return float(value) if value is not None and 60 < value <= MAX_PLAUSIBLE_HR else np.nan
