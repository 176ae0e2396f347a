"""Golden scenarios: generated athletes, months long, each pattern planted with its expected finding and its expected
silence, through the whole path (FIT files → sync → analysis → audit / sessions), from a cold store.

Every expected value here is written from what was planted (the dates, the reps, the rests), never from runsync's
output. A change to an analysis or a rule that changes a finding here must say so in its commit message, with the
diff of the findings.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest

from runsync.demo.fitwrite import easy_run
from tests.athletes import Athlete, days, easy, gym, long, reps, tempo
from tests.conftest import run_cli

MON = date(2026, 8, 31)  # a Monday: eight weeks run to the end of October
NO_THRESHOLDS = "resting_hr = 50\n"  # a phone or a watch without a strap: no max HR, LTHR or pace threshold
PACE_ONLY = 'threshold_pace = "4:10/km"\n'
FADING_400S = [200.0] * 5 + [207.5, 212.5, 220.0]  # s/km: the last three reps fade
SHRINKING = [90, 80, 70, 60, 55, 50, 45]


def week(n: int) -> date:
    return MON + timedelta(weeks=n)


def by_rule(findings: list[dict], rule: str) -> list[dict]:
    return [f for f in findings if f["rule"] == rule]


def steady(km: float, pace: float = 330.0):  # noqa: ANN201 - an easy run at a chosen pace
    return lambda start, offset, seed: easy_run(start, offset, km, pace, 140.0, seed=seed)


def plant_cold_start_block(a: Athlete) -> dict[date, str]:
    """Week 1: five easy conversational runs (6-16 km) and nothing else. Weeks 2-8: easy runs, a long run, and two
    quality sessions a week (a tempo and a stream-only 8 × 400 m with 1 km auto-laps, rests shrinking, a fade).
    Returns the planted intensity of every run by local date."""
    planted: dict[date, str] = {}
    for offset, km in zip((0, 1, 3, 5, 6), (6, 8, 10, 8, 16), strict=True):
        a.add(steady(km), week(0) + timedelta(days=offset))
        planted[week(0) + timedelta(days=offset)] = "easy"
    for n in range(1, 8):
        a.add(steady(8), week(n))
        a.add(reps(8, 400, FADING_400S, SHRINKING, structured_laps=False, auto_lap_m=1000.0), week(n) + timedelta(1))
        a.add(steady(8), week(n) + timedelta(days=2))
        a.add(tempo(6), week(n) + timedelta(days=3))
        a.add(steady(10), week(n) + timedelta(days=4))
        a.add(long(18), week(n) + timedelta(days=6))
        planted.update({week(n): "easy", week(n) + timedelta(1): "hard", week(n) + timedelta(2): "easy",
                        week(n) + timedelta(3): "hard", week(n) + timedelta(4): "easy",
                        week(n) + timedelta(6): "easy"})  # fmt: skip
    return planted


@pytest.mark.parametrize("heart_rate", [False, True], ids=["no-hr", "hr-without-max"])
def test_a_new_runners_first_easy_week_is_easy_with_nothing_configured(tmp_path: Path, heart_rate: bool,
                                                                        store_location: str) -> None:  # fmt: skip
    """The cold start: no threshold configured; week 1 holds only easy running, so it is no evidence of a threshold:
    it is judged against the first credible estimate (from the hard sessions of week 2 on), never called moderate.
    From a cold store, and again after `runsync reanalyse`, on SQLite and PostgreSQL."""
    ana = Athlete(tmp_path, thresholds=NO_THRESHOLDS, heart_rate=heart_rate, store=store_location)
    planted = plant_cold_start_block(ana)
    ana.sync()
    _check_cold_start(ana, planted)
    run_cli("--config", ana.config, "reanalyse")
    _check_cold_start(ana, planted)


def _check_cold_start(ana: Athlete, planted: dict[date, str]) -> None:
    runs = {date.fromisoformat(s["local_date"]): s for s in ana.sessions()}
    assert set(runs) == set(planted)
    wrong = {d: (runs[d]["intensity"], planted[d]) for d in planted if runs[d]["intensity"] != planted[d]}
    assert wrong == {}
    for day in days(week(0), 7):
        if day in runs:
            assert "estimated" in runs[day]["intensity_basis"], runs[day]["intensity_basis"]
    for n in range(1, 8):  # every week's interval set keeps its eight reps and seven rests
        [found] = by_rule(ana.audit(week(n) + timedelta(1), week(n) + timedelta(1)), "interval-sessions")
        m = found["metrics"]
        assert m["reps"] == 8 and m["rep_distance_m"] == 400.0 and m["rest_shrinking"] is True
        assert all(abs(r - p) <= 3 for r, p in zip(m["rest_s"], SHRINKING, strict=True)), m["rest_s"]
        assert all(abs(r - p) <= 0.03 * p for r, p in zip(m["rep_pace_s_per_km"], FADING_400S, strict=True))
        assert m["pace_fade_pct"] > 5 and found["basis"][0] == "stream"


def test_a_runner_with_only_easy_running_gets_no_reference_and_is_told_what_to_set(tmp_path: Path) -> None:
    """Nothing but easy running, ever: no run is called moderate or hard; the sessions say why, and `athletes`
    and the report name the config key that gives a reference."""
    ana = Athlete(tmp_path, thresholds=NO_THRESHOLDS, heart_rate=False)
    for day in days(week(0), 21)[::2]:
        ana.add(steady(8), day)
    ana.sync()
    sessions = ana.sessions()
    assert {s["intensity"] for s in sessions} == {None}
    assert {s["intensity_basis"] for s in sessions} == {"no reference yet"}
    assert by_rule(ana.audit(week(0), week(3)), "missing-easy-days") == []
    note = run_cli("--config", ana.config, "athletes").stderr
    assert "athletes.ana.threshold_pace" in note and "11 runs" in note
    report = run_cli("--config", ana.config, "--now", "2026-09-21T09:00:00Z", "report", "--athlete", "ana",
                     "--week", week(2).isoformat()).stdout  # fmt: skip
    assert "athletes.ana.threshold_pace" in report


def test_back_to_back_hard_days_across_dst_and_utc_midnight_are_found_on_local_dates(tmp_path: Path) -> None:
    """Los Angeles leaves DST on Sun 1 Nov 2026. Evening quality sessions at 18:30 local (01:30 UTC the next day,
    02:30 after the change) on Sat 31 Oct and Sun 1 Nov, and again on Thu 5 + Fri 6 Nov: two warnings on exactly
    those local dates; the easy days between and the easy weeks before are silent."""
    ana = Athlete(tmp_path, thresholds=PACE_ONLY + "max_hr = 190\n")
    for day in days(date(2026, 10, 12), 14):
        ana.add(easy(7) if day.weekday() != 6 else long(16), day, time(7, 0))
    for day in (date(2026, 10, 26), date(2026, 10, 28), date(2026, 10, 29), *days(date(2026, 11, 2), 3)):
        ana.add(easy(7), day, time(7, 0))
    ana.add(tempo(6), date(2026, 10, 31), time(18, 30))
    ana.add(reps(6, 800, 215.0, [120] * 5, rest_kind="jog"), date(2026, 11, 1), time(18, 30))
    ana.add(tempo(6), date(2026, 11, 5), time(18, 30))
    ana.add(tempo(6), date(2026, 11, 6), time(18, 30))
    ana.sync()
    found = by_rule(ana.audit(date(2026, 10, 12), date(2026, 11, 8)), "missing-easy-days")
    assert sorted(tuple(f["metrics"]["hard_dates"]) for f in found) == [
        ("2026-10-31", "2026-11-01"), ("2026-11-05", "2026-11-06")]
    assert {f["severity"] for f in found} == {"warning"}
    local = {s["local_date"] for s in ana.sessions() if s["start"].startswith("2026-11-0") and "T01:30" in s["start"]}
    assert "2026-10-31" in local  # the Saturday evening run is stored on its local day, not on Sunday (UTC)


def test_structured_manual_and_auto_lap_sets_each_keep_every_rep(tmp_path: Path) -> None:
    """The same 8 × 400 m (rests 90 → 45 s, the last reps fading) recorded three ways on three days, by a runner
    with a cautious threshold pace (5:00/km: her easy 5:30/km cool-down runs above 0.80 × it, so a last rep that
    runs straight into the cool-down must still end where the rep does)."""
    ana = Athlete(tmp_path, thresholds='threshold_pace = "5:00/km"\n')
    ana.add(reps(8, 400, FADING_400S, SHRINKING), week(0))  # structured: active / rest laps
    ana.add(reps(8, 400, FADING_400S, SHRINKING, rest_kind="jog"), week(0) + timedelta(days=2))
    ana.add(reps(8, 400, FADING_400S, SHRINKING, structured_laps=False, auto_lap_m=1609.344), week(0) + timedelta(4))
    ana.sync()
    found = by_rule(ana.audit(week(0), week(0) + timedelta(days=6)), "interval-sessions")
    assert len(found) == 3
    for f in found:
        m = f["metrics"]
        assert (m["reps"], m["rep_distance_m"], m["rest_shrinking"]) == (8, 400.0, True)
        assert all(abs(r - p) <= 3 for r, p in zip(m["rest_s"], SHRINKING, strict=True)), m["rest_s"]
        assert m["pace_fade_pct"] > 5


def test_a_return_after_a_break_built_fast_without_strength_warns_and_with_strength_is_silent(tmp_path: Path):
    """Four steady 30 km weeks, three weeks off, then 45 km in the week back with a 20 km run: the ramp fires for
    the runner without strength work and stays silent for the twin who lifts twice a week."""
    results = {}
    for lifts in (False, True):
        (tmp_path / str(lifts)).mkdir()
        ana = Athlete(tmp_path / str(lifts), thresholds=PACE_ONLY)
        for n in range(4):
            for offset, km in ((0, 8), (2, 8), (4, 6), (6, 8)):
                ana.add(steady(km), week(n) + timedelta(days=offset))
        back = week(7)
        for offset, km in ((0, 8), (1, 8), (3, 9), (6, 20)):
            ana.add(steady(km), back + timedelta(days=offset))
        if lifts:
            for n in (*range(4), 7):
                ana.add(gym(), week(n) + timedelta(days=1), time(18, 0))
                ana.add(gym(), week(n) + timedelta(days=5), time(18, 0))
        ana.sync()
        results[lifts] = by_rule(ana.audit(back, back + timedelta(days=6)), "mileage-ramp")
    assert results[True] == []
    assert results[False], "the return week without strength must be flagged"
    [spike] = results[False]
    assert spike["title"].startswith("Longest run") and spike["metrics"]["distance_m"] == pytest.approx(20000, rel=0.01)
    assert spike["metrics"]["baseline_m"] == pytest.approx(9000, rel=0.01)  # the 9 km of that Thursday
    assert spike["metrics"]["last_strength"] is None


def test_steady_easy_months_with_hr_stay_silent(tmp_path: Path) -> None:
    """The control: eight weeks of easy running and a long run, strength twice a week, steady volume: no finding."""
    ana = Athlete(tmp_path)
    for n in range(8):
        for offset in (0, 2, 4):
            ana.add(easy(8), week(n) + timedelta(days=offset))
        ana.add(long(14), week(n) + timedelta(days=6))
        ana.add(gym(), week(n) + timedelta(days=1), time(18, 0))
        ana.add(gym(), week(n) + timedelta(days=3), time(18, 0))
    ana.sync()
    found = [f for f in ana.audit(week(0), week(7) + timedelta(days=6)) if f["severity"] != "info"]
    assert found == []
