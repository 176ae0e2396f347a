"""Best efforts and the critical speed they imply.

Each run keeps its best 3- and 12-minute distances (from its own stream, computed once when it is stored). The
critical speed of an athlete with no configured pace threshold is estimated from those stored efforts: the
two-parameter model d = CS·t + D' over the best 3- and 12-minute efforts of the EFFORT_DAYS days up to a session,
floored at 1.2 × the median speed of that window's runs of over 10 minutes (so an athlete who never ran hard does
not have every easy run called hard). Each session is judged against the estimate as of its own day, so a later
session never changes how an earlier one was judged.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from runsync.analysis.stream import Grid

EFFORTS_VERSION = 1  # bump when best efforts are computed differently
EFFORT_DAYS = 90
SHORT_S, LONG_S = 180, 720
FLOOR_FACTOR = 1.2
MIN_FLOOR_RUN_S = 600


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
    """What the estimate needs of one stored run: its local day, efforts, and average moving speed."""

    local_date: date
    best_3min_m: float | None
    best_12min_m: float | None
    distance_m: float | None
    moving_s: float | None


def critical_speed(rows: Sequence[EffortRow]) -> float | None:
    """The estimate over `rows` (the runs of one window)."""
    return _Window(rows).estimate(0, len(rows))


def critical_speed_by_day(rows: Sequence[EffortRow], days: Sequence[date]) -> dict[date, float | None]:
    """The estimate as of each of `days`: over the runs of the EFFORT_DAYS days up to and including it."""
    ordered = sorted(rows, key=lambda r: r.local_date)
    dates = [r.local_date for r in ordered]
    window = _Window(ordered)
    found: dict[date, float | None] = {}
    for day in sorted(set(days)):
        first = bisect.bisect_left(dates, day - timedelta(days=EFFORT_DAYS - 1))
        found[day] = window.estimate(first, bisect.bisect_right(dates, day))
    return found


class _Window:
    """The rows as arrays, so each day's estimate is a few numpy reductions over a slice."""

    def __init__(self, rows: Sequence[EffortRow]) -> None:
        self.best3 = np.array([r.best_3min_m or 0.0 for r in rows], dtype=float)
        self.best12 = np.array([r.best_12min_m or 0.0 for r in rows], dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            speeds = np.array([(r.distance_m or 0.0) / (r.moving_s or np.nan) for r in rows], dtype=float)
        long_enough = np.array([(r.moving_s or 0.0) > MIN_FLOOR_RUN_S for r in rows], dtype=bool)
        self.speed = np.where(long_enough & np.isfinite(speeds) & (speeds > 0), speeds, np.nan)

    def estimate(self, first: int, last: int) -> float | None:
        if last <= first:
            return None
        best3, best12 = float(np.nanmax(self.best3[first:last])), float(np.nanmax(self.best12[first:last]))
        speeds = self.speed[first:last]
        floor = FLOOR_FACTOR * float(np.nanmedian(speeds)) if np.isfinite(speeds).any() else None
        model = (best12 - best3) / (LONG_S - SHORT_S) if best12 > best3 > 0 else None
        candidates = [v for v in (model, floor) if v and np.isfinite(v) and v > 0]
        return round(max(candidates), 3) if candidates else None
