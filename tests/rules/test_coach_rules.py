"""The coach's next questions (strength-frequency, return-after-break, intensity-distribution, aerobic-decoupling):
each rule fires on its planted pattern with the evidence in the finding, and stays quiet on its control."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from runsync_plugins.aerobic_decoupling import AerobicDecoupling, decoupling_pct
from runsync_plugins.intensity_distribution import IntensityDistribution
from runsync_plugins.return_after_break import ReturnAfterBreak, spike_band
from runsync_plugins.strength_frequency import StrengthFrequency

from runsync.config import Athlete
from runsync.model import SAMPLE_COLUMNS
from runsync.testing import make_session, run_rule
from tests.conftest import run_cli

MON = date(2026, 9, 7)  # a Monday
HR_ATHLETE = Athlete(id="test", name="Test", max_hr=190.0)


def weeks_of_running(weekly_km: list[float], strength_per_week: list[int] | None = None) -> list:
    """Each week: the distance as three runs (Tue, Thu, Sun: 30/30/40 %), and that many strength sessions."""
    sessions = []
    for n, km in enumerate(weekly_km):
        monday = MON + timedelta(weeks=n)
        for offset, share in ((1, 0.3), (3, 0.3), (6, 0.4)):
            sessions.append(make_session(day=monday + timedelta(days=offset), km=km * share, pace_s_per_km=330))
        for k in range((strength_per_week or [0] * len(weekly_km))[n]):
            sessions.append(make_session(day=monday + timedelta(days=2 * k), at="18:00", sport="strength", km=None,
                                         minutes=40))  # fmt: skip
    return sessions


# --- strength-frequency -----------------------------------------------------------------------------------------


def test_a_build_with_one_strength_session_a_week_warns_on_its_last_week_with_the_counts() -> None:
    [finding] = run_rule(StrengthFrequency, weeks_of_running([20, 20, 24, 28, 32, 32], [1, 1, 1, 1, 1, 1]))
    assert finding.severity == "warning" and finding.rule == "strength-frequency"
    assert finding.metrics["week_start"] == (MON + timedelta(weeks=4)).isoformat()  # the build's last week
    assert finding.metrics["strength_by_week"] == [1, 1, 1, 1] and finding.metrics["strength_per_week"] == 1.0
    assert finding.metrics["distance_by_week_m"] == [20000.0, 24000.0, 28000.0, 32000.0]
    assert "Lauersen 2014" in finding.message and "20.0 km → 24.0 km → 28.0 km → 32.0 km" in finding.message


def test_a_build_with_no_strength_at_all_is_an_alert() -> None:
    [finding] = run_rule(StrengthFrequency, weeks_of_running([20, 24, 28, 32]))
    assert finding.severity == "alert" and finding.metrics["strength_per_week"] == 0


def test_twice_a_week_through_the_build_and_a_steady_block_without_strength_are_quiet() -> None:
    assert run_rule(StrengthFrequency, weeks_of_running([20, 24, 28, 32], [2, 2, 2, 2])) == []
    assert run_rule(StrengthFrequency, weeks_of_running([30, 30, 29, 30, 30])) == []  # no build: mileage-ramp's job


# --- return-after-break -------------------------------------------------------------------------------------------


def pattern_then_break(return_km: list[float], break_days: int = 21) -> list:
    """Four weeks of 8, 8 and 12 km runs (the longest 12 km, 28 km a week), a break, then the given runs daily."""
    before = weeks_of_running([28, 28, 28, 28])
    last = max(s.local_date for s in before)
    back = last + timedelta(days=break_days + 1)
    return before + [make_session(day=back + timedelta(days=2 * i), km=km, pace_s_per_km=330)
                     for i, km in enumerate(return_km)]  # fmt: skip


def test_frandsens_spike_bands() -> None:
    assert spike_band(9.9) is None and spike_band(15) == ("10-30 %", 1.64)
    assert spike_band(45) == ("30-100 %", 1.52) and spike_band(120) == ("above 100 %", 2.28)


def test_a_first_run_back_40_percent_longer_than_before_is_graded_in_the_30_to_100_band() -> None:
    [finding] = run_rule(ReturnAfterBreak, pattern_then_break([15.68, 5]))
    assert finding.severity == "warning" and finding.metrics["spike_band"] == "30-100 %"
    assert finding.metrics["increase_pct"] == 40.0 and finding.metrics["break_days"] == 21
    assert finding.metrics["longest_before_m"] == 11200.0 and "1.52-fold" in finding.message


def test_double_the_old_longest_run_is_an_alert() -> None:
    [finding] = run_rule(ReturnAfterBreak, pattern_then_break([25]))
    assert finding.severity == "alert" and finding.metrics["spike_band"] == "above 100 %"


def test_coming_back_at_full_weekly_volume_in_short_runs_warns_about_the_week() -> None:
    [finding] = run_rule(ReturnAfterBreak, pattern_then_break([8, 8, 8, 8]))
    assert finding.title.startswith("Back from a 21-day break at") and finding.metrics["return_pct"] > 75


def test_a_gentle_return_and_a_short_gap_are_quiet() -> None:
    assert run_rule(ReturnAfterBreak, pattern_then_break([5, 6, 6])) == []
    assert run_rule(ReturnAfterBreak, pattern_then_break([16.8], break_days=10)) == []  # not a break


def test_mileage_ramps_longest_run_trigger_says_the_spike_band() -> None:
    from runsync_plugins.mileage_ramp import MileageRamp

    sessions = weeks_of_running([28, 28, 28, 28, 28]) + [make_session(day=MON + timedelta(weeks=5, days=1), km=16.8)]
    found = [f for f in run_rule(MileageRamp, sessions) if f.title.startswith("Longest run")]
    assert found and "30-100 %" in found[0].message and found[0].metrics["spike_band"] == "30-100 %"


# --- intensity-distribution -------------------------------------------------------------------------------------


def steady(minutes: float, hr: float, speed: float = 3.0, hr_noise: float = 0.0) -> pd.DataFrame:
    t = np.arange(0, minutes * 60, dtype=float)
    frame = {c: np.full(len(t), np.nan) for c in SAMPLE_COLUMNS}
    frame.update(t=t, speed_mps=np.full(len(t), speed), distance_m=t * speed, hr=np.full(len(t), hr) + hr_noise * t)
    return pd.DataFrame(frame)[list(SAMPLE_COLUMNS)]


def runs_at(heart_rates: list[float], weeks: int = 3) -> list:
    """Per week, one 50-min run at each heart rate (max HR 190: < 152 easy, 152-170 moderate, ≥ 171 hard)."""
    return [make_session(day=MON + timedelta(weeks=n, days=i), km=9, pace_s_per_km=333, avg_hr=hr,
                         samples=steady(50, hr)) for n in range(weeks) for i, hr in enumerate(heart_rates)]  # fmt: skip


def test_grey_zone_running_over_three_weeks_warns_with_the_weekly_zone_minutes() -> None:
    found = run_rule(IntensityDistribution, runs_at([140, 160, 162]), athlete=HR_ATHLETE)
    finding = found[-1]
    assert finding.title.startswith("Easy running drifting into the grey zone")
    assert (finding.metrics["easy_pct"], finding.metrics["moderate_pct"]) == (33.3, 66.7)
    assert finding.metrics["zones"] == "max_hr" and "heart rate vs max HR" in finding.message
    assert finding.metrics["weeks"][0] == {"week_start": MON.isoformat(), "easy_min": 50, "moderate_min": 100,
                                           "hard_min": 0}  # fmt: skip


def test_polarised_training_is_quiet() -> None:
    assert run_rule(IntensityDistribution, runs_at([140, 140, 140, 140, 175]), athlete=HR_ATHLETE) == []


# --- aerobic-decoupling -------------------------------------------------------------------------------------------


def test_decoupling_is_the_fall_of_speed_per_beat_from_the_first_half_to_the_second() -> None:
    assert abs(decoupling_pct(steady(90, 140), 600)) < 1e-9
    drifting = steady(90, 140, hr_noise=20 / 5400)  # HR 140 → 160 at the same pace
    assert 5 < decoupling_pct(drifting, 600) < 7


def long_runs(drifts: list[float], weekly_km: list[float]) -> list:
    """One 90-min easy run a week with the given HR drift (bpm over the run), and short runs to make up the week."""
    sessions = []
    for n, (drift, km) in enumerate(zip(drifts, weekly_km, strict=True)):
        monday = MON + timedelta(weeks=n)
        sessions.append(make_session(day=monday + timedelta(days=6), km=16.2, pace_s_per_km=333, avg_hr=140 + drift / 2,
                                     samples=steady(90, 130, hr_noise=drift / 5400)))  # fmt: skip
        sessions.append(make_session(day=monday + timedelta(days=2), km=km - 16.2, pace_s_per_km=333))
    return sessions


def test_one_drifting_long_run_is_information_and_a_worsening_trend_while_volume_rises_a_warning() -> None:
    found = run_rule(AerobicDecoupling, long_runs([4, 20, 26, 32], [30, 34, 38, 42]), athlete=HR_ATHLETE)
    infos = [f for f in found if f.severity == "info"]
    assert len(infos) == 3 and all(f.metrics["decoupling_pct"] > 5 for f in infos)
    [trend] = [f for f in found if f.severity == "warning"]
    assert len(trend.metrics["decoupling_pct"]) == 3 and trend.metrics["decoupling_pct"] == sorted(
        trend.metrics["decoupling_pct"])  # fmt: skip


def test_steady_long_runs_and_a_worsening_drift_at_steady_volume_give_no_warning() -> None:
    assert run_rule(AerobicDecoupling, long_runs([2, 3, 4, 3], [30, 34, 38, 42]), athlete=HR_ATHLETE) == []
    found = run_rule(AerobicDecoupling, long_runs([4, 20, 26, 32], [40, 40, 40, 40]), athlete=HR_ATHLETE)
    assert [f.severity for f in found] == ["info", "info", "info"]


def test_runsync_rules_lists_the_new_rules_with_their_config(tmp_path) -> None:  # noqa: ANN001
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "s.db"}"\n[athletes.ana]\ntimezone = "UTC"\n'
                      '[rules.strength-frequency]\nmin_per_week = 3.0\n', encoding="utf-8")  # fmt: skip
    out = run_cli("--config", config, "rules").stdout
    for rule_id in ("strength-frequency", "return-after-break", "intensity-distribution", "aerobic-decoupling"):
        assert f"{rule_id}\tenabled" in out
    assert "    min_per_week = 3.0" in out
