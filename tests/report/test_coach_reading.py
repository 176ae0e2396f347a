"""What a coach reads on Monday, from the demo squad through the CLI: the report's load, fitness/fatigue/form and
zones (every format), the earlier weeks' findings by name, audit text most severe first and wrapped with repeated
notes grouped, the sessions table's pace and ids, miles per athlete, session-RPE load, a readable --dry-run mail,
and the demo's "Try:" lines run exactly as printed."""

from __future__ import annotations

import json
import re
import shlex
from datetime import date
from pathlib import Path

import pytest

from runsync.model import Finding
from runsync.report.findings import findings_text
from tests.conftest import DEMO_NOW, run_cli

DEMO_FIRST_DAY = "2026-10-12"  # the Monday six local weeks before DEMO_NOW
ANSI = re.compile(r"\x1b\[")


def report_json(config: Path, *args: str) -> dict:
    return json.loads(run_cli("--config", config, "report", "--format", "json", *(args or ["--all"])).stdout)


def test_the_demo_squads_report_shows_load_fitness_fatigue_form_and_zones(squad: Path) -> None:
    for athlete in report_json(squad)["athletes"]:
        week = athlete["weeks"][-1]
        assert athlete["units"] == "km" and week["load"] > 100 and week["load_basis"] == {"hr": week["runs"] + week[
            "strength"]}  # every demo session has heart rate: TRIMP  # fmt: skip
        assert week["fitness"] > 0 and week["fatigue"] > 0 and week["form"] == pytest.approx(
            week["fitness"] - week["fatigue"], abs=0.15) and week["acwr"] > 0  # fmt: skip
        assert len(week["zones"]["hr_s"]) == 5 and len(week["zones"]["pace_s"]) == 5
        assert sum(week["zones"]["hr_s"]) == pytest.approx(week["moving_s"], rel=0.25)
        assert 0.5 < week["easy_share"] <= 1
        curve = athlete["load_curve"]
        assert curve[0]["date"] == DEMO_FIRST_DAY and curve[-1]["date"] == "2026-11-22" and len(curve) == 42
        assert curve[-1]["fitness"] == week["fitness"]
    text = run_cli("--config", squad, "report", "--athlete", "demo").stdout
    assert "Training load:     629 (6 sessions by heart rate)" in text
    assert "Load curve:        fitness 45, fatigue 86, form -41 (acute:chronic 1.90, descriptive)" in text
    assert "Easy time:         83 % of 6 h 00 (meets the 80/20 target of 80 % easy)" in text
    assert "HR zones:          Z1 4 h 18" in text and "(of LTHR)" in text and "Pace zones:" in text
    assert max(len(line) for line in text.splitlines()) <= 100
    markdown = run_cli("--config", squad, "report", "--athlete", "demo", "--format", "markdown").stdout
    assert "629" in markdown and "fitness 45" in markdown and "Z1 4 h 18" in markdown


def test_one_baseline_wording_names_the_weeks_it_covers_in_header_and_finding(squad: Path) -> None:
    text = run_cli("--config", squad, "report", "--athlete", "demo").stdout
    words = "the 47.6 km average of the 4 weeks of 12 Oct – 8 Nov (the week just before left out: the build itself)"
    flat = " ".join(text.split())
    assert f"Change: +45 % vs {words}" in flat
    assert f"69.1 km, 45 % above {words}" in flat
    change = report_json(squad, "--athlete", "demo")["athletes"][0]["distance_change"]
    assert change["baseline_weeks"] == ["2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02"]


def test_earlier_weeks_list_their_findings_by_severity_and_title(squad: Path) -> None:
    text = run_cli("--config", squad, "report", "--athlete", "demo").stdout
    before = text[text.index("Previous weeks:"):]
    nov9 = r"09 Nov .*\n +WARNING Monotonous week: monotony 1\.8.*\n +WARNING Weekly distance up 41 %"
    assert re.search(nov9, before)
    assert "WARNING 10 × 400 m, rest 120 → 30 s, pace faded 8.6 %" in before
    now = "2026-12-02T18:00:00Z"  # a week on: the 3-hard-days alert is in the weeks before
    later = run_cli("--config", squad, "--now", now, "report", "--athlete", "demo").stdout
    assert re.search(r"16 Nov .*\n +ALERT 3 hard days in a row\n +WARNING", later)
    html = run_cli("--config", squad, "--now", now, "report", "--athlete", "demo", "--format", "html").stdout
    assert "3 hard days in a row" in html


def test_the_report_lists_this_weeks_findings_alerts_first(squad: Path) -> None:
    text = run_cli("--config", squad, "report", "--athlete", "demo").stdout
    found = re.findall(r"^  \[(alert|warning|info)", text, flags=re.MULTILINE)
    assert found == ["alert", "warning", "warning"]


def test_audit_text_is_most_severe_first_grouped_and_wrapped_without_colour_in_a_pipe(squad: Path) -> None:
    out = run_cli("--config", squad, "audit", "--all", "--since", DEMO_FIRST_DAY).stdout
    heads = re.findall(r"^(ALERT|WARNING|INFO)\s", out, flags=re.MULTILINE)
    rank = {"ALERT": 0, "WARNING": 1, "INFO": 2}
    assert heads and heads == sorted(heads, key=rank.__getitem__) and heads[0] == "ALERT"
    assert not ANSI.search(out) and max(len(line) for line in out.splitlines()) <= 100
    assert re.search(r"^INFO +sam +5 × 1000 m, rest 120 s, pace held  \(6 times\)", out, flags=re.MULTILINE)
    assert out.count("5 × 1000 m, rest 120 s, pace held") == 2  # demo once, sam grouped once


def finding(severity: str, title: str, day: int) -> Finding:
    return Finding("rule", severity, "ana", date(2026, 11, day), date(2026, 11, day), title, "word " * 60)


def test_findings_text_colours_only_when_asked_and_wraps_to_the_width() -> None:
    found = [finding("info", "Same note", 2), finding("info", "Same note", 3), finding("warning", "Careful", 4)]
    plain = findings_text(found, width=60)
    assert not ANSI.search(plain) and max(map(len, plain.splitlines())) <= 60
    assert plain.splitlines()[0].startswith("WARNING ana") and "Same note  (2 times)" in plain
    assert "on Mon 02 Nov, Tue 03 Nov" in plain
    coloured = findings_text(found, width=60, colour=True)
    assert ANSI.search(coloured) and "\x1b[1;33m" in coloured  # the warning in bold yellow


def test_the_sessions_table_has_pace_and_session_ids_in_each_athletes_units(squad: Path) -> None:
    text = squad.read_text(encoding="utf-8").replace('[athletes.sam]\n', '[athletes.sam]\nunits = "mi"\n')
    squad.write_text(text, encoding="utf-8")
    out = run_cli("--config", squad, "sessions", "--since", "2026-11-22", "--until", "2026-11-22").stdout
    header, demo, sam = out.splitlines()[:3]
    assert "pace" in header and header.rstrip().endswith("id")
    assert re.search(r"demo +run +21\.00 km +1:59:00 +5:40/km .* fit-[0-9a-f]{16}$", demo)
    assert re.search(r"sam +run +9\.32 mi +1:25:00 +9:07/mi .* fit-[0-9a-f]{16}$", sam)
    report = report_json(squad, "--athlete", "sam")["athletes"][0]
    assert report["units"] == "mi" and report["weeks"][-1]["distance_m"] > 40000  # JSON stays in metres
    assert "Longest run:       9.3 mi" in run_cli("--config", squad, "report", "--athlete", "sam").stdout


def test_a_logged_rpe_is_the_sessions_training_load(squad: Path) -> None:
    before = report_json(squad, "--athlete", "sam")["athletes"][0]["weeks"][-1]
    run_cli("--config", squad, "log", "strength", "--athlete", "sam", "--date", "2026-11-20", "--minutes", "40",
            "--rpe", "6")  # fmt: skip
    week = report_json(squad, "--athlete", "sam")["athletes"][0]["weeks"][-1]
    assert week["load_basis"] == {**before["load_basis"], "rpe": 1}
    assert week["load"] == pytest.approx(before["load"] + 40 * 6, abs=0.1)
    assert "by heart rate, 1 by RPE" in run_cli("--config", squad, "report", "--athlete", "sam").stdout


def test_a_dry_run_mail_is_readable_text(squad: Path) -> None:
    out = run_cli("--config", squad, "report", "--all", "--email", "--dry-run").stdout
    assert "Content-Transfer-Encoding: quoted-printable" in out
    assert "Training load:" in out and "3 hard days in a row" in out  # readable, not base64


def test_the_demos_try_lines_run_as_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "a folder with spaces"
    err = run_cli("--now", DEMO_NOW, "demo", "--dir", folder).stderr
    tries = [line.removeprefix("Try: ") for line in err.splitlines() if line.startswith("Try: ")]
    assert len(tries) == 3
    for line in tries:
        argv = shlex.split(line)
        assert argv[0] == "runsync"
        run_cli(*argv[1:])
    assert (tmp_path / "report.html").read_text(encoding="utf-8").count("3 hard days in a row") >= 1
