"""A tiny FIT writer for connector tests (fit-tool): a run with optional pause and local time, a strength session."""

from __future__ import annotations

from datetime import datetime

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.messages.set_message import SetMessage
from fit_tool.profile.profile_type import (
    Event,
    EventType,
    ExerciseCategory,
    FileType,
    Intensity,
    LapTrigger,
    SetType,
    Sport,
    SubSport,
)

FIT_EPOCH_S = 631065600


def ms(t: datetime) -> int:
    """fit-tool takes date_time values as unix milliseconds."""
    return round(t.timestamp() * 1000)


def fit_bytes(messages: list) -> bytes:
    builder = FitFileBuilder()
    builder.add_all(messages)
    return builder.build().to_bytes()


def file_id(created: datetime) -> FileIdMessage:
    message = FileIdMessage()
    message.type = FileType.ACTIVITY
    message.time_created = ms(created)
    return message


def timer_event(t: datetime, kind: EventType) -> EventMessage:
    message = EventMessage()
    message.timestamp, message.event, message.event_type = ms(t), Event.TIMER, kind
    return message


def record(t: datetime, distance_m: float, speed_mps: float) -> RecordMessage:
    message = RecordMessage()
    message.timestamp, message.distance, message.speed = ms(t), distance_m, speed_mps
    message.heart_rate, message.cadence = 150, 85
    return message


def run_file(
    start: datetime,
    seconds: int,
    *,
    pause: tuple[int, int] | None = None,
    local_offset_s: int | None = None,
    speed_mps: float = 3.0,
) -> bytes:
    """A run of `seconds` elapsed, 1 Hz records, no records (and timer stopped) during `pause` (from, to) seconds."""
    paused = range(*pause) if pause else range(0)
    messages: list = [file_id(start), timer_event(start, EventType.START)]
    distance = 0.0
    for second in range(seconds + 1):
        if second in paused:
            if second == paused.start:
                messages.append(timer_event(_at(start, second), EventType.STOP_ALL))
            continue
        if pause and second == paused.stop:
            messages.append(timer_event(_at(start, second), EventType.START))
        distance += speed_mps if second and second not in paused else 0.0
        messages.append(record(_at(start, second), distance, speed_mps))
    end = _at(start, seconds)
    timer_s = seconds - len(paused)
    messages.append(timer_event(end, EventType.STOP_ALL))
    messages += [
        _summary(LapMessage(), start, end, seconds, timer_s, distance),
        _summary(SessionMessage(), start, end, seconds, timer_s, distance),
        _activity(end, timer_s, local_offset_s),
    ]
    return fit_bytes(messages)


def _at(start: datetime, second: int) -> datetime:
    return datetime.fromtimestamp(start.timestamp() + second, start.tzinfo)


def _summary(message, start: datetime, end: datetime, elapsed: float, timer: float, distance: float):
    message.timestamp, message.start_time = ms(end), ms(start)
    message.total_elapsed_time, message.total_timer_time, message.total_distance = elapsed, timer, distance
    message.avg_heart_rate, message.max_heart_rate = 150, 150
    if isinstance(message, LapMessage):
        message.intensity, message.lap_trigger = Intensity.ACTIVE, LapTrigger.SESSION_END
    else:
        message.sport, message.sub_sport = Sport.RUNNING, SubSport.GENERIC
    return message


def _activity(end: datetime, timer_s: float, local_offset_s: int | None) -> ActivityMessage:
    message = ActivityMessage()
    message.timestamp, message.total_timer_time, message.num_sessions = ms(end), timer_s, 1
    if local_offset_s is not None:
        message.local_timestamp = round(end.timestamp()) + local_offset_s - FIT_EPOCH_S
    return message


def strength_file(start: datetime, sets: list[tuple[int, float, int]]) -> bytes:
    """A strength session: (reps, weight_kg, seconds) active sets of squats, each followed by a 60 s rest."""
    messages: list = [file_id(start)]
    t = start.timestamp()
    for reps, weight_kg, seconds in sets:
        messages.append(_set(t, seconds, SetType.ACTIVE, reps, weight_kg))
        messages.append(_set(t + seconds, 60, SetType.REST))
        t += seconds + 60
    end = datetime.fromtimestamp(t, start.tzinfo)
    session = _summary(SessionMessage(), start, end, t - start.timestamp(), t - start.timestamp(), 0.0)
    session.sport, session.sub_sport = Sport.TRAINING, SubSport.STRENGTH_TRAINING
    return fit_bytes([*messages, session])


def _set(t: float, seconds: float, kind: SetType, reps: int | None = None, weight_kg: float | None = None):
    message = SetMessage()
    message.timestamp = round((t + seconds) * 1000)
    message.start_time = round(t * 1000)
    message.duration, message.set_type = seconds, kind
    if kind == SetType.ACTIVE:
        message.repetitions, message.weight = reps, weight_kg
        message.category = [ExerciseCategory.SQUAT.value]
    return message
