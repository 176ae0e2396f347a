"""Point tracks (GPX, TCX) → the session model: samples on the recorded times, distance from the positions when the
file gives none, moving time, HR figures, elevation gain, the local day from the athlete's timezone (GPX and TCX
times are UTC and carry no offset). Pure: arrays in, Session out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from runsync.errors import DecodeError
from runsync.model import SAMPLE_COLUMNS, Lap, Session, Source

EARTH_RADIUS_M = 6_371_008.8
MOVING_MPS = 0.5  # slower than this between two points is standing
PAUSE_S = 60.0  # a longer gap between two points is a pause, not moving time
CLIMB_NOISE_M = 2.0  # altitude changes smaller than this are GPS/barometer noise, not climbing
SPORT_WORDS = (  # (word in the file's sport or type, runsync sport), first match wins
    ("trail", "trail_run"), ("treadmill", "treadmill_run"), ("run", "run"), ("jog", "run"), ("bik", "ride"),
    ("cycl", "ride"), ("ride", "ride"), ("swim", "swim"), ("walk", "walk"), ("hik", "walk"),
    ("strength", "strength"), ("weight", "strength"),
)  # fmt: skip


@dataclass
class Points:
    """One recorded track: times as unix seconds, the other columns NaN where missing."""

    times: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    altitude_m: np.ndarray
    hr: np.ndarray
    cadence_spm: np.ndarray
    distance_m: np.ndarray | None = None  # recorded cumulative distance; None: computed from the positions
    speed_mps: np.ndarray | None = None


def sport_of(words: str | None, default: str = "run") -> str:
    """A file's sport or activity type ("Running", "trail_running", "Biking", "9", ...) as a runsync sport."""
    text = (words or "").lower()
    return next((sport for word, sport in SPORT_WORDS if word in text), default)


def path_distance(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Cumulative great-circle distance along the positions (points without a position add nothing)."""
    known = np.isfinite(lat) & np.isfinite(lon)
    out = np.zeros(len(lat))
    if known.sum() < 2:
        return out
    phi, lam = np.radians(lat[known]), np.radians(lon[known])
    a = np.sin(np.diff(phi) / 2) ** 2 + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(np.diff(lam) / 2) ** 2
    steps = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    out[np.flatnonzero(known)[1:]] = np.cumsum(steps)
    return np.maximum.accumulate(out)


def track_session(points: Points, *, kind: str, digest: str, path: str, athlete: str, tz: ZoneInfo, sport: str,
                  name: str | None, index: int | None = None, laps: tuple[Lap, ...] = ()) -> Session:  # fmt: skip
    """The session of one track; DecodeError when it has no usable time stamps (it cannot be a session)."""
    order = np.argsort(points.times, kind="stable")
    times = points.times[order]
    if len(times) == 0 or not np.isfinite(times).all():
        raise DecodeError("no time stamps in the track: a route or a track without times cannot be a session")
    recorded = points.distance_m[order] if points.distance_m is not None else None
    if recorded is not None and np.isfinite(recorded).any():
        distance = np.maximum.accumulate(np.nan_to_num(recorded, nan=0.0))
    else:
        distance = path_distance(points.lat[order], points.lon[order])
    t = times - times[0]
    start = datetime.fromtimestamp(float(times[0]), UTC)
    offset = start.astimezone(tz).utcoffset()
    hr = points.hr[order]
    columns = {
        "t": t, "distance_m": distance, "hr": hr, "cadence_spm": points.cadence_spm[order],
        "speed_mps": points.speed_mps[order] if points.speed_mps is not None else np.full(len(t), np.nan),
        "altitude_m": points.altitude_m[order], "lat": points.lat[order], "lon": points.lon[order],
    }  # fmt: skip
    known_hr = hr[np.isfinite(hr) & (hr > 0)]
    suffix = "" if index is None else f"-{index + 1}"
    return Session(
        id=f"{kind}-{digest[:16]}{suffix}", athlete=athlete, sport=sport, start=start,
        utc_offset_s=int(offset.total_seconds()) if offset else 0, timezone=tz.key, name=name,
        elapsed_s=float(t[-1]), moving_s=moving_seconds(t, distance), distance_m=float(distance[-1]),
        avg_hr=round(float(known_hr.mean())) if len(known_hr) else None,
        max_hr=float(known_hr.max()) if len(known_hr) else None,
        elevation_gain_m=climb(points.altitude_m[order]), sources=(Source(kind, digest, path),), laps=laps,
        samples=pd.DataFrame({c: np.asarray(columns[c], dtype=np.float64) for c in SAMPLE_COLUMNS}),
    )  # fmt: skip


def moving_seconds(t: np.ndarray, distance: np.ndarray) -> float:
    """Seconds spent between points faster than MOVING_MPS, gaps longer than PAUSE_S left out (paused)."""
    dt, dd = np.diff(t), np.diff(distance)
    with np.errstate(divide="ignore", invalid="ignore"):
        moving = (dt > 0) & (dt <= PAUSE_S) & (dd / np.where(dt > 0, dt, 1) > MOVING_MPS)
    return float(dt[moving].sum())


def climb(altitude: np.ndarray) -> float | None:
    """Total ascent, counting a rise only once it exceeds CLIMB_NOISE_M above the last low point."""
    values = altitude[np.isfinite(altitude)]
    if len(values) < 2:
        return None
    total, low = 0.0, values[0]
    for value in values[1:]:
        if value < low:
            low = value
        elif value - low >= CLIMB_NOISE_M:
            total, low = total + value - low, value
    return round(total, 1)
