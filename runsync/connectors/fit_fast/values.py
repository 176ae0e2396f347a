"""Per-message decoding exactly as fitdecode does it (same profile objects, same parse and render), for the few
messages that are not decoded in bulk: summaries (session, lap, ...) and developer-data descriptions."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

from fitdecode import profile
from fitdecode.types import BASE_TYPES, DevField

if TYPE_CHECKING:
    from runsync.connectors.fit_fast.scan import Definition

_BYTE = 0x0D


def raw_values(message: bytes, defn: Definition) -> list[Any]:
    """Each field's raw value (None when invalid), as fitdecode's reader parses it."""
    values = []
    for fd in defn.fields:
        base_type = BASE_TYPES[fd.base]
        count = fd.size // base_type.size
        unpacked = struct.unpack_from(f"{defn.endian}{count}{base_type.fmt}", message, fd.offset)
        if fd.base == _BYTE:
            values.append(base_type.parse(unpacked))
        elif len(unpacked) > 1:
            values.append(tuple(base_type.parse(v) for v in unpacked))
        else:
            values.append(base_type.parse(unpacked[0]))
    return values


def message_fields(message: bytes, defn: Definition, timestamp: int | None) -> list[tuple[Any, Any]]:
    """(profile field, value) in fitdecode's order: each field's expanded components, then the field itself,
    then the compressed-header timestamp."""
    raws, mesg_type, out = raw_values(message, defn), defn.mesg_type, []
    for fd, raw in zip(defn.fields, raws, strict=True):
        fld = mesg_type.fields.get(fd.num) if mesg_type else None
        if fld is None:
            continue
        fld = _subfield(fld, defn, raws)
        for component in fld.components or ():
            try:
                value = component.render(raw)
            except ValueError:
                continue
            target = _subfield(mesg_type.fields[component.def_num], defn, raws)
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


def _subfield(fld: Any, defn: Definition, raws: list[Any]) -> Any:
    for sub in fld.subfields or ():
        for ref in sub.ref_fields:
            if any(fd.num == ref.def_num and ref.raw_value == raw for fd, raw in zip(defn.fields, raws, strict=True)):
                return sub
    return fld


def _scale_offset(fld: Any, value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_scale_offset(fld, v) for v in value)
    if isinstance(value, int | float):
        if fld.scale:
            value = float(value) / fld.scale
        if fld.offset:
            value = value - fld.offset
    return value


def _raw_by_name(message: bytes, defn: Definition, name: str) -> int:
    """A developer message's raw integer field; anything else (missing, invalid, array) is not for the fast path."""
    from runsync.connectors.fit_fast.scan import Unsupported

    fields = defn.mesg_type.fields
    for fd, raw in zip(defn.fields, raw_values(message, defn), strict=True):
        fld = fields.get(fd.num)
        if fld is not None and fld.name == name and isinstance(raw, int):
            return raw
    raise Unsupported(f"developer message without a valid {name}")


def dev_data_ids(message: bytes, defn: Definition) -> int:
    return _raw_by_name(message, defn, "developer_data_index")


def dev_field_description(message: bytes, defn: Definition) -> tuple[int, int, int]:
    names = ("developer_data_index", "field_definition_number", "fit_base_type_id")
    index, num, base = (_raw_by_name(message, defn, name) for name in names)
    return index, num, base
