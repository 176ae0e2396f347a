from datetime import UTC, datetime, timedelta

from runsync_plugins.interval_sessions import IntervalSessions, pace_fade_pct, rest_shrinking

from runsync.config import Athlete
from runsync.model import Lap
from runsync.testing import make_session, run_rule
from runsync.training import standard_distance

START = datetime(2026, 10, 5, 7, tzinfo=UTC)
ATHLETE = Athlete(id="test", name="Test", critical_speed_mps=4.0)


def structured(rep_m: list[float], rep_s: list[float], rests: list[float]) -> list[Lap]:
    laps, t = [Lap(START, 600, 600, 2000, intensity="warmup")], 600.0
    for i, (metres, seconds) in enumerate(zip(rep_m, rep_s, strict=True)):
        laps.append(Lap(START + timedelta(seconds=t), seconds, seconds, metres, intensity="active"))
        t += seconds
        if i < len(rests):
            laps.append(Lap(START + timedelta(seconds=t), rests[i], 5, 3, intensity="rest"))
            t += rests[i]
    return laps


def session_with(laps: list[Lap]):  # noqa: ANN201
    return make_session(day="2026-10-05", at="07:00", km=8, laps=laps)


def test_gps_distances_of_360_to_440_m_are_a_400() -> None:
    assert [standard_distance(d) for d in (361, 400, 438, 1012, 347)] == [400, 400, 400, 1000, 350]


def test_shrinking_rest_with_held_pace_is_info_with_every_metric() -> None:
    laps = structured([398, 405, 402, 399], [80, 80, 81, 80], [90, 75, 60])
    [found] = run_rule(IntervalSessions, [session_with(laps)], athlete=ATHLETE)
    assert found.severity == "info"
    assert found.metrics == {"reps": 4, "rep_distance_m": 400.0, "rest_s": [90, 75, 60],
                             "rep_pace_s_per_km": [201.0, 197.5, 201.5, 200.5], "rest_shrinking": True,
                             "pace_fade_pct": -0.2}  # fmt: skip


def test_pace_fade_over_5_percent_as_rest_shrinks_is_a_warning() -> None:
    laps = structured([400] * 6, [80, 80, 82, 84, 86, 88], [120, 100, 80, 60, 40])
    [found] = run_rule(IntervalSessions, [session_with(laps)], athlete=ATHLETE)
    assert found.severity == "warning" and 8.5 < found.metrics["pace_fade_pct"] < 9


def test_three_reps_are_not_a_set_unless_configured() -> None:
    laps = structured([400] * 3, [80] * 3, [60, 60])
    assert run_rule(IntervalSessions, [session_with(laps)], athlete=ATHLETE) == []
    assert len(run_rule(IntervalSessions, [session_with(laps)], config={"min_reps": 3}, athlete=ATHLETE)) == 1


def test_rest_that_rises_again_is_not_shrinking() -> None:
    assert rest_shrinking([120, 60, 110, 50], 0.75, 5) is False
    assert rest_shrinking([120, 100, 90, 60], 0.75, 5) is True
    assert round(pace_fade_pct([200, 200, 200, 210, 210, 210]), 1) == 5.0
