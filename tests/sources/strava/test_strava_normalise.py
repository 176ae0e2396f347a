"""The Strava normaliser is pure and lenient: raw JSON in, a Session out, odd values become None or `other`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from runsync.sources.strava.client import RateBudget, next_quarter_hour, next_utc_midnight
from runsync.sources.strava.normalise import normalise_activity, to_sport, to_timezone
from tests.fake_strava import make_activity, make_laps, make_streams

START = datetime(2026, 10, 6, 1, 30, tzinfo=UTC)  # 18:30 on the 5th in Los Angeles


@pytest.mark.parametrize(
    ("sport_type", "name", "trainer", "expected"),
    [
        ("Run", "", False, "run"),
        ("Run", "", True, "treadmill_run"),
        ("TrailRun", "", False, "trail_run"),
        ("VirtualRun", "", False, "treadmill_run"),
        ("GravelRide", "", False, "ride"),
        ("Hike", "", False, "walk"),
        ("WeightTraining", "", False, "strength"),
        ("Crossfit", "", False, "strength"),
        ("Workout", "Leg strength", False, "strength"),
        ("Workout", "Yoga flow", False, "other"),
        ("Pickleball", "", False, "other"),
        (None, "", False, "other"),
    ],
)
def test_strava_sport_types_map_to_session_sports(sport_type, name, trainer, expected) -> None:
    assert to_sport({"sport_type": sport_type, "name": name, "trainer": trainer}) == expected


def test_the_local_day_comes_from_start_date_local_not_the_utc_date() -> None:
    session = normalise_activity(make_activity(5, START), athlete="ana")
    assert session.utc_offset_s == -7 * 3600 and session.local_date.isoformat() == "2026-10-05"
    assert session.timezone == "America/Los_Angeles" and session.start == START


def test_a_timezone_strava_writes_oddly_is_dropped_not_fatal() -> None:
    assert to_timezone("(GMT+01:00) Europe/Madrid") == "Europe/Madrid"
    assert to_timezone("(GMT+00:00) Nowhere/Special") is None and to_timezone(None) is None


def test_run_cadence_is_doubled_to_steps_per_minute_but_ride_cadence_is_not() -> None:
    run = make_activity(1, START)
    ride = make_activity(2, START, sport_type="Ride", distance_m=30_000.0)
    run_session = normalise_activity(run, athlete="ana", streams=make_streams(run))
    ride_session = normalise_activity(ride, athlete="ana", streams=make_streams(ride))
    assert run_session.samples["cadence_spm"].iloc[0] == 170 and ride_session.samples["cadence_spm"].iloc[0] == 85
    assert list(run_session.samples.columns) == ["t", "distance_m", "speed_mps", "hr", "cadence_spm", "altitude_m",
                                                 "lat", "lon"]  # fmt: skip


def test_laps_come_from_the_detail_with_no_intensity_strava_does_not_know() -> None:
    run = make_activity(3, START, distance_m=5000.0, moving_s=1500, workout_type=1)
    session = normalise_activity(run, athlete="ana", detail={**run, "laps": make_laps(run)})
    assert len(session.laps) == 5 and session.laps[0].intensity is None and session.laps[0].distance_m == 1000.0
    assert session.workout_type == "race" and session.sources[0].id == "3"


def test_a_summary_without_a_start_is_not_a_session() -> None:
    assert normalise_activity({"id": 4, "name": "??"}, athlete="ana") is None


def test_the_budget_stops_at_the_reserve_and_says_when_the_window_resets() -> None:
    budget = RateBudget(reserve_15min=5, reserve_daily=50)
    now = datetime(2026, 10, 6, 9, 7, tzinfo=UTC)
    budget.observe({"X-ReadRateLimit-Limit": "100,1000", "X-ReadRateLimit-Usage": "94,300"})
    assert budget.resume_at(now) is None
    budget.observe({"X-ReadRateLimit-Limit": "100,1000", "X-ReadRateLimit-Usage": "95,300"})
    assert budget.resume_at(now) == next_quarter_hour(now) == datetime(2026, 10, 6, 9, 15, tzinfo=UTC)
    budget.observe({"X-RateLimit-Limit": "200,2000", "X-RateLimit-Usage": "10,1990",
                    "X-ReadRateLimit-Limit": "100,1000", "X-ReadRateLimit-Usage": "10,300"})  # fmt: skip
    assert budget.resume_at(now) == next_utc_midnight(now) == datetime(2026, 10, 7, tzinfo=UTC)


def test_streams_in_the_plain_list_form_are_read_like_streams_keyed_by_type() -> None:
    from runsync.sources.strava.normalise import to_samples

    listed = [{"type": "time", "data": [0, 1, 2]}, {"type": "heartrate", "data": [120, 121, None]}]
    frame = to_samples(listed, on_foot=True)
    assert frame is not None
    assert list(frame["t"]) == [0, 1, 2] and list(frame["hr"][:2]) == [120, 121]
    assert to_samples("not streams", on_foot=True) is None  # type: ignore[arg-type]
