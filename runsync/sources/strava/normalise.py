"""Raw Strava JSON → Session (pure, lenient): an odd field becomes None, an unknown sport `other`; never a crash.

Units as Strava sends them (metres, seconds, m/s); run cadence is per leg, doubled to steps per minute.
The local day comes from start_date_local − start_date (Strava writes the local time with a misleading "Z").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from runsync.model import RUN_SPORTS, SAMPLE_COLUMNS, Lap, Session, Source

STRAVA_NORMALISER = "strava-1"  # bump when this module changes so stored raw JSON is normalised again
# fmt: off
_SPORTS = {
    "Run": "run", "TrailRun": "trail_run", "VirtualRun": "treadmill_run",
    "Ride": "ride", "MountainBikeRide": "ride", "GravelRide": "ride", "EBikeRide": "ride", "EMountainBikeRide": "ride",
    "VirtualRide": "ride", "Velomobile": "ride", "Handcycle": "ride",
    "Swim": "swim", "Walk": "walk", "Hike": "walk", "WeightTraining": "strength", "Crossfit": "strength",
}
# fmt: on
_WORKOUT_TYPES = {1: "race", 2: "long", 3: "workout", 11: "race", 12: "workout"}
_STRENGTH_WORDS = re.compile(r"strength|weights?|gym|lift|squat|deadlift|kettlebell|core|circuit|s&c", re.I)
_ON_FOOT = RUN_SPORTS | {"walk"}


def to_sport(summary: dict[str, Any]) -> str:
    """Strava's sport_type (or the older `type`) → one of model.SPORTS; a Workout counts as strength by name."""
    kind = summary.get("sport_type") or summary.get("type") or ""
    sport = _SPORTS.get(kind, "other")
    if kind == "Workout" and _STRENGTH_WORDS.search(summary.get("name") or ""):
        return "strength"
    if sport == "run" and summary.get("trainer"):
        return "treadmill_run"
    return sport


def to_workout_type(code: Any) -> str:
    """Strava's workout_type (run: 1 race, 2 long, 3 workout; ride: 11 race, 12 workout) → model value."""
    return _WORKOUT_TYPES.get(code, "none") if isinstance(code, int) else "none"


def needs_detail(summary: dict[str, Any]) -> bool:
    """Runs need laps and streams (2 calls); everything else is complete from the summary."""
    return to_sport(summary) in RUN_SPORTS


def _snake(name: str) -> str | None:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() or None


def parse_time(text: Any) -> datetime | None:
    """Strava's ISO 8601 'YYYY-MM-DDTHH:MM:SSZ' → naive datetime (the caller decides what zone it is)."""
    try:
        return datetime.fromisoformat(str(text).rstrip("Z")).replace(tzinfo=None)
    except ValueError:
        return None


def to_timezone(text: Any) -> str | None:
    """'(GMT-08:00) America/Los_Angeles' → 'America/Los_Angeles' when it is a known IANA zone."""
    name = str(text or "").rsplit(") ", 1)[-1].strip()
    try:
        return ZoneInfo(name).key if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _start(data: dict[str, Any]) -> datetime | None:
    start = parse_time(data.get("start_date"))
    return start.replace(tzinfo=UTC) if start else None


def to_laps(detail: dict[str, Any] | None) -> tuple[Lap, ...]:
    laps = []
    for lap in (detail or {}).get("laps") or ():
        start = _start(lap) if isinstance(lap, dict) else None
        if start is None or _number(lap.get("elapsed_time")) is None:
            continue
        laps.append(
            Lap(
                start=start,
                elapsed_s=float(lap["elapsed_time"]),
                timer_s=_number(lap.get("moving_time")),
                distance_m=_number(lap.get("distance")),
                avg_hr=_number(lap.get("average_heartrate")),
                max_hr=_number(lap.get("max_heartrate")),
                avg_speed_mps=_number(lap.get("average_speed")),
            )
        )
    return tuple(laps)


def _stream(streams: dict[str, Any], key: str, n: int) -> np.ndarray | None:
    data = (streams.get(key) or {}).get("data") if isinstance(streams.get(key), dict) else None
    if not isinstance(data, list) or len(data) != n:
        return None
    return np.array([np.nan if v is None else v for v in data], dtype="float64")


def keyed_by_type(streams: Any) -> dict[str, Any]:
    """Streams as `key_by_type=true` returns them; the plain list form ([{"type": "time", "data": [...]}, ...])
    is turned into that shape, anything else is no streams."""
    if isinstance(streams, list):
        return {s["type"]: s for s in streams if isinstance(s, dict) and isinstance(s.get("type"), str)}
    return streams if isinstance(streams, dict) else {}


def to_samples(streams: dict[str, Any] | list | None, *, on_foot: bool) -> pd.DataFrame | None:
    """Streams keyed by type → a frame with SAMPLE_COLUMNS (t = elapsed seconds as Strava recorded them)."""
    streams = keyed_by_type(streams)
    t = _stream(streams or {}, "time", len(((streams or {}).get("time") or {}).get("data") or []))
    if t is None or not len(t):
        return None
    n = len(t)
    columns = {"t": t}
    for column, key in (
        ("distance_m", "distance"),
        ("speed_mps", "velocity_smooth"),
        ("hr", "heartrate"),
        ("cadence_spm", "cadence"),
        ("altitude_m", "altitude"),
    ):
        columns[column] = _stream(streams or {}, key, n)
    if on_foot and columns["cadence_spm"] is not None:
        columns["cadence_spm"] = columns["cadence_spm"] * 2
    latlng = ((streams or {}).get("latlng") or {}).get("data")
    if isinstance(latlng, list) and len(latlng) == n:
        pairs = np.array([p if isinstance(p, list) and len(p) == 2 else (np.nan, np.nan) for p in latlng], "float64")
        columns["lat"], columns["lon"] = pairs[:, 0], pairs[:, 1]
    nan = np.full(n, np.nan)
    return pd.DataFrame({c: nan if columns.get(c) is None else columns[c] for c in SAMPLE_COLUMNS})


def normalise_activity(
    summary: dict[str, Any],
    *,
    athlete: str,
    detail: dict[str, Any] | None = None,
    streams: dict[str, Any] | None = None,
    fallback_tz: ZoneInfo | None = None,
) -> Session | None:
    """One Strava activity → Session; None when it has no id or start (not an activity we can place)."""
    start = _start(summary)
    if start is None or summary.get("id") is None:
        return None
    local = parse_time(summary.get("start_date_local"))
    if local is not None:
        offset = int((local - start.replace(tzinfo=None)).total_seconds())
    else:
        offset = int(start.astimezone(fallback_tz).utcoffset().total_seconds()) if fallback_tz else 0  # type: ignore[union-attr]
    sport = to_sport(summary)
    strava_id = str(summary["id"])
    return Session(
        id=f"strava-{strava_id}",
        athlete=athlete,
        sport=sport,
        start=start,
        utc_offset_s=offset,
        timezone=to_timezone(summary.get("timezone")),
        sub_sport=_snake(str(summary.get("sport_type") or "")),
        name=summary.get("name") or None,
        elapsed_s=_number(summary.get("elapsed_time")),
        moving_s=_number(summary.get("moving_time")),
        distance_m=_number(summary.get("distance")),
        avg_hr=_number(summary.get("average_heartrate")),
        max_hr=_number(summary.get("max_heartrate")),
        elevation_gain_m=_number(summary.get("total_elevation_gain")),
        workout_type=to_workout_type(summary.get("workout_type")),
        sources=(Source("strava", strava_id, summary.get("name") or None),),
        laps=to_laps(detail),
        samples=to_samples(streams, on_foot=sport in _ON_FOOT),
    )
