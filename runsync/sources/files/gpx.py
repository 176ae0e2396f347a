"""GPX (phone apps, Strava, Polar, Suunto, Coros and older watches) → sessions, read with gpxpy: one session per
track that has time stamps; heart rate and cadence from the Garmin TrackPointExtension (or any extension element
named hr / heartrate / cad / cadence); distance from the positions; sport from the track's <type>, else run.
A GPX with no time stamps (a planned route) is not a session: DecodeError says so."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import gpxpy
import gpxpy.gpx
import numpy as np

from runsync.errors import DecodeError
from runsync.model import Session
from runsync.sources.files.track import Points, sport_of, track_session
from runsync.sources.files.xml import xml_text

HR_NAMES, CADENCE_NAMES = frozenset({"hr", "heartrate"}), frozenset({"cad", "cadence", "runcadence"})


def normalise_gpx(data: bytes, *, athlete: str, digest: str, path: str, tz: ZoneInfo) -> list[Session]:
    text = xml_text(data, "GPX")
    try:
        document = gpxpy.parse(text)
    except (gpxpy.gpx.GPXException, ValueError) as exc:
        raise DecodeError(f"not a readable GPX file: {exc}") from None
    tracks = [t for t in document.tracks if any(p.time for s in t.segments for p in s.points)]
    if not tracks:
        raise DecodeError("no time stamps in the GPX file: a route or a track without times cannot be a session")
    return [track_session(_points(track), kind="gpx", digest=digest, path=path, athlete=athlete, tz=tz,
                          sport=sport_of(track.type), name=track.name or document.name,
                          index=i if len(tracks) > 1 else None) for i, track in enumerate(tracks)]  # fmt: skip


def _points(track: gpxpy.gpx.GPXTrack) -> Points:
    points = [p for segment in track.segments for p in segment.points if p.time is not None]
    extras = [_extensions(p) for p in points]
    return Points(
        times=np.array([p.time.timestamp() for p in points], dtype=float),
        lat=np.array([_num(p.latitude) for p in points]),
        lon=np.array([_num(p.longitude) for p in points]),
        altitude_m=np.array([_num(p.elevation) for p in points]),
        hr=np.array([e.get("hr", np.nan) for e in extras]),
        cadence_spm=np.array([_spm(e.get("cad", np.nan), track.type) for e in extras]),
    )


def _extensions(point: gpxpy.gpx.GPXTrackPoint) -> dict[str, float]:
    """hr and cad from the point's extension elements, whatever their namespace."""
    found: dict[str, float] = {}
    for extension in point.extensions:
        for element in extension.iter():
            local = str(element.tag).rsplit("}", 1)[-1].lower()
            key = "hr" if local in HR_NAMES else "cad" if local in CADENCE_NAMES else None
            if key and element.text:
                try:
                    found[key] = float(element.text)
                except ValueError:
                    continue
    return found


def _spm(cadence: float, track_type: str | None) -> float:
    """GPX cadence of a run counts strides (one foot): steps per minute are twice that."""
    return cadence * 2 if sport_of(track_type) in ("run", "trail_run", "treadmill_run", "walk") else np.nan


def _num(value: float | None) -> float:
    return float(value) if value is not None else np.nan
