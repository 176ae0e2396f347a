"""How a definition message lays out its data messages, and the one exception of the fast path."""

from __future__ import annotations

from dataclasses import dataclass

from fitdecode.types import MessageType

HR, DEV_DATA_ID, FIELD_DESCRIPTION = 132, 207, 206  # global message numbers
TIMESTAMP = 253  # field number of every message's timestamp
BYTE, STRING = 0x0D, 0x07  # base types
INTEGER_TYPES = frozenset({0x00, 0x01, 0x02, 0x83, 0x84, 0x85, 0x86, 0x0A, 0x8B, 0x8C, 0x8E, 0x8F, 0x90})


class Unsupported(Exception):
    """The fast path cannot decode this file with certainty: use fitdecode."""


@dataclass(frozen=True)
class FieldDef:
    num: int
    size: int
    base: int  # FIT base type number, as fitdecode's BASE_TYPES keys it
    offset: int  # byte offset inside the message (the 1-byte record header is at 0)


@dataclass(eq=False)
class Definition:
    """One distinct definition (identical definition bytes share one object, so their messages form one group)."""

    global_num: int
    endian: str
    fields: tuple[FieldDef, ...]
    size: int  # the whole data message, header byte and developer fields included
    mesg_type: MessageType | None
    accumulates: bool  # has a field whose components accumulate (reading it resets fitdecode's accumulators)
