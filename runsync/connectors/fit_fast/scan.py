"""One pass over a FIT file's message headers: where each data message starts and which definition lays it out.

Nothing is decoded here except definitions and the developer-data messages that later definitions depend on.
Anything the fast path cannot be certain to read exactly as fitdecode does raises `Unsupported`, and the
caller hands the file to fitdecode (which decodes it, or names what is broken).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np
from fitdecode import profile
from fitdecode.types import BASE_TYPES, MessageType

from runsync.connectors.fit_fast.crc import fit_crc
from runsync.connectors.fit_fast.values import dev_data_ids, dev_field_description

HR, DEV_DATA_ID, FIELD_DESCRIPTION, TIMESTAMP, BYTE = 132, 207, 206, 253, 0x0D
_INTEGER_TYPES = {0x00, 0x01, 0x02, 0x83, 0x84, 0x85, 0x86, 0x0A, 0x8B, 0x8C, 0x8E, 0x8F, 0x90}


class Unsupported(Exception):
    """The fast path cannot decode this file with certainty: use fitdecode."""


@dataclass(frozen=True)
class FieldDef:
    num: int
    size: int
    base: int  # FIT base type number, as fitdecode's BASE_TYPES keys it
    offset: int  # byte offset inside the message, after the 1-byte record header


@dataclass(eq=False)
class Definition:
    global_num: int
    endian: str
    fields: tuple[FieldDef, ...]
    size: int  # the whole data message, header byte included
    mesg_type: MessageType | None
    accumulates: bool  # has a field whose components accumulate (resets fitdecode's accumulators)


@dataclass
class Scan:
    definitions: list[Definition] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)  # start of each data message, in file order
    def_ids: list[int] = field(default_factory=list)  # index into definitions, per data message
    part_starts: list[int] = field(default_factory=list)  # message index where each chained part begins
    resets: list[tuple[int, int]] = field(default_factory=list)  # (message index, definition id)


def scan_fit(data: bytes) -> Scan:
    """Every chained part: header, CRCs, then the message walk."""
    scan, pos, cache = Scan(), 0, {}
    while pos < len(data):
        body, end = _read_header(data, pos)
        crc_end = end + 2
        if crc_end > len(data) or fit_crc(memoryview(data)[pos:end]) != struct.unpack_from("<H", data, end)[0]:
            raise Unsupported("truncated or CRC mismatch")
        scan.part_starts.append(len(scan.offsets))
        _walk(data, body, end, scan, cache)
        pos = crc_end
    return scan


def _read_header(data: bytes, pos: int) -> tuple[int, int]:
    if len(data) - pos < 12 or data[pos + 8 : pos + 12] != b".FIT" or data[pos] not in (12, 14):
        raise Unsupported("not a plain FIT header")
    size, body_size = data[pos], struct.unpack_from("<I", data, pos + 4)[0]
    if size == 14:
        stored = struct.unpack_from("<H", data, pos + 12)[0]
        if stored and stored != fit_crc(data[pos : pos + 12]):
            raise Unsupported("header CRC mismatch")
    return pos + size, pos + size + body_size


def _walk(data: bytes, pos: int, end: int, scan: Scan, cache: dict[bytes, Definition]) -> None:
    """The hot loop: one table look-up per data message; definitions and developer messages take the slow road."""
    sizes, ids = [0] * 256, [0] * 256
    offsets, def_ids, dev_types = scan.offsets, scan.def_ids, {}
    while pos < end:
        header = data[pos]
        size = sizes[header]
        if size:
            offsets.append(pos)
            def_ids.append(ids[header])
            pos += size
        elif header & 0xC0 == 0x40:
            pos = _definition(data, pos, scan, cache, dev_types, sizes, ids)
        elif header & 0x80 or not (defn := _defined(scan, ids, sizes, header)):
            raise Unsupported("data message before its definition")
        else:
            _dev_message(data, pos, defn, dev_types)
            offsets.append(pos)
            def_ids.append(-ids[header] - 1)
            pos += defn.size
    if pos != end:
        raise Unsupported("a message runs past the end of the data")


def _defined(scan: Scan, ids: list[int], sizes: list[int], header: int) -> Definition | None:
    """The definition of a developer-data message (sizes[header] is 0 for those, and for undefined types)."""
    if ids[header] < 0:
        return scan.definitions[-ids[header] - 1]
    return None


def _definition(data, pos, scan, cache, dev_types, sizes, ids) -> int:  # noqa: ANN001, PLR0913 - the loop's state
    header, num_fields = data[pos], data[pos + 5] if pos + 5 < len(data) else 0
    length = 6 + 3 * num_fields
    num_dev = data[pos + length] if header & 0x20 and pos + length < len(data) else 0
    length += (1 + 3 * num_dev) if header & 0x20 else 0
    raw = data[pos + 1 : pos + length]
    if len(raw) != length - 1:
        raise Unsupported("truncated definition")
    defn = cache.get(raw) or cache.setdefault(raw, _parse_definition(raw, num_fields))
    _check_dev_fields(raw[5 + 3 * num_fields :] if header & 0x20 else b"", dev_types)
    scan.definitions.append(defn)
    def_id = len(scan.definitions) - 1
    if defn.accumulates:
        scan.resets.append((len(scan.offsets), def_id))
    local = header & 0x0F
    special = defn.global_num in (DEV_DATA_ID, FIELD_DESCRIPTION)
    for byte in [local | flags for flags in (0x00, 0x10, 0x20, 0x30)]:
        sizes[byte], ids[byte] = (0, -def_id - 1) if special else (defn.size, def_id)
    for byte in range(0x80 | local << 5, (0x80 | local << 5) + 0x20) if local < 4 else ():
        sizes[byte], ids[byte] = (0, 0) if special else (defn.size, def_id)
    return pos + length


def _parse_definition(raw: bytes, num_fields: int) -> Definition:
    endian = ">" if raw[1] else "<"
    global_num = struct.unpack_from(endian + "H", raw, 2)[0]
    mesg_type = profile.MESSAGE_TYPES.get(global_num)
    fields, offset, accumulates = [], 1, False
    for i in range(num_fields):
        num, size, base = raw[5 + 3 * i : 8 + 3 * i]
        base_type = BASE_TYPES.get(base)
        if base_type is None or size == 0:
            raise Unsupported(f"field {num}: base type {base:#x} of size {size}")
        if size % base_type.size:  # fit_decode then re-reads leniently: such a field is bytes (COROS writes them)
            base, base_type = BYTE, BASE_TYPES[BYTE]
        profile_field = mesg_type.fields.get(num) if mesg_type else None
        components = (profile_field.components or ()) if profile_field else ()
        _check_components(num, size, base, base_type.size, components)
        accumulates |= any(c.accumulate for c in components)
        fields.append(FieldDef(num, size, base, offset))
        offset += size
    dev = raw[5 + 3 * num_fields :]
    dev_size = sum(dev[2 + 3 * i] for i in range(dev[0])) if dev else 0
    return Definition(global_num, endian, tuple(fields), offset + dev_size, mesg_type, accumulates)


def _check_components(num: int, size: int, base: int, base_size: int, components: tuple) -> None:
    """fitdecode trips on arrays with components (unless bytes) and on accumulating non-integers."""
    if num == TIMESTAMP and (base not in _INTEGER_TYPES or size != base_size):
        raise Unsupported("an odd timestamp field")
    if components and size != base_size and base != 0x0D:
        raise Unsupported(f"field {num}: an array with components")
    if any(c.accumulate for c in components) and base not in _INTEGER_TYPES | {0x0D}:
        raise Unsupported(f"field {num}: accumulating a non-integer")


def _check_dev_fields(raw: bytes, dev_types: dict[int, dict[int, int]]) -> None:
    """Each developer field must be described (fitdecode raises otherwise) and read whole, never truncated."""
    for i in range(raw[0] if raw else 0):
        num, size, index = raw[1 + 3 * i : 4 + 3 * i]
        base = dev_types.get(index, {}).get(num)
        if base is None or num == TIMESTAMP or size == 0 or size % BASE_TYPES[base].size:
            raise Unsupported(f"developer field {index}/{num}")


def _dev_message(data: bytes, pos: int, defn: Definition, dev_types: dict[int, dict[int, int]]) -> None:
    if pos + defn.size > len(data):
        raise Unsupported("truncated message")
    message = np.frombuffer(data, dtype=np.uint8, count=defn.size, offset=pos).tobytes()
    if defn.global_num == DEV_DATA_ID:
        dev_types[dev_data_ids(message, defn)] = {}
        return
    index, num, base = dev_field_description(message, defn)
    if index not in dev_types or base not in BASE_TYPES:
        raise Unsupported("developer field description without its developer data id")
    dev_types[index][num] = base
