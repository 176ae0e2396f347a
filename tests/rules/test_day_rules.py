"""readiness (wellness) and plan-compliance (planned workouts): each fires on its planted pattern with the evidence
in the finding, stays quiet on its control, and is silent without the data it needs (and `runsync rules` says so)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from runsync_plugins.plan_compliance import PlanCompliance
from runsync_plugins.readiness import Readiness

from runsync.config import Athlete
from runsync.model import PlannedWorkout, WellnessDay
from runsync.testing import make_session, run_rule
from tests.conftest import run_cli

MON = date(2026, 9, 7)  # a Monday
ATHLETE = Athlete(id="test", name="Test", max_hr=190.0)


def calm_days(first: date, n: int, rhr: float = 48.0, hrv: float = 65.0) -> list[WellnessDay]:
    """Steady mornings with the day-to-day wobble a real baseline has."""
    wobble = (0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5)
    return [WellnessDay("test", first + timedelta(days=i), resting_hr=rhr + wobble[i % 7],
                        hrv_rmssd_ms=hrv * (1 + wobble[(i + 3) % 7] / 20)) for i in range(n)]  # fmt: skip


def key_workout(day: date, name: str = "6x800m", km: float = 12.0, minutes: float = 60) -> PlannedWorkout:
    return PlannedWorkout("test", "intervals", f"p{day:%m%d}", day, "run", name=name, distance_m=km * 1000,
                          moving_s=minutes * 60, intensity=88.0, key=True)  # fmt: skip


def easy_workout(day: date, km: float = 8.0) -> PlannedWorkout:
    return PlannedWorkout("test", "intervals", f"e{day:%m%d}", day, "run", name="Easy", distance_m=km * 1000,
                          moving_s=km * 330, intensity=65.0)  # fmt: skip


def now_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)


# --- readiness ----------------------------------------------------------------------------------------------------


def test_resting_hr_up_on_the_day_of_a_planned_key_workout_warns_naming_it() -> None:
    day = MON + timedelta(days=70)
    days = calm_days(MON, 70) + [WellnessDay("test", day, resting_hr=55.0, hrv_rmssd_ms=64.0)]
    [finding] = run_rule(Readiness, [make_session(day=MON, km=8)], athlete=ATHLETE, now=now_after(day),
                         wellness=days, planned=[key_workout(day)])  # fmt: skip
    assert finding.severity == "warning" and finding.start == day
    assert '"6x800m" (planned)' in finding.title
    assert "Resting HR 55 bpm, 7 over its 60-day mean of 48" in finding.message
    assert finding.metrics["resting_hr_baseline"] == 48.0 and finding.metrics["planned"] == [key_workout(day).id]


def test_resting_hr_up_and_hrv_suppressed_for_a_week_is_an_alert() -> None:
    day = MON + timedelta(days=76)
    low = [WellnessDay("test", MON + timedelta(days=70 + i), resting_hr=49.0, hrv_rmssd_ms=48.0) for i in range(6)]
    days = calm_days(MON, 70) + low + [WellnessDay("test", day, resting_hr=56.0, hrv_rmssd_ms=47.0)]
    [finding] = run_rule(Readiness, [], athlete=ATHLETE, now=now_after(day), wellness=days, planned=[key_workout(day)])
    assert finding.severity == "alert" and "HRV's 7-day mean 48 ms under its usual range" in finding.message
    assert finding.metrics["ln_rmssd_7d"] < finding.metrics["ln_rmssd_floor"]


def test_calm_mornings_and_an_easy_plan_are_quiet_and_no_wellness_is_silent() -> None:
    day = MON + timedelta(days=70)
    days = calm_days(MON, 71)
    assert run_rule(Readiness, [], athlete=ATHLETE, now=now_after(day), wellness=days,
                    planned=[key_workout(day)]) == []  # fmt: skip
    spike = days + [WellnessDay("test", day + timedelta(days=1), resting_hr=60.0)]
    assert run_rule(Readiness, [], athlete=ATHLETE, now=now_after(day), wellness=spike,
                    planned=[easy_workout(day + timedelta(days=1))]) == []  # not a key day  # fmt: skip
    assert run_rule(Readiness, [], athlete=ATHLETE, now=now_after(day), planned=[key_workout(day)]) == []


# --- plan-compliance --------------------------------------------------------------------------------------------


def planned_week(monday: date) -> list[PlannedWorkout]:
    return [easy_workout(monday + timedelta(days=1)), key_workout(monday + timedelta(days=3)),
            easy_workout(monday + timedelta(days=4)), key_workout(monday + timedelta(days=6), "Long run", 18, 100)]


def test_a_week_at_half_the_planned_distance_with_the_long_run_missed_warns_with_both() -> None:
    done = [make_session(day=MON + timedelta(days=1), km=8, pace_s_per_km=330),
            make_session(day=MON + timedelta(days=3), km=12, pace_s_per_km=300)]  # fmt: skip
    [finding] = run_rule(PlanCompliance, done, athlete=ATHLETE, now=now_after(MON + timedelta(days=8)),
                         planned=planned_week(MON))  # fmt: skip
    assert finding.severity == "warning" and finding.start == MON and finding.end == MON + timedelta(days=6)
    assert "distance 20.0 km of 46.0 km planned (43 %)" in finding.message
    assert "key workout 'Long run' on Sun 13 Sep missed" in finding.message
    assert finding.metrics["planned"] == 4 and finding.metrics["done"] == 2 and finding.metrics["pct"] == 43.5


def test_a_week_run_as_planned_is_quiet_and_the_current_week_is_not_judged_yet() -> None:
    done = [make_session(day=MON + timedelta(days=d), km=km, pace_s_per_km=320)
            for d, km in ((1, 8), (3, 12), (4, 7.5), (6, 18))]  # fmt: skip
    assert run_rule(PlanCompliance, done, athlete=ATHLETE, now=now_after(MON + timedelta(days=8)),
                    planned=planned_week(MON)) == []  # fmt: skip
    assert run_rule(PlanCompliance, done[:1], athlete=ATHLETE, now=now_after(MON + timedelta(days=3)),
                    planned=planned_week(MON)) == []  # the week is not over  # fmt: skip
    too_much = [*done, make_session(day=MON + timedelta(days=5), km=25, pace_s_per_km=320)]
    [over] = run_rule(PlanCompliance, too_much, athlete=ATHLETE, now=now_after(MON + timedelta(days=8)),
                      planned=planned_week(MON))  # fmt: skip
    assert "(153 %)" in over.message


def test_runsync_rules_lists_both_and_says_they_are_silent_without_their_data(tmp_path) -> None:  # noqa: ANN001
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "r.db"}"\n[athletes.ana]\nname = "Ana"\n', encoding="utf-8")
    out = run_cli("--config", config, "rules").stdout
    assert "readiness\tenabled" in out and "plan-compliance\tenabled" in out and "rhr_rise_bpm = 5.0" in out
    assert out.count("(silent: no wellness days are stored") == 1
    assert out.count("(silent: no planned workouts are stored") == 1
