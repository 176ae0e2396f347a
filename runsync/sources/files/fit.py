"""The FIT connector: find watch files on disk, decode them (fit_decode.py), normalise them into sessions.

`fetch_fit_files` reads the disk; `decode_fit` and `normalise_fit` are pure. A file yields one Session per FIT
`session` message (one per leg of a multisport file, across chained parts), or one built from the records when
the device wrote none. Laps, records and strength sets go to the session whose time span contains them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from runsync.errors import DecodeError
from runsync.model import SAMPLE_COLUMNS, Lap, Session, Source, StrengthSet
from runsync.sources.files.fit_decode import FitActivity, decode_fit, is_device_time

__all__ = ["FitActivity", "decode_fit", "fetch_fit_files", "normalise_fit"]

MAX_UTC_OFFSET_S = 14 * 3600
_SPORTS = {"running": "run", "cycling": "ride", "swimming": "swim", "walking": "walk", "hiking": "walk"}
_RUN_SUB_SPORTS = {"trail": "trail_run", "treadmill": "treadmill_run", "indoor_running": "treadmill_run"}
_ON_FOOT = {"run", "trail_run", "treadmill_run", "walk"}
_INTENSITIES = {"active", "rest", "warmup", "cooldown", "recovery", "interval"}
_TRIGGERS = {"manual": "manual", "distance": "distance", "time": "time", "session_end": "session_end"}
_TRIGGERS |= {"fitness_equipment": "manual"}
_TIMER_STOPS = {"stop", "stop_all", "stop_disable", "stop_disable_all"}
_SEMICIRCLE_DEG = 180.0 / 2**31


def fetch_fit_files(folder: Path, problems: list[tuple[str, str]] | None = None) -> list[Path]:
    """Every *.fit / *.FIT file under `folder`, recursively, sorted; hidden files and folders are skipped.
    A subfolder that cannot be read is added to `problems` as (folder, reason), never skipped silently."""
    from runsync.sources.files import walk_files

    return [Path(p) for p in walk_files(folder, (".fit",), problems)]


class Span(NamedTuple):
    """A session's time span in unix seconds, and the chained FIT part it was written in."""

    start: float
    end: float
    part: int


def normalise_fit(activity: FitActivity, *, athlete: str, file_hash: str, path: str, tz: ZoneInfo) -> list[Session]:
    """One Session per FIT session message (or one from the records when there is none)."""
    activity = _on_utc_clock(activity, tz)
    summaries = activity.sessions or [_summary_from_records(activity)]
    dated = [(summary, span) for summary in summaries if (span := _span(summary, activity.records)) is not None]
    if not dated and any(summaries):
        raise DecodeError("no session can be dated: every time in the file is in 1989 (the watch's clock was not "
                          "set, so it counted seconds since it was switched on)")  # fmt: skip
    spans = [span for _, span in dated]
    lap_owners = _owners(spans, [_lap_time(lap) for lap in activity.laps], [lap["part"] for lap in activity.laps])
    set_owners = _owners(spans, [_set_time(s) for s in activity.sets], [s["part"] for s in activity.sets])
    record_owners = _record_owners(spans, activity.records)
    base_id, source = f"fit-{file_hash[:16]}", Source("fit", file_hash, path)
    sessions = []
    for i, (summary, span) in enumerate(dated):
        session = _session(summary, span, activity, tz, athlete=athlete, sources=(source,))
        samples = to_samples(activity.records, record_owners == i, span.start, session.sport)
        laps = tuple(to_lap(lap) for lap, owner in zip(activity.laps, lap_owners, strict=True) if owner == i)
        sets = tuple(to_strength_set(s) for s, owner in zip(activity.sets, set_owners, strict=True) if owner == i)
        session_id = base_id if len(dated) == 1 else f"{base_id}-{i + 1}"
        sessions.append(session.replace(id=session_id, laps=laps, sets=sets, samples=samples))
    return sessions


def _session(summary: dict[str, Any], span: Span, activity: FitActivity, tz: ZoneInfo, **fields: Any) -> Session:
    start = datetime.fromtimestamp(span.start, UTC)
    sport, sub_sport = to_sport(summary.get("sport"), summary.get("sub_sport"))
    offset_s, timezone = _utc_offset(activity, start, tz)
    return Session(
        id="",
        sport=sport,
        sub_sport=sub_sport,
        start=start,
        utc_offset_s=offset_s,
        timezone=timezone,
        elapsed_s=_float(summary.get("total_elapsed_time")),
        moving_s=_float(summary.get("total_timer_time")),
        distance_m=_float(summary.get("total_distance")),
        avg_hr=_float(summary.get("avg_heart_rate")),
        max_hr=_float(summary.get("max_heart_rate")),
        elevation_gain_m=_float(summary.get("total_ascent")),
        **fields,
    )


def _on_utc_clock(activity: FitActivity, tz: ZoneInfo) -> FitActivity:
    """Old watches count seconds since power-on; the activity's local_timestamp pins that clock to the wall."""
    device, local = activity.timestamp, activity.local_timestamp
    if device is None or local is None or not is_device_time(device) or is_device_time(local):
        return activity
    first = min((s["start_time"] for s in activity.sessions if "start_time" in s), default=device)
    wall = datetime.fromtimestamp(local - device + first, UTC).replace(tzinfo=None)
    utc_offset = tz.utcoffset(wall)
    return activity.shifted(local - device - (utc_offset.total_seconds() if utc_offset else 0.0))


def _span(summary: dict[str, Any], records: dict[str, np.ndarray]) -> Span | None:
    """start_time, else end timestamp − elapsed, else the part's first record; end: the later of the two ends."""
    elapsed = _float(summary.get("total_elapsed_time")) or 0.0
    part = int(summary.get("part", 0))
    start, end = summary.get("start_time"), summary.get("timestamp")
    if start is None and end is not None:
        start = end - elapsed
    if start is None:
        times = records["timestamp"][(records["part"] == part) & np.isfinite(records["timestamp"])]
        start = times[0] if len(times) else None
    if start is None or is_device_time(start):
        return None
    return Span(float(start), float(max(start + elapsed, end or start)), part)


def _owners(spans: list[Span], times: list[float | None], parts: list[int]) -> list[int]:
    """Which session each message belongs to: same chained part, time inside the span, latest start wins."""
    if len(spans) == 1:
        return [0 if t is not None else -1 for t in times]
    owners = []
    for t, part in zip(times, parts, strict=True):
        inside = [i for i, s in enumerate(spans) if t is not None and s.part == part and s.start <= t <= s.end]
        owners.append(max(inside, key=lambda i: spans[i].start) if inside else -1)
    return owners


def _record_owners(spans: list[Span], records: dict[str, np.ndarray]) -> np.ndarray:
    """`_owners` for the record columns, vectorised: the session index of every record, -1 for none."""
    times, owners = records["timestamp"], np.full(len(records["timestamp"]), -1)
    for i in sorted(range(len(spans)), key=lambda i: spans[i].start):
        inside = (times >= spans[i].start) & (times <= spans[i].end)
        owners[inside if len(spans) == 1 else inside & (records["part"] == spans[i].part)] = i
    return owners


def _lap_time(lap: dict[str, Any]) -> float | None:
    """A lap's midpoint, so a lap is never given to the neighbouring leg it merely touches."""
    start, elapsed = lap.get("start_time"), _float(lap.get("total_elapsed_time"))
    if start is not None and elapsed is not None:
        return start + elapsed / 2
    return start if start is not None else lap.get("timestamp")


def _set_time(fit_set: dict[str, Any]) -> float | None:
    return fit_set.get("start_time", fit_set.get("timestamp"))


def _summary_from_records(activity: FitActivity) -> dict[str, Any]:
    """A session summary for a file with records but no session message."""
    records = activity.records
    times = records["timestamp"][np.isfinite(records["timestamp"])]
    if not len(times):
        return {}
    distances = records["distance"][np.isfinite(records["distance"])]
    heart_rates = records["heart_rate"][np.isfinite(records["heart_rate"])]
    sport = activity.sports[0] if activity.sports else {}
    return {
        "start_time": times[0],
        "total_elapsed_time": times[-1] - times[0],
        "total_timer_time": _timer_time(activity.events),
        "total_distance": distances[-1] if len(distances) else None,
        "avg_heart_rate": round(heart_rates.mean()) if len(heart_rates) else None,
        "max_heart_rate": heart_rates.max() if len(heart_rates) else None,
        "sport": sport.get("sport"),
        "sub_sport": sport.get("sub_sport"),
    }


def _timer_time(events: list[dict[str, Any]]) -> float | None:
    """Seconds the timer ran, from timer start/stop events; None when the file has none."""
    running_since, total = None, 0.0
    for event in events:
        kind, t = event.get("event_type"), event["timestamp"]
        if kind == "start" and running_since is None:
            running_since = t
        elif kind in _TIMER_STOPS and running_since is not None:
            total, running_since = total + t - running_since, None
    return total if events else None


def _utc_offset(activity: FitActivity, start: datetime, tz: ZoneInfo) -> tuple[int, str | None]:
    """The file's own offset (activity.local_timestamp − timestamp, to 15 min) when sane, else tz's at start."""
    if activity.local_timestamp is not None and activity.timestamp is not None:
        offset = round((activity.local_timestamp - activity.timestamp) / 900) * 900
        if abs(offset) <= MAX_UTC_OFFSET_S:
            return int(offset), None
    utc_offset = start.astimezone(tz).utcoffset()
    return int(utc_offset.total_seconds()) if utc_offset else 0, tz.key


def to_sport(fit_sport: Any, fit_sub_sport: Any) -> tuple[str, str | None]:
    """FIT sport / sub_sport → (runsync sport, sub_sport); transition legs become other/transition."""
    sub_sport = None if fit_sub_sport is None else str(fit_sub_sport)
    if fit_sport == "transition":
        return "other", "transition"
    if fit_sport == "running":
        return _RUN_SUB_SPORTS.get(sub_sport or "", "run"), sub_sport
    if fit_sport in ("training", "fitness_equipment") and sub_sport == "strength_training":
        return "strength", sub_sport
    return _SPORTS.get(str(fit_sport), "other"), sub_sport


def to_lap(lap: dict[str, Any]) -> Lap:
    """A FIT lap (which has a start_time or an end timestamp) as the model's Lap."""
    elapsed_s = _float(lap.get("total_elapsed_time")) or 0.0
    start = lap["start_time"] if "start_time" in lap else lap["timestamp"] - elapsed_s
    speed = lap.get("enhanced_avg_speed", lap.get("avg_speed"))
    intensity = lap.get("intensity")
    trigger = str(lap.get("lap_trigger"))
    return Lap(
        start=datetime.fromtimestamp(start, UTC),
        elapsed_s=elapsed_s,
        timer_s=_float(lap.get("total_timer_time")),
        distance_m=_float(lap.get("total_distance")),
        avg_hr=_float(lap.get("avg_heart_rate")),
        max_hr=_float(lap.get("max_heart_rate")),
        avg_speed_mps=_float(speed),
        intensity=intensity if intensity in _INTENSITIES else None,
        trigger="position" if trigger.startswith("position") else _TRIGGERS.get(trigger),
    )


def to_strength_set(fit_set: dict[str, Any]) -> StrengthSet:
    start = fit_set.get("start_time")
    category = fit_set.get("category")
    categories = category if isinstance(category, tuple | list) else (category,)
    names = [c for c in categories if isinstance(c, str) and c != "unknown"]
    reps = fit_set.get("repetitions")
    return StrengthSet(
        start=datetime.fromtimestamp(start, UTC) if start is not None else None,
        duration_s=_float(fit_set.get("duration")),
        reps=int(reps) if isinstance(reps, int | float) else None,
        weight_kg=_float(fit_set.get("weight")),
        exercise=names[0] if names else None,
        set_type="rest" if fit_set.get("set_type") == "rest" else "active",
    )


def to_samples(records: dict[str, np.ndarray], inside: np.ndarray, start: float, sport: str) -> pd.DataFrame | None:
    """The records selected by `inside` as the model's sample frame (t = elapsed seconds since `start`)."""
    if not inside.any():
        return None
    pick = {name: column[inside] for name, column in records.items()}
    columns = {
        "t": pick["timestamp"] - start,
        "distance_m": pick["distance"],
        "speed_mps": _first_of(pick["enhanced_speed"], pick["speed"]),
        "hr": pick["heart_rate"],
        "cadence_spm": _cadence_spm(pick, sport),
        "altitude_m": _first_of(pick["enhanced_altitude"], pick["altitude"]),
        "lat": pick["position_lat"] * _SEMICIRCLE_DEG,
        "lon": pick["position_long"] * _SEMICIRCLE_DEG,
    }
    return pd.DataFrame({name: columns[name].astype(np.float64, copy=False) for name in SAMPLE_COLUMNS})


def _cadence_spm(records: dict[str, np.ndarray], sport: str) -> np.ndarray:
    """Steps per minute: FIT running cadence counts strides (one foot), so twice cadence + fractional part."""
    cadence = records["cadence"]
    if sport not in _ON_FOOT:
        return np.full(len(cadence), np.nan)
    return 2.0 * (cadence + np.nan_to_num(records["fractional_cadence"]))


def _first_of(preferred: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(preferred), fallback, preferred)


def _float(value: Any) -> float | None:
    if isinstance(value, tuple | list):
        value = value[0] if value else None
    return float(value) if isinstance(value, int | float | np.number) else None
