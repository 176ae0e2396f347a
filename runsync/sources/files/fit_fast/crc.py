"""The FIT CRC (CRC-16/ARC) of a whole buffer, vectorised: byte CRCs folded pairwise up a binary tree.

The CRC is linear, so crc(A + B) = shift(crc(A), len(B)) ^ crc(B), where shift feeds len(B) zero bytes. With
both halves of equal length 2**k the shift is one fixed map of the 65,536 states: a lookup table, built once
per level by composing the level below with itself.
"""

from __future__ import annotations

import numpy as np

_NIBBLE = np.array(
    [0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
     0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400],
    dtype=np.uint16,
)  # fmt: skip
_SHIFTS: list[np.ndarray] = []  # _SHIFTS[k][state]: the state after 2**k zero bytes


def _update(states: np.ndarray, byte: np.ndarray) -> np.ndarray:
    """The FIT SDK's nibble-wise CRC step, on arrays of states and bytes."""
    for nibble in (byte & 0xF, byte >> 4):
        tmp = _NIBBLE[states & 0xF]
        states = ((states >> 4) & 0x0FFF) ^ tmp ^ _NIBBLE[nibble]
    return states


_STATES = np.arange(1 << 16, dtype=np.uint16)
_BYTE_CRC = _update(np.zeros(256, dtype=np.uint16), np.arange(256, dtype=np.uint16))


def _shift(level: int) -> np.ndarray:
    while len(_SHIFTS) <= level:
        below = _SHIFTS[-1] if _SHIFTS else None
        _SHIFTS.append(_update(_STATES, np.uint16(0)) if below is None else below[below])
    return _SHIFTS[level]


def fit_crc(data: bytes | memoryview) -> int:
    """CRC of `data` from the FIT start value 0 (what the footer of a FIT file stores)."""
    if not len(data):
        return 0
    states = _BYTE_CRC[np.frombuffer(data, dtype=np.uint8)]
    width = 1 << (len(states) - 1).bit_length()
    states = np.concatenate([np.zeros(width - len(states), dtype=np.uint16), states])  # leading zeros: no-op
    level = 0
    while len(states) > 1:
        states = _shift(level)[states[0::2]] ^ states[1::2]
        level += 1
    return int(states[0])
