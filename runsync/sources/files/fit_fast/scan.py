"""One pass over a FIT file's message headers: where each data message starts and which definition lays it out.

Nothing is decoded here except definitions and the developer-data messages that later definitions depend on.
Anything the fast path cannot be certain to read exactly as fitdecode does raises `Unsupported`, and the
caller hands the file to fitdecode (which decodes it, or names what is broken).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from fitdecode import profile
from fitdecode.types import BASE_TYPES

from runsync.sources.files.fit_fast.crc import fit_crc
from runsync.sources.files.fit_fast.layout import (
    BYTE,
    DEV_DATA_ID,
    FIELD_DESCRIPTION,
    INTEGER_TYPES,
    TIMESTAMP,
    Definition,
    FieldDef,
    Unsupported,
)
from runsync.sources.files.fit_fast.values import dev_data_index, dev_field_description

_DEVELOPER = (DEV_DATA_ID, FIELD_DESCRIPTION)


@dataclass
class Scan:
    definitions: list[Definition] = field(default_factory=list)  # one per definition message read, in order
    offsets: list[int] = field(default_factory=list)  # start of each data message, in file order
    def_ids: list[int] = field(default_factory=list)  # index into definitions, per data message
    part_starts: list[int] = field(default_factory=list)  # message index where each chained part begins
    resets: list[tuple[int, int]] = field(default_factory=list)  # (message index, definition id)


def scan_fit(data: bytes) -> Scan:
    """Every chained part: header, CRCs, then the message walk."""
    scan, pos, cache = Scan(), 0, {}
    while pos < len(data):
        body, end = _read_header(data, pos)
        if end + 2 > len(data) or fit_crc(memoryview(data)[pos:end]) != struct.unpack_from("<H", data, end)[0]:
            raise Unsupported("truncated or CRC mismatch")
        scan.part_starts.append(len(scan.offsets))
        _Part(data, scan, cache).walk(body, end)
        pos = end + 2
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


class _Part:
    """The state of one chained part: which definition each record-header byte selects, developer fields."""

    def __init__(self, data: bytes, scan: Scan, cache: dict[bytes, Definition]) -> None:
        self.data, self.scan, self.cache = data, scan, cache
        self.buf = np.frombuffer(data, dtype=np.uint8)
        self.sizes, self.ids = [0] * 256, [-1] * 256  # per header byte: message size (0: slow road), definition
        self.dev_types: dict[int, dict[int, int]] = {}  # developer_data_index → field number → base type

    def walk(self, pos: int, end: int) -> None:
        """The hot loop: one look-up per data message; definitions and developer messages take the slow road;
        from the second message of a run with one header byte on, the rest of the run is found in one go."""
        data, sizes, ids = self.data, self.sizes, self.ids
        offsets, def_ids, previous = self.scan.offsets, self.scan.def_ids, -1
        while pos < end:
            header = data[pos]
            size = sizes[header]
            if not size:
                if header & 0xC0 == 0x40:
                    pos, previous = pos + self._definition(pos), -1
                    continue
                size, header = self._developer_message(pos, header), -2  # never part of a run
            offsets.append(pos)
            def_ids.append(ids[data[pos]])
            pos += size
            if header == previous:
                run = _run_length(self.buf, pos, end, size, header)
                offsets.extend(range(pos, pos + run * size, size))
                def_ids.extend([ids[header]] * run)
                pos += run * size
            previous = header
        if pos != end:
            raise Unsupported("a message runs past the end of the data")

    def _developer_message(self, pos: int, header: int) -> int:
        if self.ids[header] < 0:
            raise Unsupported("data message before its definition")
        if header & 0x80:
            raise Unsupported("developer message with a compressed-timestamp header")
        defn = self.scan.definitions[self.ids[header]]
        message = self.data[pos : pos + defn.size]
        if len(message) != defn.size:
            raise Unsupported("truncated message")
        if defn.global_num == DEV_DATA_ID:
            self.dev_types[dev_data_index(message, defn)] = {}
            return defn.size
        index, num, base = dev_field_description(message, defn)
        if index not in self.dev_types or base not in BASE_TYPES:
            raise Unsupported("developer field description without its developer data id")
        self.dev_types[index][num] = base
        return defn.size

    def _definition(self, pos: int) -> int:
        """Read a definition message; returns its length."""
        data, header = self.data, self.data[pos]
        num_fields = data[pos + 5] if pos + 5 < len(data) else 0
        length = 6 + 3 * num_fields
        if header & 0x20:
            length += 1 + 3 * (data[pos + length] if pos + length < len(data) else 0)
        raw = data[pos + 1 : pos + length]
        if len(raw) != length - 1:
            raise Unsupported("truncated definition")
        defn = self.cache.get(raw) or self.cache.setdefault(raw, _parse_definition(raw, num_fields))
        self._check_dev_fields(raw[5 + 3 * num_fields :])
        self._select(header & 0x0F, defn)
        return length

    def _select(self, local: int, defn: Definition) -> None:
        """From now on, header bytes naming `local` (normal and compressed-timestamp headers) mean `defn`."""
        scan = self.scan
        scan.definitions.append(defn)
        def_id = len(scan.definitions) - 1
        if defn.accumulates:
            scan.resets.append((len(scan.offsets), def_id))
        size = 0 if defn.global_num in _DEVELOPER else defn.size
        compressed = range(0x80 | local << 5, (0x80 | local << 5) + 0x20) if local < 4 else range(0)
        for byte in (local, local | 0x10, local | 0x20, local | 0x30, *compressed):
            self.sizes[byte], self.ids[byte] = size, def_id

    def _check_dev_fields(self, raw: bytes) -> None:
        """Each developer field must be described (fitdecode raises otherwise) and read whole, never truncated."""
        for i in range(raw[0] if raw else 0):
            num, size, index = raw[1 + 3 * i : 4 + 3 * i]
            base = self.dev_types.get(index, {}).get(num)
            if base is None or num == TIMESTAMP or size == 0 or size % BASE_TYPES[base].size:
                raise Unsupported(f"developer field {index}/{num}")


def _run_length(buf: np.ndarray, pos: int, end: int, size: int, header: int) -> int:
    """How many messages from `pos` on, `size` bytes apart, start with `header` (for a compressed-timestamp
    header: with the same local message type, whatever their time offsets)."""
    mask = 0xE0 if header & 0x80 else 0xFF
    run, chunk = 0, 64
    while True:
        heads = buf[pos + run * size : end : size][:chunk]
        different = np.flatnonzero((heads & mask) != (header & mask))
        if len(different):
            return run + int(different[0])
        run += len(heads)
        if len(heads) < chunk:
            return run
        chunk *= 4


def _parse_definition(raw: bytes, num_fields: int) -> Definition:
    endian = ">" if raw[1] else "<"
    global_num = struct.unpack_from(endian + "H", raw, 2)[0]
    mesg_type = profile.MESSAGE_TYPES.get(global_num)
    fields, offset, accumulates = [], 1, False
    for i in range(num_fields):
        num, size, base = raw[5 + 3 * i : 8 + 3 * i]
        if base not in BASE_TYPES or size == 0:
            raise Unsupported(f"field {num}: base type {base:#x} of size {size}")
        if size % BASE_TYPES[base].size:  # fit_decode then re-reads leniently: such a field is bytes (COROS)
            base = BYTE
        has_components, accumulating = _components(global_num, num)
        _check_components(num, size, base, has_components, accumulating)
        accumulates |= accumulating
        fields.append(FieldDef(num, size, base, offset))
        offset += size
    dev = raw[5 + 3 * num_fields :]
    dev_size = sum(dev[2 + 3 * i] for i in range(dev[0])) if dev else 0
    return Definition(global_num, endian, tuple(fields), offset + dev_size, mesg_type, accumulates)


@cache
def _components(global_num: int, num: int) -> tuple[bool, bool]:
    """Does the profile give this field components, and do any of them accumulate?"""
    mesg_type = profile.MESSAGE_TYPES.get(global_num)
    profile_field = mesg_type.fields.get(num) if mesg_type else None
    components = (profile_field.components or ()) if profile_field else ()
    return bool(components), any(c.accumulate for c in components)


def _check_components(num: int, size: int, base: int, components: bool, accumulating: bool) -> None:  # noqa: FBT001
    """fitdecode trips on arrays with components (unless bytes) and on accumulating non-integers."""
    scalar = size == BASE_TYPES[base].size
    if num == TIMESTAMP and (base not in INTEGER_TYPES or not scalar):
        raise Unsupported("an odd timestamp field")
    if components and not scalar and base != BYTE:
        raise Unsupported(f"field {num}: an array with components")
    if accumulating and base not in INTEGER_TYPES | {BYTE}:
        raise Unsupported(f"field {num}: accumulating a non-integer")
