"""Training load per session and its basis: Banister's TRIMP by the numbers, the pace load that does not average
an interval session away, session-RPE, and no load rather than a wrong one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from runsync.analysis.intensity import Thresholds
from runsync.analysis.load import session_load
from runsync.analysis.stream import Blocks
from runsync.testing import make_session

TH = Thresholds(max_hr=190, resting_hr=50, cs_mps=4.0, cs_basis="threshold pace")


def blocks(speed: list[float], hr: list[float] | None = None) -> Blocks:
    n = len(speed)
    return Blocks(np.ones(n), np.array(speed, float), np.array(hr if hr else [math.nan] * n, float), "stream")


def test_trimp_is_banisters_formula_second_by_second() -> None:
    load = session_load(make_session(minutes=60), blocks([3.0] * 3600, [148.0] * 3600), TH)
    hrr = (148 - 50) / (190 - 50)
    assert load is not None and load.basis == "hr"
    assert load.value == pytest.approx(60 * hrr * 0.64 * math.exp(1.92 * hrr), abs=0.1)


def test_without_resting_hr_or_heart_rate_a_run_is_loaded_by_pace() -> None:
    no_resting = Thresholds(max_hr=190, cs_mps=4.0)
    assert session_load(make_session(minutes=60), blocks([3.0] * 3600, [148.0] * 3600), no_resting).basis == "pace"
    assert session_load(make_session(minutes=60), blocks([3.0] * 3600), TH).basis == "pace"


def test_an_interval_session_weighs_more_than_a_steady_run_at_the_same_average_pace() -> None:
    steady = [4.0] * 1200
    reps = ([5.0] * 60 + [3.0] * 60) * 10  # 10 × (1 min fast, 1 min jog): average 4.0 m/s
    assert np.mean(reps) == pytest.approx(np.mean(steady))
    run = make_session(minutes=20)
    steady_load, reps_load = session_load(run, blocks(steady), TH), session_load(run, blocks(reps), TH)
    assert steady_load is not None and reps_load is not None and reps_load.value > 1.05 * steady_load.value


def test_standing_still_adds_no_pace_load() -> None:
    run = make_session(minutes=20)
    moving = session_load(run, blocks([4.0] * 600), TH)
    with_stops = session_load(run, blocks([4.0] * 600 + [0.0] * 600), TH)
    assert moving is not None and with_stops is not None and moving.value == with_stops.value


def test_a_logged_rpe_is_rpe_times_minutes() -> None:
    gym = make_session(sport="strength", km=None, minutes=45, rpe=7)
    assert session_load(gym, blocks([math.nan] * 10), TH) == session_load(gym, blocks([0.0]), Thresholds())
    assert session_load(gym, blocks([0.0]), Thresholds()).value == 315  # type: ignore[union-attr]


def test_no_load_rather_than_a_wrong_one() -> None:
    assert session_load(make_session(sport="strength", km=None, minutes=45), blocks([0.0] * 60), TH) is None
    assert session_load(make_session(minutes=20), blocks([3.0] * 1200), Thresholds()) is None  # no thresholds
    mostly_missing = [148.0] * 100 + [math.nan] * 1100
    assert session_load(make_session(minutes=20), blocks([math.nan] * 1200, mostly_missing), TH) is None
