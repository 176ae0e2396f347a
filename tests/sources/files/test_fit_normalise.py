"""Focused tests of the FIT connector on small files built with fit-tool (no corpus needed)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from fitdecode.utils import compute_crc

from runsync.errors import DecodeError
from runsync.model import SAMPLE_COLUMNS, Session
from runsync.sources.files.fit import decode_fit, fetch_fit_files, normalise_fit, to_lap, to_sport
from tests.sources.files.fit_builder import file_id, fit_bytes, run_file, strength_file

LOS_ANGELES, BERLIN = ZoneInfo("America/Los_Angeles"), ZoneInfo("Europe/Berlin")
HASH = "0123456789abcdef" * 4


def sessions_of(data: bytes, tz: ZoneInfo = BERLIN) -> list[Session]:
    activity = decode_fit(data, name="test.fit")
    assert activity is not None
    return normalise_fit(activity, athlete="ana", file_hash=HASH, path="/watch/test.fit", tz=tz)


def test_an_evening_run_in_los_angeles_stays_on_its_local_day_though_utc_is_the_next_day() -> None:
    start = datetime(2026, 10, 7, 1, 30, tzinfo=UTC)  # 18:30 PDT on 6 October
    (session,) = sessions_of(run_file(start, 3600, local_offset_s=-7 * 3600), tz=BERLIN)
    assert session.start == start
    assert session.utc_offset_s == -7 * 3600
    assert session.timezone is None  # the file said so; the configured zone was not needed
    assert session.local_date == date(2026, 10, 6)


def test_without_local_timestamp_the_athletes_timezone_decides_the_offset_across_the_dst_change() -> None:
    before = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)  # Sunday 25 October 2026 00:30 CEST
    after = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)  # Monday 26 October 2026 00:30 CET
    (summer,) = sessions_of(run_file(before, 600))
    (winter,) = sessions_of(run_file(after, 600))
    assert (summer.utc_offset_s, summer.timezone) == (7200, "Europe/Berlin")
    assert (winter.utc_offset_s, winter.timezone) == (3600, "Europe/Berlin")
    assert (summer.local_date, winter.local_date) == (date(2026, 10, 25), date(2026, 10, 26))


def test_a_pause_counts_in_elapsed_time_not_in_moving_time_and_shows_as_a_gap_in_the_samples() -> None:
    (session,) = sessions_of(run_file(datetime(2026, 10, 6, 6, 0, tzinfo=UTC), 600, pause=(200, 260)))
    assert (session.elapsed_s, session.moving_s) == (600, 540)
    assert session.distance_m == pytest.approx(540 * 3.0)
    samples = session.samples
    assert list(samples.columns) == list(SAMPLE_COLUMNS)
    assert all(samples[column].dtype == np.float64 for column in SAMPLE_COLUMNS)
    assert np.diff(samples["t"]).max() == 61  # t is the elapsed clock: the pause is a gap
    assert samples["cadence_spm"].iloc[0] == 170  # 85 strides/min = 170 steps/min
    assert samples["lat"].isna().all()


def test_a_run_becomes_one_session_with_its_lap_and_provenance() -> None:
    (session,) = sessions_of(run_file(datetime(2026, 10, 6, 6, 0, tzinfo=UTC), 300))
    assert session.id == f"fit-{HASH[:16]}"
    assert (session.sport, session.sub_sport, session.workout_type) == ("run", "generic", "none")
    assert session.sources[0].kind == "fit" and session.sources[0].id == HASH
    (lap,) = session.laps
    assert (lap.intensity, lap.trigger, lap.elapsed_s, lap.avg_hr) == ("active", "session_end", 300, 150)


def test_a_strength_session_keeps_its_sets_with_reps_weight_and_rest() -> None:
    start = datetime(2026, 10, 6, 17, 0, tzinfo=UTC)
    (session,) = sessions_of(strength_file(start, [(10, 60.0, 40), (8, 70.5, 35)]))
    assert (session.sport, session.sub_sport) == ("strength", "strength_training")
    active = [s for s in session.sets if s.set_type == "active"]
    assert [(s.reps, s.weight_kg, s.duration_s, s.exercise) for s in active] == [
        (10, 60.0, 40.0, "squat"),
        (8, 70.5, 35.0, "squat"),
    ]
    assert [s.set_type for s in session.sets] == ["active", "rest", "active", "rest"]
    assert session.sets[0].start == start
    assert session.samples is None


def test_a_file_with_only_file_id_is_not_an_activity() -> None:
    assert decode_fit(fit_bytes([file_id(datetime(2026, 10, 6, tzinfo=UTC))]), name="x.fit") is None


def test_a_truncated_file_is_a_decode_error_that_says_truncated_and_where() -> None:
    data = run_file(datetime(2026, 10, 6, 6, 0, tzinfo=UTC), 600)
    with pytest.raises(DecodeError, match=r"^truncated FIT file \(ends inside a record at byte [\d,]+; ") as error:
        decode_fit(data[: len(data) // 2], name="x.fit")
    assert f"{len(data) // 2:,}" in str(error.value)
    assert "x.fit" not in str(error.value)


@pytest.mark.parametrize("size", [5, 200, 5000])
def test_random_bytes_are_not_a_fit_file(size: int) -> None:
    noise = random.Random(size).randbytes(size)
    with pytest.raises(DecodeError, match="^not a FIT file"):
        decode_fit(noise, name="noise.fit")


def test_an_empty_file_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match=r"^empty file \(0 bytes\)$"):
        decode_fit(b"", name="x.fit")


def test_a_changed_byte_is_a_crc_mismatch() -> None:
    data = bytearray(run_file(datetime(2026, 10, 6, 6, 0, tzinfo=UTC), 60))
    data[-10] ^= 0xFF
    with pytest.raises(DecodeError, match="CRC mismatch"):
        decode_fit(bytes(data), name="x.fit")


def test_fuzzed_files_raise_only_decode_errors_and_what_decodes_normalises() -> None:
    data = run_file(datetime(2026, 10, 6, 6, 0, tzinfo=UTC), 120)
    rng = random.Random(7)
    for _ in range(200):
        broken = bytearray(data)
        for _ in range(3):
            broken[rng.randrange(14, len(broken) - 2)] = rng.randrange(256)
        broken[-2:] = compute_crc(bytes(broken[:-2])).to_bytes(2, "little")  # reach the normaliser too
        try:
            activity = decode_fit(bytes(broken), name="x.fit")
        except DecodeError:
            continue
        if activity is not None:
            normalise_fit(activity, athlete="ana", file_hash=HASH, path="x.fit", tz=BERLIN)


@pytest.mark.parametrize(
    ("fit_sport", "fit_sub_sport", "expected"),
    [
        ("running", "trail", "trail_run"),
        ("running", "treadmill", "treadmill_run"),
        ("running", "indoor_running", "treadmill_run"),
        ("running", "generic", "run"),
        ("cycling", "road", "ride"),
        ("swimming", "lap_swimming", "swim"),
        ("hiking", None, "walk"),
        ("fitness_equipment", "strength_training", "strength"),
        ("training", "cardio_training", "other"),
        ("transition", "generic", "other"),
        (62, None, "other"),
    ],
)
def test_fit_sports_map_to_runsync_sports(fit_sport: object, fit_sub_sport: str | None, expected: str) -> None:
    assert to_sport(fit_sport, fit_sub_sport)[0] == expected


def test_transition_legs_are_other_with_sub_sport_transition() -> None:
    assert to_sport("transition", "generic") == ("other", "transition")


@pytest.mark.parametrize(
    ("fit_trigger", "expected"),
    [("manual", "manual"), ("position_lap", "position"), ("fitness_equipment", "manual"), ("heart_rate", None)],
)
def test_lap_triggers_map_to_the_models_triggers(fit_trigger: str, expected: str | None) -> None:
    lap = to_lap({"start_time": 1.8e9, "total_elapsed_time": 60.0, "lap_trigger": fit_trigger, "intensity": "other"})
    assert (lap.trigger, lap.intensity) == (expected, None)


def test_a_lap_without_start_time_starts_its_elapsed_time_before_its_end_timestamp() -> None:
    lap = to_lap({"timestamp": 1_800_000_600.0, "total_elapsed_time": 600.0})
    assert lap.start == datetime.fromtimestamp(1_800_000_000, UTC)
    assert (lap.trigger, lap.intensity, lap.timer_s) == (None, None, None)


def test_fetch_fit_files_finds_fit_files_recursively_sorted_and_skips_hidden_ones(tmp_path: Path) -> None:
    for name in ("b.fit", "a/c.FIT", "a/.d.fit", ".hidden/e.fit", "notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    assert fetch_fit_files(tmp_path) == [tmp_path / "a" / "c.FIT", tmp_path / "b.fit"]
