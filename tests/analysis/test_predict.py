"""Race predictions: the critical speed model and Riegel's exponent from planted best efforts, with their days,
and the critical speed's trend; shown in the report's text, JSON and HTML."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from runsync.analysis.predict import race_outlook
from tests.conftest import run_cli

DAY = date(2026, 11, 29)


def test_a_runner_with_cs_4_mps_and_d_prime_200_m_gets_the_models_times() -> None:
    # CS 4.0 m/s, D' 200 m: 3 min = 920 m, 12 min = 3,080 m
    outlook = race_outlook([(DAY - timedelta(days=5), 920.0, None), (DAY - timedelta(days=12), None, 3080.0)], DAY)
    assert outlook.cs_mps == pytest.approx(4.0) and outlook.d_prime_m == pytest.approx(200.0)
    five = outlook.predictions[0]
    assert five.race == "5 km" and five.cs_s == pytest.approx((5000 - 200) / 4.0)
    assert five.riegel_s == pytest.approx(720 * (5000 / 3080) ** 1.06)
    assert (outlook.best_3min.day, outlook.best_12min.day) == (DAY - timedelta(days=5), DAY - timedelta(days=12))


def test_efforts_older_than_90_days_do_not_count_and_the_trend_follows_the_window() -> None:
    efforts = [(DAY - timedelta(days=100), 1000.0, 3400.0), (DAY - timedelta(days=10), 920.0, 3080.0)]
    outlook = race_outlook(efforts, DAY, [DAY - timedelta(days=60), DAY])
    assert outlook.best_12min.distance_m == 3080.0
    assert [round(cs, 3) for _, cs in outlook.cs_trend] == [round((3400 - 1000) / 540, 3), 4.0]


def test_no_twelve_minute_effort_no_prediction_and_an_inconsistent_pair_only_riegel() -> None:
    assert race_outlook([(DAY, 900.0, None)], DAY) is None
    outlook = race_outlook([(DAY, 500.0, 3000.0)], DAY)  # 3 min slower per minute than 12: not a best effort
    assert outlook.cs_mps is None and all(p.cs_s is None and p.riegel_s > 0 for p in outlook.predictions)


def test_the_demo_report_shows_predictions_with_their_efforts_in_text_json_and_html(squad) -> None:  # noqa: ANN001
    args = ("--config", squad, "report", "--athlete", "demo")
    text = run_cli(*args).stdout
    assert "Race predictions:  5 km " in text and "(Riegel)" in text and "Predicted from:    best 3 min" in text
    [athlete] = json.loads(run_cli(*args, "--format", "json").stdout)["athletes"]
    found = athlete["race_predictions"]
    assert [r["race"] for r in found["races"]] == ["5 km", "10 km", "half marathon"]
    assert found["best_12min"]["date"] <= "2026-11-29" and len(found["critical_speed_trend"]) == 12
    assert all(r["riegel_s"] > 0 for r in found["races"])
    assert "Race predictions</h3>" in run_cli(*args, "--format", "html").stdout
