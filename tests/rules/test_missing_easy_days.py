from datetime import date, timedelta

from runsync_plugins.missing_easy_days import MissingEasyDays

from runsync.config import Athlete
from runsync.testing import make_session, run_rule

FAST = Athlete(id="test", name="Test", critical_speed_mps=4.0)  # 250 s/km
MON = date(2026, 10, 5)


def runs(*plan: tuple[int, float]) -> list:
    """(day offset, pace s/km): 230 is hard (faster than critical speed), 330 easy."""
    return [make_session(day=MON + timedelta(days=d), km=10, pace_s_per_km=p) for d, p in plan]


def test_two_hard_days_in_a_row_are_a_warning_naming_both_dates() -> None:
    [found] = run_rule(MissingEasyDays, runs((0, 230), (1, 230), (2, 330), (4, 230)), athlete=FAST)
    assert (found.severity, found.metrics) == ("warning", {"hard_dates": ["2026-10-05", "2026-10-06"], "days": 2})


def test_three_hard_days_in_four_are_an_alert() -> None:
    [found] = run_rule(MissingEasyDays, runs((0, 230), (1, 330), (2, 230), (3, 230)), athlete=FAST)
    assert found.severity == "alert" and found.metrics["days"] == 4 and found.title == "3 hard days in 4"


def test_hard_days_with_easy_days_between_are_silent() -> None:
    assert run_rule(MissingEasyDays, runs((0, 230), (1, 330), (2, 230), (3, 330), (4, 230)), athlete=FAST) == []


def test_long_runs_count_as_hard_only_when_configured() -> None:
    sessions = [make_session(day=MON, km=10, pace_s_per_km=230),
                make_session(day=MON + timedelta(days=1), km=25, pace_s_per_km=340, workout_type="long")]  # fmt: skip
    assert run_rule(MissingEasyDays, sessions, athlete=FAST) == []
    [found] = run_rule(MissingEasyDays, sessions, config={"long_run_is_hard": True}, athlete=FAST)
    assert found.metrics["hard_dates"] == ["2026-10-05", "2026-10-06"]


def test_a_race_is_hard_whatever_its_pace() -> None:
    sessions = runs((0, 330)) + [
        make_session(day=MON + timedelta(days=1), km=5, pace_s_per_km=330, workout_type="race")
    ]
    sessions[0] = make_session(day=MON, km=10, pace_s_per_km=230)
    [found] = run_rule(MissingEasyDays, sessions, athlete=FAST)
    assert "race" in found.basis
