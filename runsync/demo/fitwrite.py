"""Write FIT activity files the way a Garmin watch does, from a plain description of the activity.

Builds test fixtures and the demo athlete with runsync's own FIT encoder (runsync.demo.fitencode): a runner's
install needs no FIT-writing library.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import Any

from runsync.demo.fitencode import FitWriter
from runsync.demo.fitprofile import (
    ACTIVITY_MANUAL,
    EVENT,
    EVENT_TYPE,
    EXERCISE_CATEGORY,
    FILE_ACTIVITY,
    GARMIN_FR965,
    INTENSITY,
    LAP_TRIGGER,
    MANUFACTURER_GARMIN,
    SET_TYPE,
    SPORT,
    SUB_SPORT,
    TIMER_TRIGGER,
)
from runsync.demo.track import ActivitySpec, LiftSet, Sample, Segment, Track, TrackLap, laps, position, simulate
from runsync.demo.workouts import easy_run, intervals, long_run, strength_session, tempo_run

__all__ = [
    "ActivitySpec",
    "LiftSet",
    "Segment",
    "easy_run",
    "intervals",
    "long_run",
    "strength_session",
    "tempo_run",
    "write_activity",
    "write_file",
]

FIT_EPOCH_S = 631_065_600  # 1989-12-31T00:00:00Z in Unix seconds
SERIAL_NUMBER = 3_412_345_678
RECORD_LOCAL_ID = 3
Message = tuple[str, int, dict[str, Any]]  # (message name, local type, values by field name)


def write_activity(spec: ActivitySpec) -> bytes:
    """FIT bytes for `spec`: file_id, device_info, events, records, laps, sets, session, activity."""
    return encode(activity_messages(spec))


def activity_messages(spec: ActivitySpec) -> list[Message]:
    """Every message of the activity's file, in the order a watch writes them."""
    track = simulate(spec)
    track_laps = laps(spec, track)
    return [*_header_messages(spec), *_timeline(spec, track, _timed_messages(spec, track, track_laps)),
            _event(spec, track.end_t, "stop_all", "manual"), _session(spec, track, len(track_laps)),
            _activity(spec, track)]  # fmt: skip


def encode(messages: list[Message]) -> bytes:
    writer = FitWriter()
    for name, local_id, values in messages:
        writer.add(name, local_id, **values)
    return writer.to_bytes()


def write_file(spec: ActivitySpec, path: Path) -> Path:
    path.write_bytes(write_activity(spec))
    return path


def _ms(spec: ActivitySpec, t: float) -> int:
    return round(spec.start.timestamp() * 1000 + t * 1000)


def _header_messages(spec: ActivitySpec) -> list[Message]:
    file_id = {"type": FILE_ACTIVITY, "manufacturer": MANUFACTURER_GARMIN, "product": GARMIN_FR965,
               "serial_number": SERIAL_NUMBER, "time_created": _ms(spec, 0)}  # fmt: skip
    device = {"timestamp": _ms(spec, 0), "device_index": 0, "manufacturer": MANUFACTURER_GARMIN,
              "product": GARMIN_FR965, "serial_number": SERIAL_NUMBER, "software_version": 19.18}  # fmt: skip
    return [("file_id", 0, file_id), ("device_info", 1, device), _event(spec, 0, "start", "manual")]


def _event(spec: ActivitySpec, t: float, kind: str, trigger: str) -> Message:
    return ("event", 2, {"timestamp": _ms(spec, t), "event": EVENT["timer"], "event_type": EVENT_TYPE[kind],
                         "timer_trigger": TIMER_TRIGGER[trigger]})  # fmt: skip


def _timeline(spec: ActivitySpec, track: Track, timed: list[tuple[float, Message]]) -> list[Message]:
    """Records in time order, with pause events, laps and sets placed where a watch writes them."""
    pending = sorted(timed, key=lambda item: item[0])
    out: list[Message] = []
    for sample in track.samples:
        while pending and pending[0][0] < sample.t:
            out.append(pending.pop(0)[1])
        out.append(("record", RECORD_LOCAL_ID, _record_values(spec, sample)))
    return out + [message for _, message in pending]


def _record_values(spec: ActivitySpec, sample: Sample) -> dict[str, float | int | None]:
    """A record's values by field name (None: the field is absent)."""
    values: dict[str, Any] = {"timestamp": _ms(spec, sample.t), "heart_rate": sample.hr if spec.heart_rate else None}
    if spec.sub_sport == "strength_training":
        return values
    values["distance"] = sample.distance_m
    values["speed"] = values["enhanced_speed"] = sample.speed_mps
    if sample.cadence_spm is not None:
        strides = sample.cadence_spm / 2
        values["cadence"] = int(strides)
        values["fractional_cadence"] = strides - int(strides)
    if spec.sub_sport != "treadmill":
        values["enhanced_altitude"] = sample.altitude_m
        values["position_lat"], values["position_long"] = position(spec, sample.distance_m)
    return values


def _timed_messages(spec: ActivitySpec, track: Track, track_laps: list[TrackLap]) -> list[tuple[float, Message]]:
    items: list[tuple[float, Message]] = []
    for stop, restart in track.pauses:
        items.append((stop, _event(spec, stop, "stop_all", "auto")))
        items.append((restart, _event(spec, restart, "start", "auto")))
    items += [(lap.end_t + 0.1, _lap_message(spec, lap, index)) for index, lap in enumerate(track_laps)]
    items += _set_messages(spec)
    return items


def _stats(samples: list[Sample], distance_m: float, heart_rate: bool = True) -> dict[str, Any]:
    """Timer time, distance, HR and speed fields shared by lap and session."""
    values: dict[str, Any] = {"total_timer_time": float(len(samples)), "total_distance": distance_m}
    if samples:
        if heart_rate:
            values["avg_heart_rate"] = round(sum(s.hr for s in samples) / len(samples))
            values["max_heart_rate"] = max(s.hr for s in samples)
        values["avg_speed"] = values["enhanced_avg_speed"] = distance_m / len(samples)
    return values


def _lap_message(spec: ActivitySpec, lap: TrackLap, index: int) -> Message:
    end_distance = lap.samples[-1].distance_m if lap.samples else lap.start_distance_m
    values = {"message_index": index, "timestamp": _ms(spec, lap.end_t), "start_time": _ms(spec, lap.start_t),
              "event": EVENT["lap"], "event_type": EVENT_TYPE["stop"],
              "total_elapsed_time": float(lap.end_t - lap.start_t),
              **_stats(lap.samples, end_distance - lap.start_distance_m, spec.heart_rate),
              "intensity": INTENSITY[lap.intensity] if lap.intensity else None,
              "lap_trigger": LAP_TRIGGER[lap.trigger], "sport": SPORT[spec.sport]}  # fmt: skip
    return ("lap", 4, values)


def _set_messages(spec: ActivitySpec) -> list[tuple[float, Message]]:
    items: list[tuple[float, Message]] = []
    t = 0.0
    for index, lift in enumerate(spec.strength_sets):
        items.append((t + lift.duration_s, _set(spec, t, lift.duration_s, lift, index)))
        t += lift.duration_s
        if index < len(spec.strength_sets) - 1:
            items.append((t + spec.set_rest_s, _set(spec, t, spec.set_rest_s, None, index)))
            t += spec.set_rest_s
    return items


def _set(spec: ActivitySpec, t: float, duration_s: float, lift: LiftSet | None, index: int) -> Message:
    values: dict[str, Any] = {"timestamp": _ms(spec, t + duration_s), "start_time": _ms(spec, t),
                              "duration": duration_s, "set_type": SET_TYPE["active" if lift else "rest"],
                              "message_index": 2 * index + (0 if lift else 1)}  # fmt: skip
    if lift:
        values["repetitions"] = lift.reps
        values["weight"] = lift.weight_kg
        values["category"] = [EXERCISE_CATEGORY[lift.exercise]] if lift.exercise else None
    return ("set", 5, values)


def _session(spec: ActivitySpec, track: Track, num_laps: int) -> Message:
    distance = track.samples[-1].distance_m if track.samples else 0.0
    altitudes = [s.altitude_m for s in track.samples]
    values = {"message_index": 0, "timestamp": _ms(spec, track.end_t), "start_time": _ms(spec, 0),
              "event": EVENT["session"], "event_type": EVENT_TYPE["stop"], "sport": SPORT[spec.sport],
              "sub_sport": SUB_SPORT[spec.sub_sport], "total_elapsed_time": float(track.end_t),
              **_stats(track.samples, distance, spec.heart_rate),
              "total_ascent": round(sum(max(0.0, b - a) for a, b in pairwise(altitudes))), "num_laps": num_laps,
              "first_lap_index": 0}  # fmt: skip
    return ("session", 6, values)


def _activity(spec: ActivitySpec, track: Track) -> Message:
    values: dict[str, Any] = {"timestamp": _ms(spec, track.end_t), "total_timer_time": float(len(track.samples)),
                              "num_sessions": 1, "type": ACTIVITY_MANUAL, "event": EVENT["activity"],
                              "event_type": EVENT_TYPE["stop"]}  # fmt: skip
    if spec.utc_offset_s is not None:
        end_unix = round(spec.start.timestamp()) + track.end_t
        values["local_timestamp"] = end_unix + spec.utc_offset_s - FIT_EPOCH_S
    return ("activity", 7, values)
