"""Strava sync against the fake API: first sync, the nightly no-op, rate limits, the long backfill, odd activities."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from runsync.errors import AuthError, RateLimited, TemporaryError
from tests.fake_strava import FakeStrava, make_activity, make_streams
from tests.strava_fixtures import T0, authorise, history, stored, sync_once, write_config

pytestmark = pytest.mark.usefixtures("keyring_memory", "client_secret")

NOW = T0 + timedelta(days=400)


def test_first_sync_saves_every_activity_with_laps_and_streams_for_runs(tmp_path: Path, fake: FakeStrava) -> None:
    history(fake, 10)  # 8 runs, 2 weight sessions
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    report = sync_once(config, NOW, fake)
    assert report.errors == [] and report.failed == []
    assert fake.api_counts() == {"list": 1, "detail": 8, "streams": 8}
    sessions = stored(config).sessions("ana", samples=True)
    assert [s.sport for s in sessions].count("strength") == 2
    run = sessions[0]
    assert run.id == "strava-1" and run.sport == "run" and run.sources[0].kind == "strava"
    assert run.utc_offset_s == -7 * 3600 and run.timezone == "America/Los_Angeles"
    assert len(run.laps) == 8 and run.laps[0].distance_m == 1000.0
    assert run.samples is not None and run.samples["cadence_spm"].iloc[0] == 170.0


def test_nightly_sync_with_nothing_new_makes_exactly_one_api_call(tmp_path: Path, fake: FakeStrava) -> None:
    history(fake, 30)
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    sync_once(config, NOW, fake)
    fake.calls.clear()
    report = sync_once(config, NOW + timedelta(days=1), fake)
    assert report.errors == []
    assert fake.api_calls() == 1
    assert report.strava["unchanged"] >= 1 and "activities" not in report.strava


def test_a_new_run_costs_one_list_call_and_two_for_laps_and_streams(tmp_path: Path, fake: FakeStrava) -> None:
    made = history(fake, 20)
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    sync_once(config, NOW, fake)
    fake.calls.clear()
    last = made[-1]["start_date"]
    fake.add_activity("ana", make_activity(500, T0 + timedelta(days=19, hours=5), name="Evening run"))
    sync_once(config, NOW + timedelta(days=1), fake)
    assert fake.api_counts() == {"list": 1, "detail": 1, "streams": 1}
    assert stored(config).session("strava-500").name == "Evening run" and last


def test_a_renamed_activity_is_updated_without_fetching_laps_again(tmp_path: Path, fake: FakeStrava) -> None:
    made = history(fake, 5)
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    sync_once(config, NOW, fake)
    made[-2]["name"] = "Tempo with Ben"
    made[-2]["workout_type"] = 3
    fake.calls.clear()
    sync_once(config, NOW + timedelta(days=1), fake)
    assert fake.api_counts() == {"list": 1}
    session = stored(config).session(f"strava-{made[-2]['id']}")
    assert session.name == "Tempo with Ben" and session.workout_type == "workout" and len(session.laps) == 9


def test_a_429_in_the_middle_stops_cleanly_and_the_next_run_resumes(tmp_path: Path, fake: FakeStrava) -> None:
    history(fake, 10)
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    fake.fail_next = [200] * 0
    fake.read_limits = (7, 1000)  # the 8th call of this window answers 429
    report = sync_once(config, NOW, fake)
    assert [type(e) for e in report.errors] == [type(report.errors[0])]
    assert isinstance(report.errors[0], RateLimited) and report.exit_status() == 5
    assert "resuming after" in str(report.errors[0])
    assert len(stored(config).sessions("ana")) == 10  # every summary saved; laps pending
    calls_before = fake.api_calls()
    early = sync_once(config, NOW + timedelta(minutes=1), fake)  # before the window resets: no call at all
    assert fake.api_calls() == calls_before and early.exit_status() == 5
    fake.read_limits = (100, 1000)
    fake.new_window()
    report = sync_once(config, NOW + timedelta(minutes=16), fake)
    assert report.errors == []
    sessions = stored(config).sessions("ana")
    assert len(sessions) == 10 and all(s.laps for s in sessions if s.sport == "run")


def test_a_300_activity_history_completes_across_runs_with_no_duplicate_or_loss(
    tmp_path: Path, fake: FakeStrava
) -> None:
    made = history(fake, 300, every=timedelta(hours=20))
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake, per_page=100, reserve_daily=10)
    fake.read_limits = (600, 150)  # a small daily budget: ~140 calls a night
    runs, calls, now = 0, [], NOW
    while True:
        runs += 1
        fake.new_day()
        before = fake.api_calls()
        report = sync_once(config, now, fake)
        calls.append(fake.api_calls() - before)
        if not report.errors:
            break
        assert report.exit_status() == 5 and runs < 10
        now += timedelta(days=1)
    sessions = stored(config).sessions("ana")
    assert sorted(int(s.sources[0].id) for s in sessions) == [a["id"] for a in made]
    assert all(s.laps for s in sessions if s.sport == "run")
    assert sum(calls) == 4 + 2 * 240 + (runs - 1)  # 4 list pages, 2 calls per run, 1 nightly list call per resume
    print(f"300-activity backfill: {runs} runs, calls per run {calls}, total {sum(calls)}")


def test_a_manual_activity_without_streams_is_a_session_without_samples(tmp_path: Path, fake: FakeStrava) -> None:
    fake.add_activity("ana", make_activity(7, T0, manual=True, name="Treadmill at the gym"))
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    report = sync_once(config, NOW, fake)
    assert report.errors == [] and report.failed == []
    session = stored(config).session("strava-7")
    assert session.samples is None and session.laps == () and session.avg_hr is None
    assert fake.api_counts() == {"list": 1, "detail": 1, "streams": 1}


def test_an_unknown_sport_type_becomes_other_and_the_page_goes_on(tmp_path: Path, fake: FakeStrava) -> None:
    fake.add_activity("ana", make_activity(1, T0, sport_type="Pickleball", distance_m=0.0))
    broken = make_activity(2, T0 + timedelta(hours=3))
    streams = make_streams(broken)
    broken.update(distance="far", workout_type=[1], average_heartrate="n/a", timezone=None)
    fake.add_activity("ana", broken, laps=[{"start_date": "yesterday"}, "not a lap"], streams=streams)
    fake.add_activity("ana", make_activity(3, T0 + timedelta(days=1)))
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    report = sync_once(config, NOW, fake)
    assert report.errors == [] and report.failed == []
    store = stored(config)
    assert store.session("strava-1").sport == "other"
    assert store.session("strava-2").distance_m is None and store.session("strava-2").workout_type == "none"
    assert store.session("strava-3").sport == "run"


def test_server_errors_are_retried_then_reported_as_temporary_with_nothing_lost(
    tmp_path: Path, fake: FakeStrava
) -> None:
    history(fake, 3)
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    fake.fail_next = [500]  # one blip: retried
    assert sync_once(config, NOW, fake).errors == []
    fake.add_activity("ana", make_activity(99, T0 + timedelta(days=5)))
    fake.fail_next = [502, 503, 500, 500]
    report = sync_once(config, NOW + timedelta(days=1), fake)
    assert isinstance(report.errors[0], TemporaryError) and report.exit_status() == 5
    assert "nothing was lost" in str(report.errors[0])
    assert sync_once(config, NOW + timedelta(days=2), fake).errors == []
    assert stored(config).session("strava-99").laps


def test_a_slow_answer_times_out_and_is_retried(tmp_path: Path, fake: FakeStrava) -> None:
    history(fake, 1)
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    fake.delay_s = 1.0  # timeout_s = 0.5 in the test config
    report = sync_once(config, NOW, fake)
    assert isinstance(report.errors[0], TemporaryError) and "ReadTimeout" in str(report.errors[0])
    fake.delay_s = 0
    assert sync_once(config, NOW, fake).errors == []


def test_an_athlete_without_a_token_is_reported_and_the_others_still_sync(tmp_path: Path, fake: FakeStrava) -> None:
    history(fake, 2, athlete="ben")
    authorise(fake, "ben", at=NOW)
    config = write_config(tmp_path, fake, athletes=("ana", "ben"))
    report = sync_once(config, NOW, fake)
    assert [type(e) for e in report.errors] == [AuthError] and report.exit_status() == 4
    assert "run  runsync auth strava ana" in str(report.errors[0])
    assert len(stored(config).sessions("ben")) == 2
