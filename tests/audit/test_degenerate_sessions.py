"""Property tests: degenerate sessions and streams (no samples, one sample, zero or negative durations, zero distance,
all-NaN heart rate, speeds of 0 or 100 m/s, time going backwards, 1989 and 2100 dates, laps longer than the session,
duplicate starts) fed to every analysis function and every built-in rule give a result or nothing, never an
exception."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runsync_plugins.interval_sessions import IntervalSessions
from runsync_plugins.mileage_ramp import MileageRamp
from runsync_plugins.missing_easy_days import MissingEasyDays

from runsync.analysis import AnalysisSettings, analyse_session, best_efforts, to_grid
from runsync.analysis.efforts import Estimate
from runsync.analysis.session import analyse_sessions
from runsync.config import Athlete
from runsync.model import SAMPLE_COLUMNS, SPORTS, Lap, Session, Source
from runsync.testing import run_rule

ODD_FLOATS = st.one_of(
    st.none(),
    st.sampled_from([0.0, -1.0, -0.0, 1e-9, 0.5, 100.0, 1e9, float("nan"), float("inf")]),
    st.floats(min_value=-100, max_value=1e5),
)
STARTS = st.sampled_from([datetime(1989, 12, 31, tzinfo=UTC), datetime(1990, 1, 1, 0, 0, 5, tzinfo=UTC),
                          datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 23, 59, tzinfo=UTC),
                          datetime(2100, 1, 1, tzinfo=UTC)])  # fmt: skip


@st.composite
def streams(draw: st.DrawFn) -> pd.DataFrame | None:
    n = draw(st.sampled_from([0, 1, 2, 9, 10, 11, 40, 700]))
    if n == 0:
        return draw(st.sampled_from([None, pd.DataFrame({c: [] for c in SAMPLE_COLUMNS}, dtype=float)]))
    kind = draw(st.sampled_from(["steady", "backwards", "duplicates", "random", "standing"]))
    t = np.arange(n, dtype=float)
    if kind == "backwards":
        t = t[::-1].copy()
    elif kind == "duplicates":
        t = np.repeat(np.arange((n + 1) // 2, dtype=float), 2)[:n]
    elif kind == "random":
        t = np.array(draw(st.lists(st.one_of(st.floats(-10, 1e5), st.just(float("nan"))), min_size=n, max_size=n)))
    speed_value = draw(st.sampled_from([0.0, 0.3, 3.0, 100.0, float("nan")]))
    speed = np.full(n, speed_value)
    frame = {
        "t": t,
        "distance_m": np.cumsum(np.nan_to_num(speed)) if draw(st.booleans()) else np.full(n, np.nan),
        "speed_mps": speed,
        "hr": np.full(n, draw(st.sampled_from([np.nan, 0.0, 150.0, 185.0, 300.0]))),
        "cadence_spm": np.full(n, np.nan),
        "altitude_m": np.full(n, np.nan),
        "lat": np.full(n, np.nan),
        "lon": np.full(n, np.nan),
    }
    return pd.DataFrame(frame)


@st.composite
def laps(draw: st.DrawFn, start: datetime) -> tuple[Lap, ...]:
    count = draw(st.integers(0, 14))
    return tuple(
        Lap(
            start=start + timedelta(seconds=draw(st.integers(-100, 20_000))),
            elapsed_s=draw(st.sampled_from([0.0, -5.0, 60.0, 90.0, 1e6])),
            timer_s=draw(ODD_FLOATS),
            distance_m=draw(ODD_FLOATS),
            avg_hr=draw(ODD_FLOATS),
            avg_speed_mps=draw(ODD_FLOATS),
            intensity=draw(st.sampled_from([None, "active", "rest", "warmup", "recovery"])),
            trigger=draw(st.sampled_from([None, "manual", "distance", "time"])),
        )
        for _ in range(count)
    )


@st.composite
def sessions(draw: st.DrawFn, index: int = 0) -> Session:
    start = draw(STARTS) + timedelta(days=index)
    return Session(
        id=f"s{index}",
        athlete="ana",
        sport=draw(st.sampled_from(["run", "run", "treadmill_run", *SPORTS])),
        start=start,
        utc_offset_s=draw(st.sampled_from([0, -8 * 3600, 14 * 3600])),
        elapsed_s=draw(ODD_FLOATS),
        moving_s=draw(ODD_FLOATS),
        distance_m=draw(ODD_FLOATS),
        avg_hr=draw(ODD_FLOATS),
        workout_type=draw(st.sampled_from(["none", "race", "long", "workout"])),
        sources=(Source("manual", f"s{index}"),),
        laps=draw(laps(start)),
        samples=draw(streams()),
    )


ATHLETES = st.sampled_from([
    Athlete("ana", "Ana"),
    Athlete("ana", "Ana", max_hr=190, lthr=172),
    Athlete("ana", "Ana", lthr=172, threshold_pace_s_per_km=250),
    Athlete("ana", "Ana", max_hr=190, critical_speed_mps=4.0),
])  # fmt: skip
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "60"))  # raise it for a longer hunt
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(session=sessions(), athlete=ATHLETES)
def test_analysis_of_any_single_session_gives_a_result_never_an_exception(session: Session, athlete: Athlete) -> None:
    settings = AnalysisSettings.for_athlete(athlete)
    found = analyse_session(session, settings, Estimate(cs_mps=3.5))
    assert found.error is None, found.error  # degrading is for the unforeseen: these inputs are all foreseen
    assert found.intensity is None or found.intensity.level in ("easy", "moderate", "hard")
    assert found.load is None or np.isfinite(found.load.value)
    best_efforts(to_grid(session.samples))
    assert set(analyse_sessions([session], settings)) == {session.id}


@st.composite
def histories(draw: st.DrawFn) -> list[Session]:
    count = draw(st.integers(0, 8))
    found = [draw(sessions(index=i)) for i in range(count)]
    if found and draw(st.booleans()):  # a duplicate start
        found.append(found[0].replace(id="dup"))
    return found


@FAST
@given(history=histories(), athlete=ATHLETES)
def test_every_built_in_rule_over_any_history_gives_findings_or_nothing(history: list[Session],
                                                                        athlete: Athlete) -> None:  # fmt: skip
    now = datetime(2100, 2, 1, tzinfo=UTC)
    for rule in (MissingEasyDays, IntervalSessions, MileageRamp):
        for finding in run_rule(rule, history, athlete=athlete, now=now):
            assert finding.severity in ("info", "warning", "alert")
