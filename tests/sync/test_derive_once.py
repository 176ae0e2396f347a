"""Derive once: each session is analysed when it is stored, rules read the stored analysis, and a stored analysis is
never used stale. Findings from the stored analyses are exactly those computed from the samples, over the demo squad
and the real corpus; a changed max_hr changes the next audit; a nightly sync with nothing new reads no file."""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from runsync.analysis import analysis_settings
from runsync.analysis.refresh import RefreshStats, fresh_analyses
from runsync.audit import audit_sessions, installed_checked, run_audit, selected_rules
from runsync.config import load_config
from runsync.demo.fitwrite import easy_run, write_file
from runsync.model import finding_to_dict
from runsync.plugins import get_plugin_manager
from runsync.sources.items import FileItem
from runsync.store import Store
from runsync.sync import SyncReport, import_items
from tests.conftest import CORPUS, DEMO_NOW, run_cli

NOW = datetime.fromisoformat(DEMO_NOW.replace("Z", "+00:00"))


def findings_both_ways(config_path: Path, since: date, until: date) -> tuple[list[dict], list[dict]]:
    """(from the stored analyses, from the samples) for every athlete of the config."""
    config = load_config(config_path)
    rules = selected_rules(installed_checked(get_plugin_manager(), config), config)
    store = Store.open(config.database)
    athletes = list(config.athletes.values())
    stored = run_audit(store, config, athletes, rules, now=NOW, since=since, until=until, save=False).findings
    from_samples = []
    for athlete in athletes:
        sessions = store.sessions(athlete.id, samples=True)  # the whole history: estimates see the same efforts
        from_samples += audit_sessions(athlete, sessions, rules, config, now=NOW, since=since, until=until).findings
    store.close()
    return [finding_to_dict(f) for f in stored], [finding_to_dict(f) for f in from_samples]


def test_findings_from_stored_analyses_are_those_from_samples_over_the_demo_squad(tmp_path: Path) -> None:
    run_cli("--now", DEMO_NOW, "demo", "--dir", tmp_path / "squad")
    stored, from_samples = findings_both_ways(tmp_path / "squad" / "config.toml", date(2026, 9, 1), NOW.date())
    assert stored == from_samples
    rules = {"missing-easy-days", "interval-sessions", "mileage-ramp", "training-monotony"}
    assert {f["rule"] for f in stored} == rules


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"FIT corpus not found at {CORPUS}")
@pytest.mark.parametrize("thresholds", ["", "max_hr = 190\nlthr = 170\n"])
def test_findings_from_stored_analyses_are_those_from_samples_over_the_corpus(tmp_path: Path,
                                                                              thresholds: str) -> None:  # fmt: skip
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "c.db"}"\n[athletes.c]\ntimezone = "Europe/Berlin"\n'
                      f'{thresholds}fit_dirs = ["{CORPUS}"]\n')  # fmt: skip
    run_cli("--config", config, "sync", expect=6)
    stored, from_samples = findings_both_ways(config, date(2000, 1, 1), NOW.date())
    assert stored == from_samples


def athlete_with_easy_runs(tmp_path: Path, max_hr: int) -> Path:
    watch = tmp_path / "watch"
    watch.mkdir(exist_ok=True)
    for day in range(10):
        start = datetime(2026, 10, 5, 7, tzinfo=UTC) + timedelta(days=day)
        write_file(easy_run(start, 0, 8.0, 330.0, 140.0, seed=day), watch / f"run-{day}.fit")
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "runsync.db"}"\n[athletes.ana]\ntimezone = "UTC"\n'
                      f'max_hr = {max_hr}\nthreshold_pace = "4:10/km"\nfit_dirs = ["{watch}"]\n')  # fmt: skip
    return config


def intensities(config: Path) -> list[str]:
    sessions = json.loads(run_cli("--config", config, "sessions", "--format", "json").stdout)["sessions"]
    return [s["intensity"] for s in sessions]


def test_a_sync_stores_every_analysis_so_an_audit_recomputes_none(tmp_path: Path) -> None:
    config_path = athlete_with_easy_runs(tmp_path, 190)
    run_cli("--config", config_path, "sync", "--workers", "2")
    config = load_config(config_path)
    store = Store.open(config.database)
    stats = RefreshStats()
    found = fresh_analyses(store, config, config.athletes["ana"], stats=stats)
    assert len(found) == 10 and stats.checked == 10 and stats.recomputed == 0
    assert all(a.intensity.level == "easy" and a.load.basis == "pace" for a in found.values()), found


def test_changing_max_hr_in_the_config_changes_the_next_audits_intensities(tmp_path: Path) -> None:
    config = athlete_with_easy_runs(tmp_path, 190)
    run_cli("--config", config, "sync")
    assert intensities(config) == ["easy"] * 10  # 140 bpm is below 80 % of 190
    config.write_text(config.read_text().replace("max_hr = 190", "max_hr = 155"))
    assert intensities(config) == ["hard"] * 10  # 140 bpm is above 88 % of 155 for the whole run
    findings = json.loads(run_cli("--config", config, "--now", "2026-10-20T12:00:00Z", "audit", "--format",
                                  "json").stdout)["findings"]  # fmt: skip
    assert any(f["rule"] == "missing-easy-days" and f["severity"] == "alert" for f in findings)
    store = Store.open(tmp_path / "runsync.db")
    settings = analysis_settings(load_config(config), load_config(config).athletes["ana"])
    assert {r.key for r in store.analysis_rows("ana")} == {settings.key()}  # recomputed and saved, not just used


def test_a_nightly_sync_with_nothing_new_only_stats_the_files_and_notices_one_changed_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path = athlete_with_easy_runs(tmp_path, 190)
    run_cli("--config", config_path, "sync")
    config = load_config(config_path)
    athlete = config.athletes["ana"]
    files = sorted((tmp_path / "watch").glob("*.fit"))
    reads: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self) or real(self))
    store = Store.open(config.database)
    report = import_items(store, [FileItem(str(f), athlete, path=str(f)) for f in files], SyncReport(), config=config,
                          workers=1)
    assert reads == [] and report.unchanged == 10
    stat = files[3].stat()
    os.utime(files[3], ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched: same bytes, new mtime
    report = import_items(store, [FileItem(str(f), athlete, path=str(f)) for f in files], SyncReport(), config=config,
                          workers=1)
    assert reads == [files[3]] and report.unchanged == 10 and not report.imported
    reads.clear()
    report = import_items(store, [FileItem(str(f), athlete, path=str(f)) for f in files], SyncReport(), config=config,
                          workers=1)
    assert reads == [] and report.unchanged == 10  # its new mtime was remembered
