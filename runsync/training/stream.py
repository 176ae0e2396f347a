"""A session's effort as time blocks: the 1 Hz sample stream on an elapsed-time grid, else its laps, else its totals.

Watches do not always record every second ("smart recording") and write no records while auto-paused, so the
stream is rebuilt on a 1 s grid of ELAPSED time: a gap in which the distance barely moved is standing still, any
other gap is filled with the gap's own mean speed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from runsync.model import Session

MAX_SPEED_MPS = 12.0  # faster than any runner: a GPS jump


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
    def moving_s(self) -> float:
        return self.seconds(np.nan_to_num(self.speed_mps, nan=1.0) > 0.5)


def to_grid(samples: pd.DataFrame | None, smooth_s: int = 5) -> pd.DataFrame | None:
    """Samples → one row per elapsed second: t, distance_m, speed_mps (smoothed), hr. None without distance/speed."""
    if samples is None or len(samples) < 10:
        return None
    frame = samples.dropna(subset=["t"]).sort_values("t").drop_duplicates("t")
    t = frame["t"].to_numpy(dtype=float)
    distance = _distance(frame)
    if distance is None or len(t) < 10:
        return None
    grid = np.arange(np.floor(t[0]), np.ceil(t[-1]) + 1)
    dist = np.interp(grid, t, distance)
    speed = _speed_on_grid(frame, t, distance, grid)
    speed = pd.Series(np.clip(speed, 0, MAX_SPEED_MPS)).rolling(smooth_s, center=True, min_periods=1).mean()
    hr = frame["hr"].to_numpy(dtype=float)
    hr_grid = np.interp(grid, t[~np.isnan(hr)], hr[~np.isnan(hr)]) if (~np.isnan(hr)).sum() > 1 else grid * np.nan
    return pd.DataFrame({"t": grid, "distance_m": dist, "speed_mps": speed.to_numpy(), "hr": hr_grid})


def _distance(frame: pd.DataFrame) -> np.ndarray | None:
    distance = frame["distance_m"].to_numpy(dtype=float)
    if np.isnan(distance).all():
        speed = frame["speed_mps"].to_numpy(dtype=float)
        if np.isnan(speed).all():
            return None
        dt = np.diff(frame["t"].to_numpy(dtype=float), prepend=frame["t"].iloc[0])
        return np.cumsum(np.nan_to_num(speed) * np.minimum(dt, 1.0))
    return np.maximum.accumulate(pd.Series(distance).ffill().fillna(0.0).to_numpy())


def _speed_on_grid(frame: pd.DataFrame, t: np.ndarray, distance: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The recorded speed where records are dense; across a gap (> 2 s) the gap's mean speed (0 when paused)."""
    recorded = frame["speed_mps"].to_numpy(dtype=float)
    if np.isnan(recorded).all():
        recorded = np.gradient(distance, t)
    valid = ~np.isnan(recorded)
    speed = np.interp(grid, t[valid], recorded[valid])
    idx = np.clip(np.searchsorted(t, grid, side="right") - 1, 0, len(t) - 2)
    dt = t[idx + 1] - t[idx]
    in_gap = (dt > 2.0) & (grid > t[idx]) & (grid < t[idx + 1])
    gap_speed = (distance[idx + 1] - distance[idx]) / np.where(dt > 0, dt, 1.0)
    speed[in_gap] = gap_speed[in_gap]
    return speed


def to_blocks(session: Session) -> Blocks:
    grid = to_grid(session.samples)
    if grid is not None:
        ones = np.ones(len(grid))
        return Blocks(ones, grid["speed_mps"].to_numpy(), grid["hr"].to_numpy(), "stream")
    laps = [lap for lap in session.laps if (lap.timer_s or lap.elapsed_s)]
    if laps:
        duration = np.array([lap.timer_s or lap.elapsed_s for lap in laps], dtype=float)
        speed = np.array([_lap_speed(lap) for lap in laps], dtype=float)
        hr = np.array([np.nan if lap.avg_hr is None else lap.avg_hr for lap in laps], dtype=float)
        return Blocks(duration, speed, hr, "laps")
    duration = session.moving_s or session.elapsed_s or 0.0
    speed = (session.distance_m or np.nan) / duration if duration else np.nan
    return Blocks(np.array([duration]), np.array([speed]), np.array([session.avg_hr or np.nan]), "session")


def _lap_speed(lap) -> float:  # noqa: ANN001 - a Lap
    if lap.avg_speed_mps is not None:
        return lap.avg_speed_mps
    seconds = lap.timer_s or lap.elapsed_s
    return (lap.distance_m / seconds) if lap.distance_m is not None and seconds else np.nan
