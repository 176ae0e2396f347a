from __future__ import annotations

from datetime import UTC, datetime, timedelta

from runsync.model import Lap, Session, Source
from runsync.sync.merge import find_duplicate, merge

START = datetime(2026, 10, 12, 7, 0, tzinfo=UTC)
LAP = Lap(START, 300.0, 300.0, 1000.0)


def fit_copy(**changes: object) -> Session:
    base = Session(id="fit-1", athlete="ana", sport="run", start=START, distance_m=10_000.0, laps=(LAP,),
                   sources=(Source("fit", "1", "/w/1.fit"),))  # fmt: skip
    return base.replace(**changes)


def strava_copy(**changes: object) -> Session:
    base = Session(id="strava-9", athlete="ana", sport="run", start=START + timedelta(seconds=60),
                   distance_m=10_300.0, name="Morning Run", workout_type="race",
                   sources=(Source("strava", "9", "Morning Run"),))  # fmt: skip
    return base.replace(**changes)


def test_the_same_run_from_watch_and_strava_is_recognised() -> None:
    assert find_duplicate(strava_copy(), [fit_copy()]).id == "fit-1"


def test_runs_too_far_apart_in_time_or_distance_are_not_duplicates() -> None:
    assert find_duplicate(strava_copy(start=START + timedelta(seconds=121)), [fit_copy()]) is None
    assert find_duplicate(strava_copy(distance_m=10_600.0), [fit_copy()]) is None
    assert find_duplicate(strava_copy(athlete="ben"), [fit_copy()]) is None
    assert find_duplicate(strava_copy(sport="ride"), [fit_copy()]) is None


def test_merge_keeps_fit_data_and_strava_name_whichever_came_first() -> None:
    a, b = merge(fit_copy(), strava_copy()), merge(strava_copy(), fit_copy())
    for merged in (a, b):
        assert merged.id == "fit-1"
        assert merged.laps == (LAP,) and merged.distance_m == 10_000.0 and merged.start == START
        assert merged.name == "Morning Run" and merged.workout_type == "race"
        assert [s.kind for s in merged.sources] == ["fit", "strava"]


def test_a_renamed_strava_activity_updates_the_merged_name() -> None:
    merged = merge(fit_copy(), strava_copy())
    again = merge(merged, strava_copy(name="Tempo with Ben", sources=(Source("strava", "9", "Tempo with Ben"),)))
    assert again.name == "Tempo with Ben"
    assert len(again.sources) == 2


def test_two_watch_files_of_the_same_ride_merge_to_the_same_session_in_either_order() -> None:
    edge = fit_copy(id="fit-a", sport="ride", sources=(Source("fit", "a", "/w/edge.fit"),))
    fenix = fit_copy(id="fit-b", sport="ride", start=START + timedelta(seconds=3),
                     sources=(Source("fit", "b", "/w/fenix.fit"),))  # fmt: skip
    one, two = merge(edge, fenix), merge(fenix, edge)
    assert one.id == two.id == "fit-a" and one.start == two.start
    assert one.sources == two.sources
