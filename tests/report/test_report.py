"""Report numbers from synthetic athletes written as FIT files and imported through the real pipeline: local weeks
(a Los Angeles Sunday-evening run that a UTC week would put in the next week, the DST change), the JSON contract
key by key, the interval structure, units, and who needs attention first."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest

from runsync.model import Finding
from runsync.report import AthleteReport, Report, ReportFinding, WeekSummary, subject
from runsync.store import Store
from tests.athletes import Athlete, easy, gym, long, reps, tempo
from tests.conftest import run_cli

WEEK = date(2026, 10, 5)  # a Monday
DST_WEEK = date(2026, 10, 26)  # Los Angeles leaves daylight saving time on Sunday 1 November
WEEK_KEYS = ["start", "distance_m", "runs", "easy", "moderate", "hard", "strength", "findings"]
FINDING_KEYS = [
    "rule",
    "severity",
    "athlete",
    "start",
    "end",
    "title",
    "message",
    "sessions",
    "basis",
    "metrics",
    "new",
]
SHRINKING = [round(120 - 90 * i / 10) for i in range(11)]  # 120 → 30 s


@pytest.fixture
def ana(tmp_path) -> Athlete:  # noqa: ANN001
    """Ana in Los Angeles: a quiet week, then a week of 4 runs + strength ending with a Sunday 18:30 long run."""
    athlete = Athlete(tmp_path)
    for day in (WEEK - timedelta(days=6), WEEK - timedelta(days=4)):
        athlete.add(easy(6), day)
    athlete.add(easy(8), WEEK)
    athlete.add(reps(12, 400, 80 / 0.4, SHRINKING), WEEK + timedelta(days=1))
    athlete.add(gym(), WEEK + timedelta(days=2), time(18, 0))
    athlete.add(tempo(6), WEEK + timedelta(days=3))
    athlete.add(long(16), WEEK + timedelta(days=6), time(18, 30))  # Monday 01:30 UTC
    athlete.add(easy(10), DST_WEEK + timedelta(days=6), time(18, 30))  # Sunday 1 Nov, PST: Monday 02:30 UTC
    athlete.add(easy(5), DST_WEEK + timedelta(days=7), time(6, 30))  # Monday 2 Nov: the next week
    athlete.sync()
    return athlete


def report_json(athlete: Athlete, week: date, *args: str) -> dict:
    out = run_cli("--config", athlete.config, "report", "--athlete", athlete.id, "--week", week.isoformat(), "--format",
                  "json", *args)  # fmt: skip
    return json.loads(out.stdout)


def sessions_km(athlete: Athlete, first: date, last: date) -> float:
    out = run_cli("--config", athlete.config, "sessions", "--athlete", athlete.id, "--since", first.isoformat(),
                  "--until", last.isoformat(), "--format", "json")  # fmt: skip
    return sum(s["distance_m"] or 0 for s in json.loads(out.stdout)["sessions"]) / 1000


def test_the_week_counts_the_sunday_evening_run_that_is_monday_in_utc(ana: Athlete) -> None:
    weeks = report_json(ana, WEEK + timedelta(days=3), "--weeks", "1")["athletes"][0]["weeks"]
    before, week = weeks
    assert [before["start"], week["start"]] == ["2026-09-28", "2026-10-05"]
    assert (week["runs"], week["strength"], week["hard"]) == (4, 1, 2)  # the reps and the tempo are hard
    assert week["easy"] + week["moderate"] == 2
    assert week["distance_m"] / 1000 == pytest.approx(sessions_km(ana, WEEK, WEEK + timedelta(days=6)), abs=0.05)
    assert week["distance_m"] / 1000 > 8 + 16 + 6  # the long run is in it
    assert (before["runs"], before["distance_m"] / 1000) == (2, pytest.approx(12, rel=0.03))
    next_week = report_json(ana, WEEK + timedelta(days=7), "--weeks", "0")["athletes"][0]["weeks"][0]
    assert next_week["runs"] == 0 and next_week["distance_m"] == 0


def test_a_run_on_the_evening_dst_ends_stays_in_its_local_week(ana: Athlete) -> None:
    weeks = report_json(ana, DST_WEEK + timedelta(days=7), "--weeks", "1")["athletes"][0]["weeks"]
    assert [(w["start"], w["runs"]) for w in weeks] == [("2026-10-26", 1), ("2026-11-02", 1)]
    assert weeks[0]["distance_m"] / 1000 == pytest.approx(10, rel=0.03)
    assert weeks[1]["distance_m"] / 1000 == pytest.approx(5, rel=0.03)


def test_report_json_has_exactly_the_contract_keys(ana: Athlete) -> None:
    data = report_json(ana, WEEK, "--weeks", "2")
    assert list(data) == ["version", "athletes"] and data["version"] == 1
    athlete = data["athletes"][0]
    assert list(athlete)[:3] == ["athlete", "name", "weeks"] and (athlete["athlete"], athlete["name"]) == ("ana", "Ana")
    added_in_v1 = {"units", "distance_change", "load_curve", "sections", "race_predictions"}
    assert set(athlete) - {"athlete", "name", "weeks"} <= added_in_v1
    assert [w["start"] for w in athlete["weeks"]] == ["2026-09-21", "2026-09-28", "2026-10-05"]
    for week in athlete["weeks"]:
        assert list(week)[: len(WEEK_KEYS)] == WEEK_KEYS and set(week) >= {"load", "fitness", "fatigue", "form", "acwr",
                                                                          "zones", "easy_share", "load_basis"}
        assert all(isinstance(week[k], int) for k in WEEK_KEYS[2:7]) and isinstance(week["distance_m"], float)
    findings = athlete["weeks"][-1]["findings"]
    assert findings and all(list(f) == FINDING_KEYS for f in findings)
    interval = next(f for f in findings if f["rule"] == "interval-sessions")
    assert interval["metrics"]["reps"] == 12 and interval["new"] is True


def test_text_report_shows_the_interval_structure_figures_and_previous_weeks(ana: Athlete) -> None:
    out = run_cli("--config", ana.config, "report", "--athlete", "ana", "--week", WEEK.isoformat()).stdout
    assert "Ana — week of Mon 05 Oct – Sun 11 Oct 2026" in out
    assert "12 × 400 m, rest 120 → 30 s, pace held" in out
    assert "Strength sessions: 1" in out and "Runs:              4 (" in out
    assert "Longest run:       16.0 km" in out
    assert "28 Sep" in out  # the weeks before


def test_units_follow_the_report_config(ana: Athlete, tmp_path) -> None:  # noqa: ANN001
    ana.config.write_text(ana.config.read_text() + '\n[report]\nunits = "mi"\n')
    out = run_cli("--config", ana.config, "report", "--athlete", "ana", "--week", WEEK.isoformat()).stdout
    assert "Longest run:       9.9 mi" in out
    html = tmp_path / "ana.html"
    run_cli("--config", ana.config, "report", "--athlete", "ana", "--week", WEEK.isoformat(), "--format", "html",
            "-o", html)  # fmt: skip
    text = html.read_text()
    assert "9.9 mi" in text and 'src="data:image/png;base64,' in text and "<script" not in text


def test_findings_are_new_until_a_report_is_sent_to_that_recipient(ana: Athlete) -> None:
    store = Store.open(ana.config.parent / "runsync.db")
    sent = datetime.now(UTC) + timedelta(seconds=5)
    report_json(ana, WEEK)  # saves the findings, first seen now
    store.save_report_sent("coach@example.org", "ana", WEEK, sent)
    store.close()
    assert not any(f["new"] for w in report_json(ana, WEEK)["athletes"][0]["weeks"] for f in w["findings"])


def _athlete(name: str, *severities: str, new: bool = True) -> AthleteReport:
    found = tuple(ReportFinding(Finding("r", s, name, WEEK, WEEK, "t", "m"), new) for s in severities)
    week = WeekSummary(WEEK, distance_m=10_000, runs=2, findings=found)
    return AthleteReport(name, name.title(), (week,), ((WEEK, 10_000.0),))


def test_the_roll_up_puts_who_needs_attention_first_and_the_subject_counts_the_squad() -> None:
    squad = Report((_athlete("cleo"), _athlete("ana", "warning"), _athlete("ben", "alert"),
                    _athlete("dan", "warning", "warning", new=False), _athlete("eve", "info")), squad=True)  # fmt: skip
    assert [a.athlete for a in squad.by_attention()] == ["ben", "dan", "ana", "cleo", "eve"]
    assert subject(squad) == "runsync: week of 5 Oct — 1 alert, 3 warnings for the squad (5 athletes)"
    assert subject(Report((_athlete("ana", "warning", "warning"),))) == "runsync: week of 5 Oct — 2 warnings for ana"


def test_the_distance_baseline_leaves_out_the_build_week_and_the_weeks_before_the_history() -> None:
    from runsync.analysis.calendar import weekly_baseline

    weeks = [date(2026, 9, 7) + timedelta(weeks=i) for i in range(6)]
    weekly = dict(zip(weeks, [0.0, 0.0, 40000.0, 44000.0, 48000.0, 60000.0], strict=True))
    found = weekly_baseline(weekly, weeks[5], weeks=4, skip=1, first_run=weeks[2])
    assert found is not None and found.weeks == (weeks[2], weeks[3]) and found.mean_m == 42000.0
    assert found.words("km") == ("the 42.0 km average of the 2 weeks of 21 Sep – 4 Oct (the week just before left "
                                 "out: the build itself)")  # fmt: skip
    report = AthleteReport("ana", "Ana", (WeekSummary(weeks[5], 60000.0),), chart=(), baseline=found)
    assert report.change_pct == pytest.approx(100 * (60 / 42 - 1))
    assert weekly_baseline(weekly, weeks[5], weeks=4, skip=1, first_run=weeks[3]) is None  # one week: no baseline
    assert AthleteReport("ana", "Ana", (WeekSummary(weeks[5], 60000.0),), chart=()).change_pct is None
