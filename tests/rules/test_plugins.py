"""Third-party rules load through the `runsync` entry-point group (the real importlib.metadata path), run beside the
built-ins, and a broken or crashing plugin never silences the others."""

from __future__ import annotations

import importlib
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.athletes import Athlete, easy, long, tempo
from tests.conftest import REPO, run_cli

MON = date(2026, 10, 5)


def install_plugin(site: Path, name: str, entry: str, module_source: str | None = None) -> None:
    """What pip leaves behind: a module and a dist-info whose entry_points.txt names it."""
    info = site / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[runsync]\n{entry}\n", encoding="utf-8")
    if module_source is not None:
        module = entry.split("=")[1].strip()
        (site / f"{module}.py").write_text(module_source, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    importlib.invalidate_caches()
    return folder


@pytest.fixture
def ana(tmp_path: Path) -> Athlete:
    athlete = Athlete(tmp_path)
    athlete.add(easy(5), MON)
    athlete.add(long(20), MON + timedelta(days=2))
    athlete.sync()
    return athlete


def test_the_readme_example_plugin_runs_beside_the_built_in_rules(site: Path, ana: Athlete) -> None:
    shutil.copy(REPO / "tests" / "example_plugin" / "example_rule.py", site / "example_rule.py")
    install_plugin(site, "example_rule", "long_run_share = example_rule")
    rules = run_cli("--config", ana.config, "rules").stdout
    assert "long-run-share\tenabled\tlong_run_share" in rules and "mileage-ramp\tenabled" in rules
    [found] = ana.audit(MON, MON + timedelta(days=6))
    assert (found["rule"], found["metrics"], found["start"]) == ("long-run-share", {"share": 0.8}, "2026-10-05")


def test_a_plugin_that_fails_to_import_is_a_warning_and_strict_makes_it_exit_7(site: Path, ana: Athlete) -> None:
    install_plugin(site, "broken", "broken = broken_rule", "raise ImportError('needs numpy 3')\n")
    out = run_cli("--config", ana.config, "audit", "--athlete", "ana", "--since", "2026-10-05", "--until", "2026-10-11")
    assert "plugin broken could not be loaded: ImportError: needs numpy 3" in out.stderr
    strict = run_cli("--config", ana.config, "audit", "--strict", expect=7)
    assert "needs numpy 3" in strict.stderr


CRASHING = """
from runsync import Rule, hookimpl

class Crashes(Rule):
    id = "crashes"
    def check(self, ctx):
        raise ZeroDivisionError("division by zero")
        yield

@hookimpl
def register_rules():
    return [Crashes]
"""


def test_a_rule_that_raises_is_one_alert_finding_exit_7_and_the_others_still_report(site: Path, tmp_path: Path) -> None:
    install_plugin(site, "crashes", "crashes = crashing_rule", CRASHING)
    ana = Athlete(tmp_path)
    for offset in (0, 1):
        ana.add(tempo(), MON + timedelta(days=offset))
    ana.sync()
    found = ana.audit(MON, MON + timedelta(days=6), expect=7)
    crash = [f for f in found if f["rule"] == "crashes"]
    assert [(f["severity"], f["title"]) for f in crash] == [("alert", "rule crashes crashed")]
    assert "ZeroDivisionError: division by zero" in crash[0]["message"]
    assert any(f["rule"] == "missing-easy-days" for f in found)


def test_unknown_rule_config_key_names_the_file_and_key(ana: Athlete) -> None:
    with ana.config.open("a", encoding="utf-8") as handle:
        handle.write("\n[rules.mileage-ramp]\nmax_week_increase = 20\n")
    out = run_cli("--config", ana.config, "audit", expect=3)
    assert f"{ana.config}: rules.mileage-ramp.max_week_increase: unknown key" in out.stderr


def test_a_disabled_rule_does_not_run_and_fail_on_exits_10(ana: Athlete) -> None:
    with ana.config.open("a", encoding="utf-8") as handle:
        handle.write("\n[rules.interval-sessions]\nenabled = false\n")
    assert "disabled" in run_cli("--config", ana.config, "rules").stdout.split("interval-sessions")[1][:12]
    ana.add(tempo(), MON + timedelta(days=4))
    ana.add(tempo(), MON + timedelta(days=5))
    ana.sync()
    window = ("--since", "2026-10-05", "--until", "2026-10-11")
    run_cli("--config", ana.config, "audit", *window, "--fail-on", "alert")
    out = run_cli("--config", ana.config, "audit", *window, "--fail-on", "warning", expect=10)
    assert "WARNING" in out.stdout and "2 hard days in a row" in out.stdout


def test_a_rules_section_for_no_installed_rule_is_a_config_error_naming_it(ana: Athlete) -> None:
    with ana.config.open("a", encoding="utf-8") as handle:
        handle.write("\n[rules.missing-easy-day]\nlong_run_is_hard = true\n")
    for command in ("audit", "rules"):
        out = run_cli("--config", ana.config, command, expect=3)
        assert f"{ana.config}: rules.missing-easy-day: no installed rule has this id" in out.stderr


def test_a_third_party_rule_gets_its_own_section_in_every_report_format(site: Path, ana: Athlete) -> None:
    shutil.copy(REPO / "tests" / "example_plugin" / "example_rule.py", site / "example_rule.py")
    install_plugin(site, "example_rule", "long_run_share = example_rule")
    report = ("--config", ana.config, "--now", "2026-10-12T09:00:00Z", "report", "--athlete", "ana")
    text = run_cli(*report).stdout
    assert "Long runs:\n  Mon 05 Oct  One run is 80% of the week" in text
    assert "[info" not in text.split("Findings:")[1].split("Previous weeks:")[0]  # said in the section, not twice
    markdown = run_cli(*report, "--format", "markdown").stdout
    assert "**Long runs**\n\n- Mon 05 Oct: One run is 80% of the week" in markdown
    html = run_cli(*report, "--format", "html").stdout
    assert "Long runs</h3>" in html and "One run is 80% of the week" in html
    [athlete] = json.loads(run_cli(*report, "--format", "json").stdout)["athletes"]
    assert athlete["sections"] == [{"rule": "long-run-share", "title": "Long runs", "lines": [
        {"date": "2026-10-05", "text": "One run is 80% of the week", "severity": "info", "detail": None}]}]


SECTION_CRASHES = """
from runsync import Rule, hookimpl

class SectionCrashes(Rule):
    id = "section-crashes"
    def check(self, ctx):
        return iter(())
    def report_section(self, ctx, week, findings):
        raise KeyError("no such column")

@hookimpl
def register_rules():
    return [SectionCrashes]
"""


def test_a_rule_whose_section_raises_is_named_exit_7_and_the_report_is_still_built(site: Path, ana: Athlete) -> None:
    install_plugin(site, "section_crashes", "section_crashes = section_crashes", SECTION_CRASHES)
    out = run_cli("--config", ana.config, "--now", "2026-10-12T09:00:00Z", "report", "--athlete", "ana", expect=7)
    assert "rule crashed: section-crashes (ana)" in out.stderr and "Previous weeks:" in out.stdout
