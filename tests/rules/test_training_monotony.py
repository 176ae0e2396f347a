"""training-monotony (Foster 1998): planted monotonous weeks fire, varied ones stay quiet; the evidence is in the
finding (daily loads, mean, SD, monotony, strain and the athlete's usual strain)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from runsync_plugins.training_monotony import TrainingMonotony

from runsync.testing import make_session, run_rule
from tests.athletes import Athlete, easy, long, tempo

FIRST = date(2026, 8, 3)  # a Monday
VARIED = [(480, 8), (90, 3), (315, 7), None, (450, 5), (120, 3), None]  # (load, RPE) Tue..Mon from Monday


def week_of(start: date, loads: list[float | None], rpe: float = 5.0) -> list:
    """One session a day with the given session-RPE load (None: a rest day), as `runsync log --rpe` stores it."""
    return [make_session(day=start + timedelta(days=i), sport="strength", km=None, minutes=load / rpe, rpe=rpe)
            for i, load in enumerate(loads) if load]  # fmt: skip


def history(*last_weeks: list[float | None]) -> list:
    """Eight varied weeks (monotony about 1.1), then the given weeks."""
    varied = [0, 480, 90, 315, 0, 450, 120]
    weeks = [varied] * 8 + list(last_weeks)
    return [s for n, loads in enumerate(weeks) for s in week_of(FIRST + timedelta(weeks=n), loads)]


def test_varied_training_is_quiet() -> None:
    assert run_rule(TrainingMonotony, history([0, 480, 90, 315, 0, 450, 120])) == []


def test_the_same_load_every_day_is_an_alert_with_its_evidence() -> None:
    [finding] = run_rule(TrainingMonotony, history([300] * 7))
    assert finding.severity == "alert" and finding.start == FIRST + timedelta(weeks=8)
    assert finding.end == finding.start + timedelta(days=6) and len(finding.sessions) == 7
    metrics = finding.metrics
    assert metrics["monotony"] == 10.0 and metrics["sd_daily_load"] == 0 and metrics["daily_load"] == [300.0] * 7
    assert metrics["weekly_load"] == 2100 and metrics["strain"] == 21000 and metrics["load_basis"] == {"rpe": 7}
    assert finding.basis == ("training load", "rpe") and "the same load every day" in finding.message


def test_six_equal_days_and_one_rest_day_is_an_alert() -> None:
    [finding] = run_rule(TrainingMonotony, history([360] * 6 + [0]))
    assert finding.severity == "alert" and finding.metrics["monotony"] == pytest.approx(2.45, abs=0.01)


def test_a_moderately_monotonous_week_warns_only_when_its_strain_is_high_for_the_athlete() -> None:
    [finding] = run_rule(TrainingMonotony, history([400, 350, 420, 0, 380, 0, 450]))
    assert finding.severity == "warning" and 1.5 < finding.metrics["monotony"] < 2.0
    assert finding.metrics["strain"] > 1.2 * finding.metrics["baseline_strain"]
    assert "your usual" in finding.message
    assert run_rule(TrainingMonotony, history([200, 175, 210, 0, 190, 0, 225])) == []  # as monotonous, light


def test_thresholds_come_from_the_config() -> None:
    assert run_rule(TrainingMonotony, history([360] * 6 + [0]), {"alert_monotony": 3.0, "strain_factor": 5.0}) == []
    [warning] = run_rule(TrainingMonotony, history([360] * 6 + [0]), {"alert_monotony": 3.0, "strain_factor": 1.0})
    assert warning.severity == "warning"


def test_a_week_with_too_few_sessions_with_a_load_is_not_judged() -> None:
    assert run_rule(TrainingMonotony, history([300, 0, 0, 0, 0, 0, 300])) == []


def test_an_incomplete_current_week_is_not_judged() -> None:
    sessions = history([300] * 7)
    assert run_rule(TrainingMonotony, sessions[:-3], now=None) == []


def test_seven_identical_easy_runs_from_watch_files_fire_with_heart_rate_load(tmp_path: Path) -> None:
    ana = Athlete(tmp_path)
    builders = [easy(8), tempo(6), None, easy(6), long(16), None, easy(10)]
    for week in range(8):
        for day, build in enumerate(builders):
            if build is not None:
                ana.add(build, FIRST + timedelta(weeks=week, days=day))
    same = FIRST + timedelta(weeks=8)
    for day in range(7):
        ana.add(easy(10), same + timedelta(days=day))
    ana.sync()
    findings = ana.audit(FIRST, same + timedelta(days=6), "--rule", "training-monotony")
    assert [(f["severity"], f["start"]) for f in findings] == [("alert", same.isoformat())]
    assert findings[0]["metrics"]["load_basis"] == {"hr": 7} and findings[0]["metrics"]["monotony"] > 2.0
    assert json.dumps(findings[0]["metrics"])  # plain JSON: no nan, no infinity
