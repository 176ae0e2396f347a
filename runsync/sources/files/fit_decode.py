"""FIT bytes → `FitActivity`, a small plain intermediate; the only module (with fit.py) that imports fitdecode.

Decoding is strict (CRC checked, malformed data raises) and every failure becomes a `DecodeError` whose
one-line reason names what is wrong and where, never the file (the caller adds that). Each frame is decoded
once; record fields go into one python list per record and become numpy columns at the end.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import fitdecode
import numpy as np
from fitdecode.types import DevField

from runsync.errors import DecodeError

FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z as a unix time: FIT date_time values count from there
FIT_DATETIME_MIN = 0x10000000  # smaller date_time values are seconds since the device was switched on
RECORD_COLUMNS = (
    "timestamp",
    "distance",
    "enhanced_speed",
    "speed",
    "heart_rate",
    "cadence",
    "fractional_cadence",
    "enhanced_altitude",
    "altitude",
    "position_lat",
    "position_long",
)
_RECORD_INDEX = {name: i for i, name in enumerate(RECORD_COLUMNS)}
_TIME_FIELDS = ("timestamp", "start_time", "local_timestamp", "time_created")
_SUMMARY_MESSAGES = {"file_id", "session", "lap", "set", "event", "activity", "sport"}
_MESG_NUM = {mesg.name: num for num, mesg in fitdecode.profile.MESSAGE_TYPES.items()}
_RECORD_NUM = _MESG_NUM["record"]
_SUMMARY_NUMS = {_MESG_NUM[name]: name for name in _SUMMARY_MESSAGES}
_NON_ACTIVITY_TYPES = {"settings", "sport", "workout", "course", "schedules", "weight", "totals", "goals"}
_NON_ACTIVITY_TYPES |= {"blood_pressure", "monitoring_a", "monitoring_b", "monitoring_daily", "segment"}


@dataclass
class FitActivity:
    """What runsync needs from one FIT file (all its chained parts). Times are unix seconds (UTC)."""

    name: str
    file_types: list[str] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    laps: list[dict[str, Any]] = field(default_factory=list)
    sets: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)  # timer start/stop only
    sports: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, np.ndarray] = field(default_factory=dict)  # RECORD_COLUMNS → float64 (NaN = missing), part
    local_timestamp: float | None = None  # activity message: wall-clock time at `timestamp`
    timestamp: float | None = None

    def shifted(self, seconds: float) -> FitActivity:
        """A copy with every time moved by `seconds` (to put a device clock on UTC); the activity offset is dropped."""

        def move(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: v + seconds if k in _TIME_FIELDS else v for k, v in item.items()} for item in items]

        records = {**self.records, "timestamp": self.records["timestamp"] + seconds}
        moved = {name: move(getattr(self, name)) for name in ("sessions", "laps", "sets", "events", "sports")}
        return replace(self, **moved, records=records, local_timestamp=None, timestamp=None)


def decode_fit(data: bytes, *, name: str) -> FitActivity | None:
    """Decode FIT bytes; None when the file is not an activity; DecodeError (one-line reason) when unreadable."""
    if not data:
        raise DecodeError("empty file (0 bytes)")
    collector = _Collector(name)
    try:
        activity = _decode_strict(data, collector)
    except fitdecode.FitError as exc:
        raise DecodeError(describe_fit_error(exc, len(data), collector.record_count)) from exc
    except Exception as exc:  # fitdecode can trip over garbage in ways it does not wrap (struct, index, ...)
        reason = f"malformed FIT data ({type(exc).__name__}: {exc}) after {collector.record_count:,} records"
        raise DecodeError(reason) from exc
    return activity if _is_activity(activity) else None


def _decode_strict(data: bytes, collector: _Collector) -> FitActivity:
    """Strict decode; a field size that is not a multiple of its type's size is read as bytes (as fitdecode
    does when not strict: COROS watches write such fields), every other irregularity raises."""
    try:
        return _decode(data, collector, fitdecode.ErrorHandling.RAISE)
    except fitdecode.FitParseError as exc:
        if "invalid field size" not in str(exc):
            raise
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _decode(data, collector.restart(), fitdecode.ErrorHandling.WARN)


def _decode(data: bytes, collector: _Collector, errors: fitdecode.ErrorHandling) -> FitActivity:
    reader = fitdecode.FitReader(data, processor=None, check_crc=fitdecode.CrcCheck.RAISE, error_handling=errors)
    try:
        collector.collect(reader)
    finally:
        reader.close()
    return collector.finish()


class _Collector:
    """Accumulates the messages runsync uses while the reader yields frames; `part` counts chained FIT files."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.restart()

    def restart(self) -> _Collector:
        self.activity = FitActivity(self.name)
        self.rows: list[list[float]] = []
        self.part_starts: list[int] = []  # row index where each chained part's records begin
        return self

    @property
    def record_count(self) -> int:
        return len(self.rows)

    def collect(self, frames: Iterable[Any]) -> None:
        data_frame, header_frame = fitdecode.FIT_FRAME_DATA, fitdecode.FIT_FRAME_HEADER
        rows, summary_nums = self.rows, _SUMMARY_NUMS
        for frame in frames:
            frame_type = frame.frame_type
            if frame_type == data_frame:
                mesg_num = frame.def_mesg.global_mesg_num
                if mesg_num == _RECORD_NUM:
                    rows.append(_record_row(frame.fields))
                elif mesg_num in summary_nums:
                    self._add_summary(summary_nums[mesg_num], _summary_dict(frame.fields))
            elif frame_type == header_frame:
                self.part_starts.append(len(rows))

    def _add_summary(self, kind: str, values: dict[str, Any]) -> None:
        add_summary(self.activity, kind, values, part=len(self.part_starts) - 1)

    def finish(self) -> FitActivity:
        count = len(self.rows)
        table = np.array(self.rows, dtype=np.float64).reshape(count, len(RECORD_COLUMNS))
        records = {name: table[:, i] for i, name in enumerate(RECORD_COLUMNS)}
        records["part"] = np.repeat(np.arange(len(self.part_starts)), np.diff([*self.part_starts, count]))
        self.activity.records = records
        return self.activity


def add_summary(activity: FitActivity, kind: str, values: dict[str, Any], *, part: int) -> None:
    """File a decoded summary message (values from `to_unix_times`) into the activity, as the reference does."""
    values["part"] = part
    if kind == "file_id":
        activity.file_types.append(str(values.get("type")))
    elif kind == "activity" and activity.timestamp is None and "local_timestamp" in values:
        activity.local_timestamp, activity.timestamp = values["local_timestamp"], values.get("timestamp")
    elif kind == "event" and values.get("event") == "timer" and "timestamp" in values:
        activity.events.append(values)
    elif kind in ("session", "lap", "set", "sport"):
        getattr(activity, kind + "s").append(values)


def _record_row(fields: list[Any]) -> list[float]:
    row = [np.nan] * len(RECORD_COLUMNS)
    index = _RECORD_INDEX
    for field_data in fields:
        fld = field_data.field
        if fld is None:
            continue
        i = index.get(fld.name)
        if i is None or field_data.value is None or fld.__class__ is DevField:
            continue
        value = field_data.value
        row[i] = value[0] if isinstance(value, tuple) else value
    if row[0] == row[0]:  # a timestamp (not NaN): FIT date_time → unix seconds
        row[0] += FIT_EPOCH_S
    return row


def _summary_dict(fields: list[Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field_data in fields:
        fld = field_data.field
        if fld is None or fld.__class__ is DevField or field_data.value is None:
            continue
        values.setdefault(fld.name, field_data.value)
    return to_unix_times(values)


def to_unix_times(values: dict[str, Any]) -> dict[str, Any]:
    """FIT date_time fields as unix seconds; a time field that is not an integer is dropped."""
    for key in _TIME_FIELDS:
        if isinstance(values.get(key), int):
            values[key] += FIT_EPOCH_S
        else:
            values.pop(key, None)
    return values


def is_device_time(unix_s: float) -> bool:
    """FIT date_time values below 0x10000000 count seconds since the device was switched on, not since 1989."""
    return unix_s < FIT_EPOCH_S + FIT_DATETIME_MIN


def _is_activity(activity: FitActivity) -> bool:
    """An activity file with a dated session, or (without sessions) at least two dated records."""
    types = set(activity.file_types) - {"None"}
    if types and not types - _NON_ACTIVITY_TYPES:
        return False
    if any("start_time" in s or "timestamp" in s for s in activity.sessions):
        return True
    return int(np.isfinite(activity.records["timestamp"]).sum()) >= 2


def describe_fit_error(exc: Exception, size: int, records: int) -> str:
    """One line a person can act on, from a fitdecode exception (never names the file)."""
    text = str(exc)
    after = f"{records:,} records decoded before it"
    if isinstance(exc, fitdecode.FitEOFError):
        return f"truncated FIT file (ends inside a record at byte {size:,}; {after})"
    if isinstance(exc, fitdecode.FitCRCError):
        where = "header" if "header" in text else "footer"
        return f"CRC mismatch in the FIT {where} at byte {_offset(text):,} (file corrupt or modified; {after})"
    if isinstance(exc, fitdecode.FitHeaderError):
        return _describe_header_error(text, size, after)
    if isinstance(exc, fitdecode.FitParseError):
        return _describe_parse_error(exc, text)
    return f"unreadable FIT file ({text})"


def _describe_header_error(text: str, size: int, after: str) -> str:
    offset = _offset(text)
    if "truncated" in text:
        if offset == 0:
            return f"not a FIT file (only {size:,} bytes, shorter than a FIT header)"
        return f"truncated FIT file (ends inside a FIT header at byte {size:,}; {after})"
    if offset == 0:
        return "not a FIT file (no '.FIT' signature in the header)"
    return f"corrupt FIT file (invalid FIT header at byte {offset:,} after a complete part; {after})"


def _describe_parse_error(exc: fitdecode.FitParseError, text: str) -> str:
    undefined = re.search(r"local message (\d+) not defined", text)
    if undefined:
        local = undefined.group(1)
        return f"malformed FIT data (data message with undefined local message type {local} at byte {exc.offset:,})"
    detail = text.split(": ", 1)[-1]
    return f"malformed FIT data at byte {exc.offset:,} ({detail})"


def _offset(text: str) -> int:
    match = re.search(r"(?:@|offset:) ?(\d+)", text)
    return int(match.group(1)) if match else 0
