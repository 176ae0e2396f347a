"""The fast FIT path gives exactly what fitdecode gives, or hands the file to fitdecode: over every corpus file,
over fixtures written with runsync.demo.fitwrite, and over hand-built files with the odd corners of the format."""

from __future__ import annotations

import hashlib
import math
import random
import struct
from dataclasses import fields, is_dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from fitdecode.utils import compute_crc

from runsync.demo import workouts
from runsync.demo.fitwrite import write_activity
from runsync.errors import DecodeError
from runsync.sources.files.fit import normalise_fit
from runsync.sources.files.fit_decode import FitActivity, decode_fit
from runsync.sources.files.fit_fast import (
    FAST_DECODER,
    REFERENCE_DECODER,
    Unsupported,
    decode_fit_either,
    decode_fit_fast,
)
from tests.sources.files.test_fit_corpus import FILES, ids

FIT_EPOCH_S = 631065600
START = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


def assert_same(fast: Any, reference: Any, where: str = "") -> None:
    """Integers equal, floats within 1e-6 relative, None/NaN in the same places, recursively."""
    if is_dataclass(reference):
        for f in fields(reference):
            assert_same(getattr(fast, f.name), getattr(reference, f.name), f"{where}.{f.name}")
    elif isinstance(reference, dict):
        assert fast.keys() == reference.keys(), f"{where}: keys {set(fast) ^ set(reference)}"
        for key in reference:
            assert_same(fast[key], reference[key], f"{where}.{key}")
    elif isinstance(reference, list | tuple):
        assert len(fast) == len(reference), f"{where}: {len(fast)} items, fitdecode {len(reference)}"
        for i, (a, b) in enumerate(zip(fast, reference, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(reference, pd.DataFrame):
        assert list(fast.columns) == list(reference.columns), where
        assert_same({c: fast[c].to_numpy() for c in fast}, {c: reference[c].to_numpy() for c in reference}, where)
    elif isinstance(reference, np.ndarray):
        assert fast.dtype == reference.dtype and fast.shape == reference.shape, where
        if reference.dtype.kind == "f":
            assert (np.isnan(fast) == np.isnan(reference)).all(), f"{where}: NaN in other places"
            np.testing.assert_allclose(fast, reference, rtol=1e-6, atol=0, equal_nan=True, err_msg=where)
        else:
            assert (fast == reference).all(), where
    elif isinstance(reference, float) and not isinstance(fast, int):
        assert isinstance(fast, float) and math.isclose(fast, reference, rel_tol=1e-6), f"{where}: {fast} {reference}"
    else:
        assert type(fast) is type(reference) and fast == reference, f"{where}: {fast!r} vs fitdecode {reference!r}"


def assert_same_or_fallback(data: bytes, name: str = "test.fit") -> str:
    """The fast path's answer equals fitdecode's (FitActivity and normalised sessions), or it fell back."""
    try:
        fast = decode_fit_fast(data, name=name)
    except Unsupported:
        return REFERENCE_DECODER
    try:
        reference = decode_fit(data, name=name)
    except DecodeError as exc:
        reference = exc
    assert not isinstance(reference, Exception), f"fast path decoded a file fitdecode rejects: {reference}"
    if reference is None or fast is None:
        assert fast is reference
        return FAST_DECODER
    assert_same(fast, reference)
    assert_same(sessions(fast, data), sessions(reference, data))
    return FAST_DECODER


def sessions(activity: FitActivity, data: bytes) -> list:
    digest = hashlib.sha256(data).hexdigest()
    return normalise_fit(activity, athlete="ana", file_hash=digest, path="x.fit", tz=ZoneInfo("Europe/Berlin"))


@cache
def corpus_outcome(path: Path) -> str:
    return assert_same_or_fallback(path.read_bytes(), path.name)


@pytest.mark.skipif(not FILES, reason="FIT corpus not found")
@pytest.mark.parametrize("path", FILES, ids=ids)
def test_each_corpus_file_decodes_fast_to_what_fitdecode_gives_or_falls_back(path: Path) -> None:
    corpus_outcome(path)


@pytest.mark.skipif(not FILES, reason="FIT corpus not found")
def test_the_large_corpus_files_take_the_fast_path() -> None:
    large = [p for p in FILES if p.name in ("large.fit", "big_activity.fit")]
    assert large and all(corpus_outcome(p) == FAST_DECODER for p in large)


FIXTURES = {
    "easy run": workouts.easy_run(START, 3600, 8.0, 330, 142),
    "intervals": workouts.intervals(START, -18000, 6, 400, 240, [90, 80, 70, 60, 50], rest_kind="standing"),
    "no local time": workouts.tempo_run(START, None, 5.0, 265),
    "strength": workouts.strength_session(START, 0, [(40, 10, 60.0, "squat"), (35, 8, None, "bench_press")]),
}


@pytest.mark.parametrize("name", FIXTURES)
def test_fitwrite_fixtures_decode_fast_to_exactly_what_fitdecode_gives(name: str) -> None:
    assert assert_same_or_fallback(write_activity(FIXTURES[name])) == FAST_DECODER


def test_chained_fitwrite_files_decode_fast_with_their_parts() -> None:
    data = write_activity(FIXTURES["easy run"]) + write_activity(FIXTURES["strength"])
    assert assert_same_or_fallback(data) == FAST_DECODER
    assert set(decode_fit_fast(data, name="x.fit").records["part"]) == {0, 1}


# Hand-built files: big-endian definitions, compressed-timestamp headers, developer fields, invalid values.
def definition(local: int, mesg: int, spec: list[tuple[int, int, int]], *, big: bool = False, dev=()) -> bytes:  # noqa: ANN001
    out = bytes([0x40 | local | (0x20 if dev else 0), 0, int(big)]) + struct.pack(">H" if big else "<H", mesg)
    out += bytes([len(spec)]) + b"".join(bytes(f) for f in spec)
    return out + (bytes([len(dev)]) + b"".join(bytes(f) for f in dev) if dev else b"")


def message(local: int, fmt: str, *values: int, big: bool = False, time_offset: int | None = None) -> bytes:
    header = local if time_offset is None else 0x80 | local << 5 | time_offset
    return bytes([header]) + struct.pack((">" if big else "<") + fmt, *values)


def fit_file(body: bytes) -> bytes:
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    whole = header + struct.pack("<H", compute_crc(header)) + body
    return whole + struct.pack("<H", compute_crc(whole))


def odd_corners(big: bool) -> bytes:
    t0 = int(START.timestamp()) - FIT_EPOCH_S
    body = definition(0, 0, [(0, 1, 0x00), (4, 4, 0x86)]) + message(0, "BI", 4, t0)
    body += definition(1, 207, [(3, 1, 0x02)]) + message(1, "B", 0)
    body += definition(2, 206, [(0, 1, 0x02), (1, 1, 0x02), (2, 1, 0x02)]) + message(2, "BBB", 0, 0, 0x84)
    records = [(253, 4, 0x86), (5, 4, 0x86), (6, 2, 0x84), (3, 1, 0x02), (2, 2, 0x84)]
    body += definition(0, 20, records, big=big, dev=[(0, 2, 0)])
    body += message(0, "IIHBHH", t0, 0, 3000, 120, 3000, 7, big=big)
    body += definition(1, 20, [(5, 4, 0x86), (6, 2, 0x84), (3, 1, 0x02)], big=big)
    for i, offset in enumerate([(t0 + 5) % 32, (t0 + 20) % 32, (t0 + 40) % 32, (t0 + 41) % 32]):
        hr, speed = (0xFF, 0xFFFF) if i == 2 else (130 + i, 3100 + i)
        body += message(1, "IHB", 1000 * (i + 1), speed, hr, big=big, time_offset=offset)
    session = [(2, 4, 0x86), (253, 4, 0x86), (7, 4, 0x86), (9, 4, 0x86), (5, 1, 0x00)]
    body += definition(3, 18, session, big=big) + message(3, "IIIIB", t0, t0 + 41, 41000, 4000, 1, big=big)
    body += definition(3, 34, [(253, 4, 0x86), (5, 4, 0x86)]) + message(3, "II", t0 + 41, t0 + 41 + 3600)
    return fit_file(body)


@pytest.mark.parametrize("big", [False, True], ids=["little-endian", "big-endian"])
def test_compressed_timestamps_developer_fields_and_invalid_values_decode_fast_and_exactly(big: bool) -> None:
    data = odd_corners(big)
    assert assert_same_or_fallback(data) == FAST_DECODER
    records = decode_fit_fast(data, name="x.fit").records
    assert list(records["timestamp"] - records["timestamp"][0]) == [0, 5, 20, 40, 41]
    assert np.isnan(records["heart_rate"][3]) and np.isnan(records["speed"][3])


def test_an_unknown_base_type_goes_to_fitdecode() -> None:
    data = fit_file(definition(0, 0, [(0, 1, 0x00), (9, 4, 0x0C)]) + message(0, "BI", 4, 0))
    assert assert_same_or_fallback(data) == REFERENCE_DECODER


@pytest.mark.parametrize("damage", ["crc", "truncated", "undefined local type"])
def test_a_damaged_file_goes_to_fitdecode_which_names_what_is_wrong(damage: str) -> None:
    data = bytearray(odd_corners(False))
    if damage == "crc":
        data[40] ^= 0x01
    elif damage == "truncated":
        data = data[:-7]
    else:
        data = bytearray(fit_file(message(5, "B", 1)))
    with pytest.raises(Unsupported):
        decode_fit_fast(bytes(data), name="x.fit")
    with pytest.raises(DecodeError):
        decode_fit_either(bytes(data), name="x.fit")


def with_hr(hr_fields: list[tuple[int, int, int]], hr_messages: list[bytes]) -> bytes:
    """odd_corners' messages, then an hr definition (local 4) and its messages."""
    body = odd_corners(False)[14:-2] + definition(4, 132, hr_fields)
    return fit_file(body + b"".join(bytes([4]) + m for m in hr_messages))


HR_FIELDS = [(253, 4, 0x86), (9, 4, 0x86), (10, 3, 0x0D)]  # timestamp, event_timestamp, event_timestamp_12


def test_hr_batches_decode_fast_when_fitdecode_can_expand_them() -> None:
    t0 = int(START.timestamp()) - FIT_EPOCH_S
    batch = [
        struct.pack("<II", t0 + 50, 3 * 1024) + b"\x00\x00\x00",
        struct.pack("<II", 2**32 - 1, 2**32 - 1) + b"\x01\x02\x03",
    ]
    assert assert_same_or_fallback(with_hr(HR_FIELDS, batch)) == FAST_DECODER


def test_hr_batches_fitdecode_cannot_expand_go_to_fitdecode() -> None:
    invalid = with_hr(HR_FIELDS, [struct.pack("<II", 12345, 1024) + b"\xff\xff\xff"])
    before_any_batch = with_hr([(10, 3, 0x0D)], [b"\x01\x02\x03"])
    for data in (invalid, before_any_batch):
        with pytest.raises(Unsupported):
            decode_fit_fast(data, name="x.fit")
        with pytest.raises(DecodeError):
            decode_fit_either(data, name="x.fit")


def test_a_field_whose_size_is_not_a_multiple_of_its_type_is_bytes_as_fitdecode_reads_it() -> None:
    data = fit_file(definition(0, 0, [(0, 1, 0x00), (4, 4, 0x86), (3, 3, 0x86)]) + message(0, "BI", 4, 0) + b"abc")
    assert assert_same_or_fallback(data) == FAST_DECODER


def test_damaged_files_with_a_valid_crc_decode_as_fitdecode_does_or_fall_back() -> None:
    """A seeded fuzz: bytes of hand-built and fitwrite files changed (the CRC then rewritten, so the damage gets
    past the first check); the fast path never gives an answer fitdecode would not."""
    rng = random.Random(6)
    bases = [odd_corners(False), odd_corners(True), write_activity(FIXTURES["strength"])]
    outcomes = set()
    for _ in range(300):
        data = bytearray(rng.choice(bases))
        for _ in range(rng.randint(1, 3)):
            data[rng.randrange(14, min(len(data) - 2, 400))] = rng.randrange(256)
        data[-2:] = struct.pack("<H", compute_crc(bytes(data[:-2])))
        outcomes.add(assert_same_or_fallback(bytes(data)))
    assert outcomes == {FAST_DECODER, REFERENCE_DECODER}
