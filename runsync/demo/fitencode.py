"""A FIT encoder for the messages runsync writes: definition and data records, the 14-byte header and the two CRCs,
laid out as the FIT protocol says (little-endian, one definition per local message type until its fields change).

`FitWriter.add("lap", 4, timestamp=..., total_distance=...)`: values in the units the profile documents (ms since
the Unix epoch for times, metres, m/s, seconds; None: the field is absent), scaled and offset as the profile says
(runsync.demo.fitprofile). Pure Python and the struct module: the demo needs no FIT library.
"""

from __future__ import annotations

import struct
from typing import Any

from runsync.demo.fitprofile import PROFILE, FieldSpec
from runsync.sources.files.fit_fast.crc import fit_crc

BASE_TYPES = {"ENUM": (0x00, "B"), "SINT8": (0x01, "b"), "UINT8": (0x02, "B"), "SINT16": (0x83, "h"),
              "UINT16": (0x84, "H"), "SINT32": (0x85, "i"), "UINT32": (0x86, "I"), "UINT8Z": (0x0A, "B"),
              "UINT16Z": (0x8B, "H"), "UINT32Z": (0x8C, "I")}  # fmt: skip
PROTOCOL_VERSION = 0x23  # 2.3
PROFILE_VERSION = 21212  # 21.212, the profile fitprofile's fields come from

Layout = tuple[bytes, struct.Struct, tuple[tuple[FieldSpec, int], ...]]
_LAYOUTS: dict[tuple[str, int, tuple[tuple[str, int], ...]], Layout] = {}


class FitWriter:
    """Messages encoded as they come; `to_bytes()` adds the header and the file CRC."""

    def __init__(self) -> None:
        self.body: list[bytes] = []
        self.definitions: dict[int, bytes] = {}

    def add(self, message: str, local_id: int, **values: Any) -> None:
        """One data message (its definition first when the local type's fields differ from the last one's)."""
        fields = tuple((f.name, _count(values[f.name])) for f in PROFILE[message][1] if values.get(f.name) is not None)
        unknown = set(values) - {f.name for f in PROFILE[message][1]}
        if unknown:
            raise KeyError(f"{message}: no field {', '.join(sorted(unknown))} in runsync.demo.fitprofile")
        definition, layout, specs = _layout(message, local_id, fields)
        if self.definitions.get(local_id) != definition:
            self.definitions[local_id] = definition
            self.body.append(definition)
        encoded = [_encode(v, spec.scale, spec.offset) for spec, _ in specs for v in _values(values[spec.name])]
        self.body.append(layout.pack(local_id, *encoded))

    def to_bytes(self) -> bytes:
        body = b"".join(self.body)
        start = struct.pack("<BBHI4s", 14, PROTOCOL_VERSION, PROFILE_VERSION, len(body), b".FIT")
        header = start + struct.pack("<H", fit_crc(start))
        return header + body + struct.pack("<H", fit_crc(header + body))


def _layout(message: str, local_id: int, fields: tuple[tuple[str, int], ...]) -> Layout:
    key = (message, local_id, fields)
    if key not in _LAYOUTS:
        number, profile = PROFILE[message]
        by_name = {f.name: f for f in profile}
        specs = tuple((by_name[name], count) for name, count in fields)
        definition = struct.pack("<BBBHB", 0x40 | local_id, 0, 0, number, len(specs)) + b"".join(
            struct.pack("<BBB", spec.number, count * struct.calcsize(BASE_TYPES[spec.base_type][1]),
                        BASE_TYPES[spec.base_type][0]) for spec, count in specs)  # fmt: skip
        codes = "".join(BASE_TYPES[spec.base_type][1] * count for spec, count in specs)
        _LAYOUTS[key] = (definition, struct.Struct("<B" + codes), specs)
    return _LAYOUTS[key]


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list | tuple) else 1


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _encode(value: float | int, scale: float, offset: float) -> int:
    """A field's stored integer: round((value + offset) × scale), or int(value) when unscaled."""
    if scale == 1 and offset == 0:
        return int(value)
    return round((value + offset) * scale)
