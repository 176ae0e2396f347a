"""The record messages (1 Hz samples) decoded in bulk: per definition, each output column is written by the
fields (and expanded components) that fitdecode would give that name, later ones overriding earlier non-None
ones, exactly as fit_decode's `_record_row` keeps the last value it sees."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from fitdecode.types import BASE_TYPES

from runsync.sources.files.fit_decode import FIT_EPOCH_S, RECORD_COLUMNS
from runsync.sources.files.fit_fast.bulk import BYTE, message_parts, scalar_raw
from runsync.sources.files.fit_fast.layout import STRING, Definition, FieldDef, Unsupported
from runsync.sources.files.fit_fast.scan import Scan

RECORD = 20
_COLUMNS = set(RECORD_COLUMNS)


@dataclass(frozen=True)
class Source:
    """One writer of a column: a field's value, or one component expanded from it."""

    column: str
    field: FieldDef
    scale: float | None
    offset: float | None
    bits: int | None = None  # set for components
    bit_offset: int = 0
    accumulate_key: int | None = None  # the component's def_num when it accumulates


@cache
def sources(defn: Definition) -> tuple[Source, ...]:
    found = []
    for fd in defn.fields:
        fld = defn.mesg_type.fields.get(fd.num)
        if fld is None:
            continue
        if fld.subfields:
            raise Unsupported(f"record field {fld.name} has subfields")
        if fld.components and fd.base == BYTE and fd.size > 7:
            raise Unsupported(f"record field {fld.name}: {fd.size} bytes of components")  # beyond an int64
        for c in fld.components or ():
            target = defn.mesg_type.fields[c.def_num].name
            if target in _COLUMNS and not (fd.base == BYTE and c.bit_offset and c.bit_offset >= fd.size * 8):
                key = c.def_num if c.accumulate else None
                found.append(Source(target, fd, c.scale, c.offset, c.bits, c.bit_offset or 0, key))
        if fld.name in _COLUMNS:
            if fd.base in (BYTE, STRING) or fd.size != BASE_TYPES[fd.base].size:
                raise Unsupported(f"record field {fld.name} is an array, string or bytes")
            found.append(Source(fld.name, fd, fld.scale, fld.offset))
    return tuple(found)


def decode_records(  # noqa: PLR0913 - the arrays of one scanned file
    buf: np.ndarray, scan: Scan, groups: dict[Definition, np.ndarray], offsets: np.ndarray, stamps: np.ndarray
) -> dict[str, np.ndarray]:
    """RECORD_COLUMNS (+ part) as float64 columns in file order, like fit_decode's FitActivity.records;
    `stamps`: each message's compressed-header timestamp (-1 for none), which wins over its timestamp field."""
    mine = {defn: idx for defn, idx in groups.items() if defn.global_num == RECORD}
    order = np.sort(np.concatenate([*mine.values(), np.empty(0, dtype=np.int64)]))
    columns = {name: np.full(len(order), np.nan) for name in RECORD_COLUMNS}
    raws = {
        (defn, s): scalar_raw(buf, offsets[idx], s.field, defn.endian)
        for defn, idx in mine.items()
        for s in sources(defn)
    }
    accumulated = _accumulate(scan, mine, raws)
    for defn, idx in mine.items():
        rows = np.searchsorted(order, idx)
        for s in sources(defn):
            value = _value(s, *raws[defn, s], accumulated.get((defn, s)))
            target = columns[s.column]
            target[rows] = np.where(np.isnan(value), target[rows], value)
    compressed = stamps[order] >= 0
    columns["timestamp"][compressed] = stamps[order][compressed]
    columns["timestamp"] += FIT_EPOCH_S
    columns["part"] = message_parts(scan, order)
    return columns


def _value(s: Source, raw: np.ndarray, valid: np.ndarray, accumulated: np.ndarray | None) -> np.ndarray:
    value = raw
    if s.bits is not None and raw.dtype.kind == "i":
        value = (raw >> s.bit_offset) & ((1 << s.bits) - 1)
    if accumulated is not None:
        value = accumulated
    value = value.astype(np.float64)
    if s.scale:
        value = value / s.scale
    if s.offset:
        value = value - s.offset
    return np.where(valid, value, np.nan)


def _accumulate(scan: Scan, mine: dict[Definition, np.ndarray], raws: dict) -> dict:  # noqa: ANN401
    """fitdecode's accumulators: per component, value += (raw - value) mod 2**bits, reset to 0 by each
    definition that declares an accumulating field; invalid raws leave it alone."""
    out = {}
    for key in {s.accumulate_key for d in mine for s in sources(d)} - {None}:
        picked = [(d, s) for d in mine for s in sources(d) if s.accumulate_key == key]
        indices = np.concatenate([mine[d][raws[d, s][1]] for d, s in picked])
        values = np.concatenate(
            [((raws[d, s][0] >> s.bit_offset) & ((1 << s.bits) - 1))[raws[d, s][1]] for d, s in picked]
        )
        order = np.argsort(indices, kind="stable")
        resets = sorted(i for i, def_id in scan.resets if _resets(scan.definitions[def_id], key))
        total = _segment_sums(indices[order], values[order], np.asarray(resets, dtype=np.int64), 1 << picked[0][1].bits)
        result = np.empty_like(total)
        result[order] = total
        start = 0
        for d, s in picked:
            count = int(raws[d, s][1].sum())
            full = np.zeros(len(raws[d, s][0]), dtype=np.int64)
            full[raws[d, s][1]] = result[start : start + count]
            out[d, s] = full
            start += count
    return out


def _resets(defn: Definition, key: int) -> bool:
    fields = [defn.mesg_type.fields.get(fd.num) for fd in defn.fields] if defn.mesg_type else []
    return defn.global_num == RECORD and any(
        c.accumulate and c.def_num == key for f in fields if f for c in f.components or ()
    )


def _segment_sums(indices: np.ndarray, values: np.ndarray, resets: np.ndarray, modulus: int) -> np.ndarray:
    segment = np.searchsorted(resets, indices, side="right")
    first = np.r_[True, segment[1:] != segment[:-1]] if len(segment) else np.zeros(0, dtype=bool)
    previous = np.where(first, 0, np.r_[0, values[:-1]])
    totals = np.cumsum((values - previous) % modulus)
    starts = np.maximum.accumulate(np.where(first, np.arange(len(values)), 0))
    return totals - totals[starts] + ((values - previous) % modulus)[starts]
