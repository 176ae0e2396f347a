"""Write FIT activity files the way a Garmin watch does, from a plain description of the activity.

Builds test fixtures and the demo athlete; the only module besides tests that imports fit_tool.
"""

from __future__ import annotations

import struct
from itertools import pairwise
from pathlib import Path
from typing import Any

from fit_tool.data_message import DataMessage
from fit_tool.definition_message import DefinitionMessage
from fit_tool.fit_file_header import FitFileHeader
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.device_info_message import DeviceInfoMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.messages.set_message import SetMessage
from fit_tool.profile.profile_type import (
    Activity,
    Event,
    EventType,
    ExerciseCategory,
    FileType,
    GarminProduct,
    Intensity,
    LapTrigger,
    Manufacturer,
    SetType,
    Sport,
    SubSport,
    TimerTrigger,
)
from fit_tool.record import Record
from fit_tool.utils.crc import crc16

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


class _Writer:
    """Encodes messages as they come (fit-tool's FitFileBuilder keeps every message object: slow)."""

    def __init__(self) -> None:
        self.body: list[bytes] = []
        self.definitions: dict[int, bytes] = {}

    def add(self, message: DataMessage) -> None:
        definition = DefinitionMessage.from_data_message(message)
        encoded = Record.from_message(definition).to_bytes()
        if self.definitions.get(message.local_id) != encoded:
            self.definitions[message.local_id] = encoded
            self.body.append(encoded)
        message.set_definition_message(definition)
        self.body.append(Record.from_message(message).to_bytes())

    def add_record(self, values: dict[str, float | int]) -> None:
        """A record message from its values by name (None: absent), packed as fit-tool would pack it."""
        definition, layout, fields = _record_layout(values)
        if self.definitions.get(RECORD_LOCAL_ID) != definition:
            self.definitions[RECORD_LOCAL_ID] = definition
            self.body.append(definition)
        self.body.append(layout.pack(RECORD_LOCAL_ID, *(_encode(values[name], scale, offset)
                                                         for name, scale, offset in fields)))  # fmt: skip

    def to_bytes(self) -> bytes:
        body = b"".join(self.body)
        header = FitFileHeader(records_size=len(body), gen_crc=True).to_bytes()
        return header + body + struct.pack("<H", crc16(header + body))


RECORD_LOCAL_ID = 3
_CODES = {"UINT8": "B", "SINT8": "b", "UINT16": "H", "SINT16": "h", "UINT32": "I", "SINT32": "i", "ENUM": "B"}
Layout = tuple[bytes, struct.Struct, list[tuple[str, float, float]]]
_LAYOUTS: dict[tuple[str, ...], Layout] = {}


def _record_layout(values: dict[str, Any]) -> Layout:
    """For records with these fields present: fit-tool's definition message, a struct that packs the header byte and
    the fields in the definition's order, and each field's (name, scale, offset). fit-tool encodes records field
    object by field object, ~30x slower for 1 Hz records; this packs what it would (tests/test_fitwrite.py)."""
    names = tuple(name for name, value in values.items() if value is not None)
    if names not in _LAYOUTS:
        probe = RecordMessage(local_id=RECORD_LOCAL_ID)
        for name in names:
            setattr(probe, name, values[name])
        definition = Record.from_message(DefinitionMessage.from_data_message(probe)).to_bytes()
        fields = [f for f in probe.fields if f.is_valid()]
        layout = struct.Struct("<B" + "".join(_CODES[f.base_type.name] for f in fields))
        _LAYOUTS[names] = (definition, layout, [(f.name, f.scale or 1.0, f.offset or 0.0) for f in fields])
    return _LAYOUTS[names]


def _encode(value: float | int, scale: float, offset: float) -> int:
    """fit-tool's encoding of a field value: round((value + offset) × scale), or int(value) when unscaled."""
    if scale == 1.0 and offset == 0.0:
        return int(value)
    return round((value + offset) * scale)


def write_activity(spec: ActivitySpec, *, reference: bool = False) -> bytes:
    """FIT bytes for `spec`: file_id, device_info, events, records, laps, sets, session, activity."""
    track = simulate(spec)
    writer = _Writer()
    for message in _header_messages(spec):
        writer.add(message)
    track_laps = laps(spec, track)
    _write_timeline(writer, spec, track, _timed_messages(spec, track, track_laps), reference=reference)
    writer.add(_event(spec, track.end_t, EventType.STOP_ALL, TimerTrigger.MANUAL))
    writer.add(_session(spec, track, len(track_laps)))
    writer.add(_activity(spec, track))
    return writer.to_bytes()


def write_file(spec: ActivitySpec, path: Path) -> Path:
    path.write_bytes(write_activity(spec))
    return path


def _ms(spec: ActivitySpec, t: float) -> int:
    return round(spec.start.timestamp() * 1000 + t * 1000)


def _header_messages(spec: ActivitySpec) -> list[DataMessage]:
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.GARMIN
    file_id.product = GarminProduct.FR965.value
    file_id.serial_number = SERIAL_NUMBER
    file_id.time_created = _ms(spec, 0)
    device = DeviceInfoMessage(local_id=1)
    device.timestamp = _ms(spec, 0)
    device.device_index = 0
    device.manufacturer = Manufacturer.GARMIN
    device.product = GarminProduct.FR965.value
    device.serial_number = SERIAL_NUMBER
    device.software_version = 19.18
    return [file_id, device, _event(spec, 0, EventType.START, TimerTrigger.MANUAL)]


def _event(spec: ActivitySpec, t: int, kind: EventType, trigger: TimerTrigger) -> EventMessage:
    event = EventMessage(local_id=2)
    event.timestamp = _ms(spec, t)
    event.event = Event.TIMER
    event.event_type = kind
    event.timer_trigger = trigger
    return event


def _write_timeline(writer: _Writer, spec: ActivitySpec, track: Track, timed: list[tuple[float, DataMessage]],
                    *, reference: bool = False) -> None:  # fmt: skip
    """Records in time order, with pause events, laps and sets placed where a watch writes them. `reference`:
    records built as fit-tool messages (the slow path the fast one is tested against)."""
    pending = sorted(timed, key=lambda item: item[0])
    record = RecordMessage(local_id=RECORD_LOCAL_ID)
    for sample in track.samples:
        while pending and pending[0][0] < sample.t:
            writer.add(pending.pop(0)[1])
        if reference:
            writer.add(_fill_record(record, spec, sample))
        else:
            writer.add_record(_record_values(spec, sample))
    for _, message in pending:
        writer.add(message)


def _record_values(spec: ActivitySpec, sample: Sample) -> dict[str, float | int]:
    """A record's values by field name, in the message's field order (None: the field is absent)."""
    values: dict[str, Any] = dict.fromkeys(_RECORD_ORDER)
    values["timestamp"] = _ms(spec, sample.t)
    values["heart_rate"] = sample.hr if spec.heart_rate else None
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


_RECORD_ORDER = [f.name for f in RecordMessage().fields]


def _timed_messages(spec: ActivitySpec, track: Track, track_laps: list[TrackLap]) -> list[tuple[float, DataMessage]]:
    items: list[tuple[float, DataMessage]] = []
    for stop, restart in track.pauses:
        items.append((stop, _event(spec, stop, EventType.STOP_ALL, TimerTrigger.AUTO)))
        items.append((restart, _event(spec, restart, EventType.START, TimerTrigger.AUTO)))
    items += [(lap.end_t + 0.1, _lap_message(spec, lap, index)) for index, lap in enumerate(track_laps)]
    items += _set_messages(spec)
    return items


def _fill_record(record: RecordMessage, spec: ActivitySpec, sample: Sample) -> RecordMessage:
    """The same values set on fit-tool's message (None: the field is absent)."""
    for name, value in _record_values(spec, sample).items():
        setattr(record, name, value)
    return record


def _stats(message: Any, samples: list[Sample], distance_m: float, heart_rate: bool = True) -> None:
    """Timer time, distance, HR and speed fields shared by lap and session."""
    message.total_timer_time = float(len(samples))
    message.total_distance = distance_m
    if samples:
        if heart_rate:
            message.avg_heart_rate = round(sum(s.hr for s in samples) / len(samples))
            message.max_heart_rate = max(s.hr for s in samples)
        message.avg_speed = message.enhanced_avg_speed = distance_m / len(samples)


def _lap_message(spec: ActivitySpec, lap: TrackLap, index: int) -> LapMessage:
    message = LapMessage(local_id=4)
    message.message_index = index
    message.timestamp = _ms(spec, lap.end_t)
    message.start_time = _ms(spec, lap.start_t)
    message.event, message.event_type = Event.LAP, EventType.STOP
    message.total_elapsed_time = float(lap.end_t - lap.start_t)
    end_distance = lap.samples[-1].distance_m if lap.samples else lap.start_distance_m
    _stats(message, lap.samples, end_distance - lap.start_distance_m, spec.heart_rate)
    if lap.intensity:
        message.intensity = Intensity[lap.intensity.upper()]
    message.lap_trigger = LapTrigger[lap.trigger.upper()]
    message.sport = Sport[spec.sport.upper()]
    return message


def _set_messages(spec: ActivitySpec) -> list[tuple[float, DataMessage]]:
    items: list[tuple[float, DataMessage]] = []
    t = 0.0
    for index, lift in enumerate(spec.strength_sets):
        items.append((t + lift.duration_s, _set(spec, t, lift.duration_s, lift, index)))
        t += lift.duration_s
        if index < len(spec.strength_sets) - 1:
            items.append((t + spec.set_rest_s, _set(spec, t, spec.set_rest_s, None, index)))
            t += spec.set_rest_s
    return items


def _set(spec: ActivitySpec, t: float, duration_s: float, lift: LiftSet | None, index: int) -> SetMessage:
    message = SetMessage(local_id=5)
    message.timestamp = _ms(spec, t + duration_s)
    message.start_time = _ms(spec, t)
    message.duration = duration_s
    message.set_type = SetType.ACTIVE if lift else SetType.REST
    message.message_index = 2 * index + (0 if lift else 1)
    if lift:
        message.repetitions = lift.reps
        if lift.weight_kg is not None:
            message.weight = lift.weight_kg
        if lift.exercise:
            message.category = [ExerciseCategory[lift.exercise.upper()].value]
    return message


def _session(spec: ActivitySpec, track: Track, num_laps: int) -> SessionMessage:
    message = SessionMessage(local_id=6)
    message.message_index = 0
    message.timestamp = _ms(spec, track.end_t)
    message.start_time = _ms(spec, 0)
    message.event, message.event_type = Event.SESSION, EventType.STOP
    message.sport = Sport[spec.sport.upper()]
    message.sub_sport = SubSport[spec.sub_sport.upper()]
    message.total_elapsed_time = float(track.end_t)
    distance = track.samples[-1].distance_m if track.samples else 0.0
    _stats(message, track.samples, distance, spec.heart_rate)
    altitudes = [s.altitude_m for s in track.samples]
    message.total_ascent = round(sum(max(0.0, b - a) for a, b in pairwise(altitudes)))
    message.num_laps = num_laps
    message.first_lap_index = 0
    return message


def _activity(spec: ActivitySpec, track: Track) -> ActivityMessage:
    message = ActivityMessage(local_id=7)
    message.timestamp = _ms(spec, track.end_t)
    message.total_timer_time = float(len(track.samples))
    message.num_sessions = 1
    message.type = Activity.MANUAL
    message.event, message.event_type = Event.ACTIVITY, EventType.STOP
    if spec.utc_offset_s is not None:
        end_unix = round(spec.start.timestamp()) + track.end_t
        message.local_timestamp = end_unix + spec.utc_offset_s - FIT_EPOCH_S
    return message
