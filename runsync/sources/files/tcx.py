"""TCX (Garmin Training Center, exports of most platforms) → sessions, read with lxml by local name, so every
TrainingCenterDatabase namespace version reads alike: one session per <Activity>, laps with their start, timer time,
distance, heart rate, Intensity (Active → active, Resting → rest) and TriggerMethod, track points with time,
position, altitude, distance, heart rate and cadence (RunCadence counts strides: steps per minute are twice it).

tcxreader was tried first: it drops laps without track points (a paused standing rest), does not read a lap's
Intensity or TriggerMethod, and knows only the v2 namespace; interval sessions need all three."""

from __future__ import annotations

import functools
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from lxml import etree

from runsync.errors import DecodeError
from runsync.model import Lap, Session
from runsync.sources.files.track import Points, sport_of, track_session
from runsync.sources.files.xml import local, parse_xml

INTENSITIES = {"active": "active", "resting": "rest"}
TRIGGERS = {"manual": "manual", "distance": "distance", "time": "time", "location": "position", "position": "position",
            "heartrate": "manual"}  # fmt: skip
ON_FOOT = ("run", "trail_run", "treadmill_run", "walk")


def normalise_tcx(data: bytes, *, athlete: str, digest: str, path: str, tz: ZoneInfo) -> list[Session]:
    root = parse_xml(data, "TCX")
    if local(root) != "TrainingCenterDatabase":
        raise DecodeError(f"not a TCX file (the document is <{local(root)}>, not <TrainingCenterDatabase>)")
    activities = _all(root, "Activities/Activity")
    if not activities:
        raise DecodeError("no activity in the TCX file (a course or a workout plan is not a session)")
    sessions = []
    for index, activity in enumerate(activities):
        sport = sport_of(activity.get("Sport"))
        points = [p for p in _all(activity, "Lap/Track/Trackpoint") if _time(_text(p, "Time")) is not None]
        laps = tuple(_lap(lap, activity_laps=_all(activity, "Lap"), index=i) for i, lap in
                     enumerate(_all(activity, "Lap")) if _time(lap.get("StartTime")) is not None)  # fmt: skip
        name = _text(activity, "Notes") or _text(activity, "Name")
        sessions.append(track_session(_points(points, sport), kind="tcx", digest=digest, path=path, athlete=athlete,
                                      tz=tz, sport=sport, name=name, laps=laps,
                                      index=index if len(activities) > 1 else None))  # fmt: skip
    return sessions


def _points(points: list[etree._Element], sport: str) -> Points:
    cadence = np.array([_num(_text(p, "Extensions/TPX/RunCadence")) * 2 if sport in ON_FOOT
                        else _num(_text(p, "Cadence")) for p in points])  # fmt: skip
    distance = np.array([_num(_text(p, "DistanceMeters")) for p in points])
    return Points(
        times=np.array([_time(_text(p, "Time")).timestamp() for p in points], dtype=float),
        lat=np.array([_num(_text(p, "Position/LatitudeDegrees")) for p in points]),
        lon=np.array([_num(_text(p, "Position/LongitudeDegrees")) for p in points]),
        altitude_m=np.array([_num(_text(p, "AltitudeMeters")) for p in points]),
        hr=np.array([_num(_text(p, "HeartRateBpm/Value")) for p in points]),
        cadence_spm=cadence,
        distance_m=distance if np.isfinite(distance).any() else None,
        speed_mps=np.array([_num(_text(p, "Extensions/TPX/Speed")) for p in points]),
    )


def _lap(lap: etree._Element, *, activity_laps: list[etree._Element], index: int) -> Lap:
    """Elapsed time runs to the next lap's start (TotalTimeSeconds is the timer's); the last lap to its last point."""
    start = _time(lap.get("StartTime"))
    timer = _num(_text(lap, "TotalTimeSeconds"))
    following = _time(activity_laps[index + 1].get("StartTime")) if index + 1 < len(activity_laps) else None
    times = [t for p in _all(lap, "Track/Trackpoint") if (t := _time(_text(p, "Time"))) is not None]
    end = following or (max(times) if times else None)
    elapsed = (end - start).total_seconds() if end and end > start else (timer if np.isfinite(timer) else 0.0)
    distance = _num(_text(lap, "DistanceMeters"))
    speed = _num(_text(lap, "Extensions/LX/AvgSpeed"))
    return Lap(
        start=start,
        elapsed_s=float(elapsed),
        timer_s=_opt(timer),
        distance_m=_opt(distance),
        avg_hr=_opt(_num(_text(lap, "AverageHeartRateBpm/Value"))),
        max_hr=_opt(_num(_text(lap, "MaximumHeartRateBpm/Value"))),
        avg_speed_mps=_opt(speed),
        intensity=INTENSITIES.get((_text(lap, "Intensity") or "").lower()),
        trigger=TRIGGERS.get((_text(lap, "TriggerMethod") or "").lower()),
    )


@functools.lru_cache(maxsize=64)
def _xpath(path: str) -> etree.XPath:
    """`path` ("Lap/Track/Trackpoint") by local names, compiled once."""
    return etree.XPath("/".join(f"*[local-name()='{step}']" for step in path.split("/")))


def _all(element: etree._Element, path: str) -> list[etree._Element]:
    return _xpath(path)(element)


def _text(element: etree._Element, path: str) -> str | None:
    found = _xpath(path)(element)
    return found[0].text.strip() if found and found[0].text else None


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _num(text: str | None) -> float:
    try:
        return float(text) if text is not None else np.nan
    except ValueError:
        return np.nan


def _opt(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
