"""Bulk reads over the raw bytes: one field of every message of a definition as a numpy column, and the
compressed-header timestamps of a whole file, vectorised with fitdecode's exact accumulation rule."""

from __future__ import annotations

import numpy as np

from runsync.sources.files.fit_fast.layout import BYTE, TIMESTAMP, Definition, FieldDef
from runsync.sources.files.fit_fast.scan import Scan

_DTYPES = {0x00: "u1", 0x01: "i1", 0x02: "u1", 0x83: "i2", 0x84: "u2", 0x85: "i4", 0x86: "u4", 0x88: "f4",
           0x89: "f8", 0x0A: "u1", 0x8B: "u2", 0x8C: "u4", 0x0D: "u1", 0x8E: "i8", 0x8F: "u8", 0x90: "u8"}  # fmt: skip
_INVALID = {0x00: 0xFF, 0x01: 0x7F, 0x02: 0xFF, 0x83: 0x7FFF, 0x84: 0xFFFF, 0x85: 0x7FFFFFFF, 0x86: 0xFFFFFFFF,
            0x0A: 0, 0x8B: 0, 0x8C: 0, 0x8E: 2**63 - 1, 0x8F: 2**64 - 1, 0x90: 0}  # fmt: skip


def field_column(buf: np.ndarray, offsets: np.ndarray, fd: FieldDef, endian: str) -> np.ndarray:
    """(n, count) array of one field's elements for the messages starting at `offsets`."""
    rows = buf[(offsets + fd.offset)[:, None] + np.arange(fd.size)]
    return rows.view(np.dtype(_DTYPES[fd.base]).newbyteorder(endian))


def scalar_raw(buf: np.ndarray, offsets: np.ndarray, fd: FieldDef, endian: str) -> tuple[np.ndarray, np.ndarray]:
    """A scalar field's raw values and which are valid (fitdecode's BaseType.parse: not the invalid marker);
    a byte array becomes one little-endian integer, valid unless every byte is 0xFF."""
    column = field_column(buf, offsets, fd, endian)
    if fd.base == BYTE:
        weights = np.left_shift(np.uint64(1), np.arange(fd.size, dtype=np.uint64) * np.uint64(8))
        values = (column.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64).astype(np.int64)
        return values, ~(column == 0xFF).all(axis=1)
    values = column[:, 0]
    if values.dtype.kind == "f":
        return values.astype(np.float64), ~np.isnan(values)
    return values.astype(np.int64), values != _INVALID[fd.base]


def message_parts(scan: Scan, indices: np.ndarray) -> np.ndarray:
    """The chained part each message (by index) belongs to."""
    return np.searchsorted(np.asarray(scan.part_starts), indices, side="right") - 1


def compressed_timestamps(buf: np.ndarray, scan: Scan, offsets: np.ndarray, fields: np.ndarray) -> np.ndarray:
    """Per message, the timestamp its compressed header gives (-1 for normal headers): the 5-bit offset rolls
    forward from the last timestamp field seen in any message of the part (fitdecode's accumulator)."""
    headers = buf[offsets]
    compressed = np.flatnonzero(headers & 0x80)
    stamps = np.full(len(offsets), -1, dtype=np.int64)
    if not len(compressed):
        return stamps
    base = fields.copy()
    starts = np.asarray([p for p in scan.part_starts if p < len(base)], dtype=np.int64)
    base[starts] = np.where(base[starts] >= 0, base[starts], 0)
    seg = np.maximum.accumulate(np.where(base >= 0, np.arange(len(base)), 0))[compressed]
    low = (headers[compressed] & 0x1F).astype(np.int64)
    first = np.r_[True, seg[1:] != seg[:-1]]
    previous = np.where(first, base[seg] & 0x1F, np.r_[0, low[:-1]])
    wraps = np.cumsum(low < previous)
    seg_starts = np.maximum.accumulate(np.where(first, np.arange(len(seg)), 0))
    within = wraps - wraps[seg_starts] + (low < previous)[seg_starts]
    stamps[compressed] = (base[seg] & ~0x1F) + 32 * within + low
    return stamps


def timestamp_fields(buf: np.ndarray, grouped: dict[Definition, np.ndarray], offsets: np.ndarray) -> np.ndarray:
    """Per message, the last valid raw timestamp field (-1 for none)."""
    values = np.full(len(offsets), -1, dtype=np.int64)
    for defn, picked in grouped.items():
        for fd in (fd for fd in defn.fields if fd.num == TIMESTAMP):
            raw, valid = scalar_raw(buf, offsets[picked], fd, defn.endian)
            values[picked[valid]] = raw[valid]
    return values


def last_timestamps_before(scan: Scan, fields: np.ndarray) -> np.ndarray:
    """Per message, the last valid timestamp field in an earlier message of the same part (0 for none)."""
    seen = np.maximum.accumulate(np.where(fields >= 0, np.arange(len(fields)), -1))
    previous = np.r_[-1, seen[:-1]]
    part_start = np.asarray(scan.part_starts)[message_parts(scan, np.arange(len(fields)))]
    return np.where(previous >= part_start, fields[np.maximum(previous, 0)], 0)


def groups(scan: Scan, def_ids: np.ndarray, wanted: set[int] | None = None) -> dict[Definition, np.ndarray]:
    """Message indices (ascending) per distinct definition, optionally only for the global numbers in `wanted`."""
    distinct: dict[Definition, int] = {}
    canonical = np.array([distinct.setdefault(d, len(distinct)) for d in scan.definitions], dtype=np.int64)
    keys = canonical[def_ids] if len(def_ids) else def_ids
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(len(distinct) + 1))
    return {
        defn: order[bounds[i] : bounds[i + 1]]
        for defn, i in distinct.items()
        if (wanted is None or defn.global_num in wanted) and bounds[i + 1] > bounds[i]
    }
