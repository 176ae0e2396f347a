"""A session's effort as time blocks: the sample stream on a 1 s grid of elapsed time, else its laps, else its totals.

Watches do not always record every second ("smart recording") and write no records while auto-paused, so the
stream is rebuilt on a 1 s grid of ELAPSED time: a gap in which the distance barely moved is standing still, any
other gap is filled with the gap's own mean speed. The grid is built once per session (`Grid`) and serves every
analysis: best efforts, intensity, intervals, zones and load.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from runsync.model import Lap, Session

if TYPE_CHECKING:
    import pandas as pd

MAX_SPEED_MPS = 12.0  # faster than any runner: a GPS jump
MIN_SAMPLES = 10


@dataclass(frozen=True)
class Grid:
    """The stream on a 1 s elapsed-time grid: t, distance (m, never decreasing), raw speed (m/s, clipped), hr."""

    t: np.ndarray
    distance_m: np.ndarray
    speed_raw: np.ndarray
    hr: np.ndarray

    def speed(self, smooth_s: int) -> np.ndarray:
        """Speed smoothed over a centred window of `smooth_s` (odd) seconds; shorter windows at the ends."""
        return centred_mean(self.speed_raw, smooth_s)

    @cached_property
    def speed5(self) -> np.ndarray:
        return self.speed(5)


def centred_mean(values: np.ndarray, window: int) -> np.ndarray:
    """The mean over a centred window of `window` (odd) values, over fewer at the ends (pandas' rolling mean with
    center=True and min_periods=1, without pandas)."""
    half = window // 2
    sums = np.concatenate([[0.0], np.cumsum(values)])
    index = np.arange(len(values))
    low, high = np.maximum(index - half, 0), np.minimum(index + half + 1, len(values))
    return (sums[high] - sums[low]) / (high - low)


def to_grid(samples: pd.DataFrame | None) -> Grid | None:
    """Samples → one row per elapsed second. None with fewer than 10 usable samples or neither distance nor speed."""
    if samples is None or len(samples) < MIN_SAMPLES:
        return None
    columns = {c: samples[c].to_numpy(dtype=float) for c in ("t", "distance_m", "speed_mps", "hr")}
    order = np.argsort(columns["t"], kind="stable")
    order = order[np.isfinite(columns["t"][order])]
    _, first = np.unique(columns["t"][order], return_index=True)  # duplicated times: the first recorded wins
    picked = {c: v[order[first]] for c, v in columns.items()}
    t = picked["t"]
    if len(t) < MIN_SAMPLES or t[-1] - t[0] > 7 * 86400:  # a week-long "session" is a broken clock
        return None
    distance = _distance(picked, t)
    if distance is None:
        return None
    grid = np.arange(np.floor(t[0]), np.ceil(t[-1]) + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        on_grid = _distance_on_grid(t, distance, picked["speed_mps"], grid)
        speed = np.clip(np.nan_to_num(_speed_on_grid(picked["speed_mps"], t, on_grid, grid)), 0, MAX_SPEED_MPS)
    hr = picked["hr"]
    known = np.isfinite(hr) & (hr > 0)
    hr_grid = np.interp(grid, t[known], hr[known]) if known.sum() > 1 else np.full(len(grid), np.nan)
    return Grid(grid, on_grid, speed, hr_grid)


def _distance(columns: dict[str, np.ndarray], t: np.ndarray) -> np.ndarray | None:
    distance = columns["distance_m"]
    known = np.isfinite(distance)
    if not known.any():
        speed = columns["speed_mps"]
        if not np.isfinite(speed).any():
            return None
        dt = np.diff(t, prepend=t[0])
        return np.cumsum(np.clip(np.nan_to_num(speed), 0, MAX_SPEED_MPS) * np.minimum(dt, 1.0))
    last_known = np.maximum.accumulate(np.where(known, np.arange(len(distance)), -1))  # forward fill
    filled = np.where(last_known >= 0, distance[np.maximum(last_known, 0)], 0.0)
    return np.maximum.accumulate(np.maximum(filled, 0.0))



def _distance_on_grid(t: np.ndarray, distance: np.ndarray, recorded: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The distance at each second. Across a gap in the records (> 2 s) the watch wrote the next record when
    something changed ("smart recording"), or after an auto-pause: its last second ran at the next record's own
    speed and the seconds before it at the even pace that covers the rest of the gap's distance (none, after a
    pause). So a rep that starts from a standing rest keeps its first metres, and one that ends in a walk its last."""
    dt, moved = np.diff(t), np.diff(distance)
    gap = dt > 2.0
    if not gap.any():
        return np.interp(grid, t, distance)
    last_second = np.where(np.isfinite(recorded[1:]), recorded[1:], moved / np.where(dt > 0, dt, 1.0))
    last_second = np.clip(last_second, 0.0, moved)
    knots_t = np.concatenate([t, t[1:][gap] - 1.0])
    knots_d = np.concatenate([distance, distance[1:][gap] - last_second[gap]])
    order = np.argsort(knots_t, kind="stable")
    return np.interp(grid, knots_t[order], knots_d[order])


def _speed_on_grid(recorded: np.ndarray, t: np.ndarray, on_grid: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The recorded speed where records are dense; across a gap (> 2 s) the speed the distance on the grid
    implies (0 when paused)."""
    if not np.isfinite(recorded).any():
        recorded = np.gradient(np.interp(t, grid, on_grid), t)
    valid = np.isfinite(recorded)
    if valid.sum() == 0:
        return np.zeros(len(grid))
    speed = np.interp(grid, t[valid], recorded[valid])
    idx = np.clip(np.searchsorted(t, grid, side="right") - 1, 0, len(t) - 2)
    dt = t[idx + 1] - t[idx]
    in_gap = (dt > 2.0) & (grid > t[idx]) & (grid < t[idx + 1])
    implied = np.diff(on_grid, prepend=on_grid[0])
    speed[in_gap] = implied[in_gap]
    return speed


@dataclass(frozen=True)
class Blocks:
    """Consecutive stretches of effort: duration (s), speed (m/s, NaN unknown), heart rate (NaN unknown)."""

    duration_s: np.ndarray
    speed_mps: np.ndarray
    hr: np.ndarray
    source: str  # stream | laps | session

    def seconds(self, mask: np.ndarray) -> float:
        return float(self.duration_s[mask].sum())

    @property
    def moving(self) -> np.ndarray:
        return np.nan_to_num(self.speed_mps, nan=1.0) > 0.5

    @property
    def moving_s(self) -> float:
        return self.seconds(self.moving)


def to_blocks(session: Session, grid: Grid | None) -> Blocks:
    """The grid's seconds; without a stream the laps; without laps the session's totals."""
    if grid is not None:
        return Blocks(np.ones(len(grid.t)), grid.speed5, grid.hr, "stream")
    laps = [lap for lap in session.laps if _positive(lap.timer_s or lap.elapsed_s)]
    if laps:
        duration = np.array([lap.timer_s or lap.elapsed_s for lap in laps], dtype=float)
        speed = np.array([lap_speed(lap) for lap in laps], dtype=float)
        hr = np.array([_finite(lap.avg_hr) for lap in laps], dtype=float)
        return Blocks(duration, speed, hr, "laps")
    duration = next((d for d in (session.moving_s, session.elapsed_s) if _positive(d)), 0.0)
    speed = _finite(session.distance_m) / duration if duration else np.nan
    return Blocks(np.array([duration]), np.array([speed]), np.array([_finite(session.avg_hr)]), "session")


def lap_speed(lap: Lap) -> float:
    """The lap's average speed: recorded, else distance over (timer, else elapsed) time; NaN when unknown."""
    if _positive(lap.avg_speed_mps):
        return float(lap.avg_speed_mps)
    seconds = lap.timer_s or lap.elapsed_s
    return float(lap.distance_m) / seconds if _finite(lap.distance_m) >= 0 and _positive(seconds) else np.nan


def _positive(value: float | None) -> bool:
    return value is not None and np.isfinite(value) and value > 0


def _finite(value: float | None) -> float:
    return float(value) if value is not None and np.isfinite(value) else np.nan
