"""Whole path from FIT file to finding: synthetic athletes written with fit-tool, synced, audited via the CLI."""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

from tests.athletes import Athlete, easy, gym, long, reps, tempo

MON = date(2026, 10, 5)  # a Monday; Los Angeles is UTC-7 (PDT), so 18:30 local is 01:30 UTC the next day
SHRINKING_12 = [120, 111, 102, 93, 84, 75, 66, 57, 48, 39, 30]


def by_rule(findings: list[dict], rule: str) -> list[dict]:
    return [f for f in findings if f["rule"] == rule]


def test_three_evening_hard_days_crossing_utc_midnight_are_one_alert_on_local_dates(tmp_path: Path) -> None:
    ana = Athlete(tmp_path)
    for day in (MON - timedelta(days=3), MON - timedelta(days=1), MON + timedelta(days=4)):
        ana.add(easy(), day)
    ana.add(tempo(), MON, time(18, 30))
    ana.add(reps(5, 1000, 215.0, [120] * 4, rest_kind="jog"), MON + timedelta(days=1), time(18, 30))
    ana.add(tempo(), MON + timedelta(days=2), time(18, 30))
    ana.sync()
    [found] = by_rule(ana.audit(MON - timedelta(days=7), MON + timedelta(days=6)), "missing-easy-days")
    assert found["severity"] == "alert"
    assert found["metrics"] == {"hard_dates": ["2026-10-05", "2026-10-06", "2026-10-07"], "days": 3}
    assert (found["start"], found["end"]) == ("2026-10-05", "2026-10-07")
    assert len(found["sessions"]) == 3 and "laps" in found["basis"]


def test_two_hard_days_in_a_row_warn_and_easy_days_between_are_silent(tmp_path: Path) -> None:
    ana = Athlete(tmp_path)
    for offset, build in ((0, easy()), (2, tempo()), (3, tempo()), (4, easy()), (6, tempo())):
        ana.add(build, MON + timedelta(days=offset))
    ana.sync()
    [found] = by_rule(ana.audit(MON, MON + timedelta(days=6)), "missing-easy-days")
    assert found["severity"] == "warning"
    assert found["metrics"]["hard_dates"] == ["2026-10-07", "2026-10-08"]


def test_twelve_400s_with_standing_rest_shrinking_on_structured_laps(tmp_path: Path) -> None:
    ana = Athlete(tmp_path)
    ana.add(reps(12, 400, 200.0, SHRINKING_12), MON)
    ana.sync()
    [found] = by_rule(ana.audit(MON, MON), "interval-sessions")
    m = found["metrics"]
    assert (m["reps"], m["rep_distance_m"], m["rest_s"], m["rest_shrinking"]) == (12, 400.0, SHRINKING_12, True)
    assert found["severity"] == "info" and abs(m["pace_fade_pct"]) < 3
    assert all(abs(p - 200) < 5 for p in m["rep_pace_s_per_km"])
    assert found["basis"][0] == "laps" and found["title"] == "12 × 400 m, rest 120 → 30 s, pace held"


def test_six_400s_with_jogged_recoveries_found_in_the_stream_under_1km_auto_laps(tmp_path: Path) -> None:
    ana = Athlete(tmp_path)
    rests = [90, 80, 70, 60, 45]
    ana.add(reps(6, 400, 205.0, rests, rest_kind="jog", structured_laps=False, auto_lap_m=1000.0), MON)
    ana.sync()
    [found] = by_rule(ana.audit(MON, MON), "interval-sessions")
    m = found["metrics"]
    assert (m["reps"], m["rep_distance_m"], m["rest_shrinking"], found["basis"][0]) == (6, 400.0, True, "stream")
    assert all(abs(got - want) <= 2 for got, want in zip(m["rest_s"], rests, strict=True)), m["rest_s"]


def test_pace_fading_while_rest_shrinks_is_a_warning(tmp_path: Path) -> None:
    ana = Athlete(tmp_path)
    paces = [200.0, 200.0, 201.0, 202.0, 204.0, 207.0, 210.0, 214.0, 218.0, 222.0]
    ana.add(reps(10, 400, paces, SHRINKING_12[:9]), MON)
    ana.sync()
    [found] = by_rule(ana.audit(MON, MON), "interval-sessions")
    assert found["severity"] == "warning" and found["metrics"]["pace_fade_pct"] > 5


def test_five_1000s_with_constant_rest_are_info_with_rest_not_shrinking(tmp_path: Path) -> None:
    ana = Athlete(tmp_path)
    ana.add(reps(5, 1000, 215.0, [120] * 4, rest_kind="jog"), MON)
    ana.sync()
    [found] = by_rule(ana.audit(MON, MON), "interval-sessions")
    m = found["metrics"]
    assert (m["reps"], m["rep_distance_m"], m["rest_s"], m["rest_shrinking"]) == (5, 1000.0, [120] * 4, False)
    assert found["severity"] == "info"


def test_steady_long_run_with_1km_auto_laps_is_not_an_interval_session_and_is_easy(tmp_path: Path) -> None:
    ana = Athlete(tmp_path)
    ana.add(long(22), MON)
    ana.add(easy(12), MON + timedelta(days=1))
    ana.sync()
    assert ana.audit(MON, MON + timedelta(days=1)) == []
    from tests.conftest import run_cli

    listed = run_cli("--config", ana.config, "sessions", "--athlete", "ana", "--format", "json").stdout
    assert '"intensity": "easy"' in listed and '"intensity": null' not in listed


def _ramp(ana: Athlete, strength: bool) -> None:
    """Four weeks of 40 km, then a 60 km week (+50 %), runs on Mon/Wed/Fri/Sun."""
    for week in range(5):
        scale = 1.5 if week == 4 else 1.0
        monday = MON + timedelta(weeks=week)
        for offset, km in ((0, 8), (2, 10), (4, 8), (6, 14)):
            ana.add(easy(km * scale) if offset != 6 else long(km * scale), monday + timedelta(days=offset))
        if strength:
            ana.add(gym(), monday + timedelta(days=1), time(18, 0))
            ana.add(gym(), monday + timedelta(days=3), time(18, 0))


def test_fifty_percent_ramp_without_strength_warns_for_that_week(tmp_path: Path) -> None:
    ana = Athlete(tmp_path)
    _ramp(ana, strength=False)
    ana.sync()
    ramp_week = MON + timedelta(weeks=4)
    [found] = by_rule(ana.audit(MON, ramp_week + timedelta(days=6)), "mileage-ramp")
    m = found["metrics"]
    assert found["severity"] == "warning" and m["week_start"] == ramp_week.isoformat()
    assert m["last_strength"] is None and 45 <= m["increase_pct"] <= 55
    assert abs(m["distance_m"] - 60000) < 1500 and abs(m["baseline_m"] - 40000) < 1000


def test_the_same_ramp_with_strength_twice_a_week_is_silent(tmp_path: Path) -> None:
    ana = Athlete(tmp_path)
    _ramp(ana, strength=True)
    ana.sync()
    assert by_rule(ana.audit(MON, MON + timedelta(weeks=5)), "mileage-ramp") == []


def test_dst_week_in_london_keeps_each_run_on_its_local_day(tmp_path: Path) -> None:
    ana = Athlete(tmp_path, timezone="Europe/London")
    saturday = date(2026, 10, 24)  # clocks go back at 02:00 on Sunday 25 October
    ana.add(tempo(), saturday, time(23, 0))  # BST: 22:00 UTC
    ana.add(tempo(), saturday + timedelta(days=1), time(23, 30))  # GMT: 23:30 UTC
    ana.add(easy(), saturday + timedelta(days=2), time(0, 30))  # Monday: the next week
    ana.sync()
    [found] = ana.audit(saturday - timedelta(days=5), saturday + timedelta(days=3))
    assert found["metrics"]["hard_dates"] == ["2026-10-24", "2026-10-25"]
