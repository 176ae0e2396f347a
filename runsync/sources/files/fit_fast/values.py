"""Per-message decoding exactly as fitdecode does it (same profile objects, same parse and render), for the few
messages that are not decoded in bulk: summaries (session, lap, ...) and developer-data descriptions.

A definition's plan is worked out once: one struct for all its fields, and per field its profile entry."""

from __future__ import annotations

import struct
from functools import cache
from typing import Any, NamedTuple

from fitdecode import profile
from fitdecode.types import BASE_TYPES, DevField

from runsync.sources.files.fit_fast.layout import BYTE, Definition, Unsupported


class _Field(NamedTuple):
    start: int  # first item in the unpacked tuple
    count: int  # items (1 for strings: one bytes value)
    parse: Any  # fitdecode's BaseType.parse
    base: int
    profile: Any  # fitdecode Field, or None for a field the profile does not know


@cache
def _plan(defn: Definition) -> tuple[struct.Struct, tuple[_Field, ...]]:
    formats, fields, start = [], [], 0
    known = defn.mesg_type.fields if defn.mesg_type else {}
    for fd in defn.fields:
        base_type = BASE_TYPES[fd.base]
        count = fd.size // base_type.size
        formats.append(f"{count}{base_type.fmt}")
        items = 1 if base_type.fmt == "s" else count
        fields.append(_Field(start, items, base_type.parse, fd.base, known.get(fd.num)))
        start += items
    return struct.Struct(defn.endian + "".join(formats)), tuple(fields)


def raw_values(message: bytes, defn: Definition) -> list[Any]:
    """Each field's raw value (None when invalid), as fitdecode's reader parses it."""
    unpacker, fields = _plan(defn)
    items, values = unpacker.unpack_from(message, 1), []
    for f in fields:
        if f.base == BYTE:
            values.append(f.parse(items[f.start : f.start + f.count]))
        elif f.count > 1:
            values.append(tuple(f.parse(v) for v in items[f.start : f.start + f.count]))
        else:
            values.append(f.parse(items[f.start]))
    return values


def message_fields(message: bytes, defn: Definition, timestamp: int | None) -> list[tuple[Any, Any]]:
    """(profile field, value) in fitdecode's order: each field's expanded components, then the field itself,
    then the compressed-header timestamp."""
    raws, out = raw_values(message, defn), []
    by_num = _raws_by_num(defn, raws) if _has_subfields(defn) else {}
    for f, raw in zip(_plan(defn)[1], raws, strict=True):
        fld = f.profile
        if fld is None:
            continue
        fld = _subfield(fld, by_num) if fld.subfields else fld
        for component in fld.components or ():
            try:
                value = component.render(raw)
            except ValueError:
                continue
            target = defn.mesg_type.fields[component.def_num]
            target = _subfield(target, by_num) if target.subfields else target
            out.append((target, target.render(_scale_offset(component, value))))
        out.append((fld, _scale_offset(fld, fld.render(raw))))
    if timestamp is not None:
        out.append((profile.FIELD_TYPE_TIMESTAMP, profile.FIELD_TYPE_TIMESTAMP.render(timestamp)))
    return out


def message_dict(message: bytes, defn: Definition, timestamp: int | None) -> dict[str, Any]:
    """The first non-None value of each named field (what fit_decode's summaries keep)."""
    values: dict[str, Any] = {}
    for fld, value in message_fields(message, defn, timestamp):
        if value is not None and fld.__class__ is not DevField:
            values.setdefault(fld.name, value)
    return values


@cache
def _has_subfields(defn: Definition) -> bool:
    """Does any field, or any component target, resolve to a subfield by the raw values of this message?"""
    fields = [f.profile for f in _plan(defn)[1] if f.profile is not None]
    targets = [defn.mesg_type.fields[c.def_num] for fld in fields for c in fld.components or ()]
    return any(fld.subfields for fld in fields + targets)


def _raws_by_num(defn: Definition, raws: list[Any]) -> dict[int, list[Any]]:
    by_num: dict[int, list[Any]] = {}
    for fd, raw in zip(defn.fields, raws, strict=True):
        by_num.setdefault(fd.num, []).append(raw)
    return by_num


def _subfield(fld: Any, by_num: dict[int, list[Any]]) -> Any:  # noqa: ANN401 - fitdecode's Field/SubField
    """fitdecode's subfield resolution: the first subfield one of whose reference fields has its raw value."""
    for sub in fld.subfields or ():
        for ref in sub.ref_fields:
            if any(ref.raw_value == raw for raw in by_num.get(ref.def_num, ())):
                return sub
    return fld


def _scale_offset(fld: Any, value: Any) -> Any:  # noqa: ANN401
    if isinstance(value, tuple):
        return tuple(_scale_offset(fld, v) for v in value)
    if isinstance(value, int | float):
        if fld.scale:
            value = float(value) / fld.scale
        if fld.offset:
            value = value - fld.offset
    return value


def _raw_by_name(message: bytes, defn: Definition, name: str) -> int:
    """A developer message's raw integer field, the first of that name as fitdecode's get_raw_value finds it;
    anything else (missing, invalid, not an integer) is not for the fast path."""
    for f, raw in zip(_plan(defn)[1], raw_values(message, defn), strict=True):
        if f.profile is not None and f.profile.name == name:
            if isinstance(raw, int):
                return raw
            break
    raise Unsupported(f"developer message without a valid {name}")


def dev_data_index(message: bytes, defn: Definition) -> int:
    return _raw_by_name(message, defn, "developer_data_index")


def dev_field_description(message: bytes, defn: Definition) -> tuple[int, int, int]:
    names = ("developer_data_index", "field_definition_number", "fit_base_type_id")
    index, num, base = (_raw_by_name(message, defn, name) for name in names)
    return index, num, base
