"""The foundation end to end through the CLI: init, sync, import, sessions, athletes, and the exit statuses."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runsync.demo.fitwrite import easy_run, intervals, write_file
from runsync.store import Store
from tests.conftest import CORPUS, run_cli

LA = -7 * 3600  # America/Los_Angeles in October (PDT)


def evening_run(folder: Path, name: str = "evening.fit") -> Path:
    """18:30 on Sat 10 Oct in Los Angeles = 01:30 UTC on Sun 11 Oct."""
    return write_file(easy_run(datetime(2026, 10, 11, 1, 30, tzinfo=UTC), LA, 5, 330, 140), folder / name)


def morning_intervals(folder: Path) -> Path:
    spec = intervals(datetime(2026, 10, 13, 14, 0, tzinfo=UTC), LA, 6, 400, 200, [90, 80, 70, 60, 45])
    return write_file(spec, folder / "intervals.fit")


def sessions_json(config: Path, *args: str) -> list[dict]:
    out = run_cli("--config", config, "sessions", "--format", "json", *args)
    payload = json.loads(out.stdout)
    assert payload["version"] == 1
    return payload["sessions"]


def test_sync_imports_watch_files_silently_and_sessions_are_on_the_local_day(config_file: Path) -> None:
    watch = config_file.parent / "watch"
    evening_run(watch)
    morning_intervals(watch)
    out = run_cli("--config", config_file, "sync")
    assert out.stdout == "" and out.stderr == ""
    sessions = sessions_json(config_file, "--athlete", "ana")
    assert [s["local_date"] for s in sessions] == ["2026-10-10", "2026-10-13"]
    first = sessions[0]
    assert first["start"] == "2026-10-11T01:30:00Z"
    assert set(first) == {"id", "athlete", "sport", "start", "local_date", "name", "distance_m", "elapsed_s",
                          "moving_s", "avg_hr", "max_hr", "intensity", "laps", "sources",
                          "intensity_basis"}  # fmt: skip
    assert first["intensity_basis"].startswith(("heart rate vs", "pace vs", "interval set"))
    assert first["sport"] == "run" and first["distance_m"] == pytest.approx(5000, abs=5)
    assert first["sources"][0]["kind"] == "fit"
    assert {lap["intensity"] for lap in sessions[1]["laps"]} >= {"active", "rest"}


def test_since_and_until_select_by_local_date(config_file: Path) -> None:
    watch = config_file.parent / "watch"
    evening_run(watch)
    morning_intervals(watch)
    run_cli("--config", config_file, "sync")
    assert [s["local_date"] for s in sessions_json(config_file, "--until", "2026-10-10")] == ["2026-10-10"]
    assert [s["local_date"] for s in sessions_json(config_file, "--since", "2026-10-11")] == ["2026-10-13"]


def test_a_corrupt_file_is_skipped_named_and_named_again_on_every_sync_until_it_goes(config_file: Path) -> None:
    watch = config_file.parent / "watch"
    evening_run(watch)
    good = morning_intervals(watch)
    (watch / "broken.fit").write_bytes(good.read_bytes()[:5000])
    out = run_cli("--config", config_file, "sync", expect=6)
    assert "skipped" in out.stderr and "broken.fit: truncated FIT file" in out.stderr
    assert len(sessions_json(config_file)) == 2
    again = run_cli("--config", config_file, "sync", "-v", expect=6)  # a cron user who missed the first mail
    assert "0 files imported" in again.stderr and "2 unchanged" in again.stderr and "1 still failing" in again.stderr
    assert "still failing since 20" in again.stderr and "broken.fit: truncated FIT file" in again.stderr
    status = json.loads(run_cli("--config", config_file, "status", "--format", "json").stdout)
    [failing] = status["athletes"][0]["failing_files"]
    assert failing["path"].endswith("broken.fit") and failing["reason"].startswith("truncated FIT file")
    (watch / "broken.fit").unlink()
    run_cli("--config", config_file, "sync")


def test_the_same_file_under_another_name_is_not_a_second_session(config_file: Path) -> None:
    watch = config_file.parent / "watch"
    shutil.copy(evening_run(watch), watch / "copy-of-evening.fit")
    run_cli("--config", config_file, "sync")
    assert len(sessions_json(config_file)) == 1


def test_import_takes_files_and_a_missing_one_is_reported(config_file: Path, tmp_path: Path) -> None:
    path = evening_run(tmp_path)
    out = run_cli("--config", config_file, "import", path, tmp_path / "missing.fit", expect=6)
    assert "missing.fit: no such file or folder" in out.stderr
    assert len(sessions_json(config_file)) == 1


def test_a_second_sync_while_one_holds_the_lock_exits_5(config_file: Path, tmp_path: Path) -> None:
    store = Store.open(tmp_path / "runsync.db")
    with store.lock():
        out = run_cli("--config", config_file, "sync", expect=5)
    assert "another runsync is syncing" in out.stderr


def test_an_unknown_athlete_is_a_config_error(config_file: Path) -> None:
    out = run_cli("--config", config_file, "sync", "--athlete", "bob", expect=3)
    assert "no athlete 'bob'" in out.stderr


def test_a_bad_config_exits_3_naming_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[athletes.ana]\nmax_hr = "fast"\n')
    out = run_cli("--config", path, "sessions", expect=3)
    assert out.stderr.strip() == f"runsync: {path}: athletes.ana.max_hr: expected a number, got 'fast'"


def test_a_bad_date_is_a_usage_error(config_file: Path) -> None:
    run_cli("--config", config_file, "sessions", "--since", "last week", expect=2)


def test_init_writes_a_config_that_loads_and_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    run_cli("--config", path, "init", "--athlete", "ana", "--timezone", "Europe/Madrid", "--fit-dir", tmp_path)
    out = run_cli("--config", path, "athletes")
    assert out.stdout.startswith("ana\tana\tEurope/Madrid\t0 sessions")
    run_cli("--config", path, "init", expect=3)


@pytest.mark.parametrize(("name", "folder"), [('Ana "Rocket" Ruiz', "watch"), ("Zoë O'Brien\\", "back\\slash"),
                                              ("a = 1\n[x]", "new\nline")])  # fmt: skip
def test_init_writes_valid_toml_for_any_name_or_path_and_reads_it_back(tmp_path: Path, name: str,
                                                                       folder: str) -> None:  # fmt: skip
    from runsync.config import load_config

    path, watch = tmp_path / "config.toml", tmp_path / folder
    watch.mkdir()
    run_cli("--config", path, "init", "--athlete", "ana", "--name", name, "--timezone", "UTC", "--fit-dir", watch)
    athlete = load_config(path).athletes["ana"]
    assert athlete.name == name and athlete.fit_dirs == (watch.resolve(),)


def test_init_refuses_an_athlete_id_toml_would_split_and_warns_of_a_missing_watch_folder(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    out = run_cli("--config", path, "init", "--athlete", "ana.b", expect=2)
    assert "--athlete: an athlete id is 1-64 letters" in out.stderr and not path.exists()
    out = run_cli("--config", path, "init", "--athlete", "ana", "--fit-dir", tmp_path / "typo")
    assert f"warning: watch folder {tmp_path / 'typo'} does not exist" in out.stderr
    assert "wrote" in out.stderr and path.exists()


def test_sync_with_a_fit_dir_that_does_not_exist_is_a_usage_error(config_file: Path, tmp_path: Path) -> None:
    out = run_cli("--config", config_file, "sync", "--fit-dir", tmp_path / "typo", expect=2)
    assert "typo" in out.stderr and "does not exist" in out.stderr


def test_csv_and_table_formats_list_the_same_sessions(config_file: Path) -> None:
    evening_run(config_file.parent / "watch")
    run_cli("--config", config_file, "sync")
    csv_out = run_cli("--config", config_file, "sessions", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("id,athlete,sport,start,local_date") and len(csv_out) == 2
    table = run_cli("--config", config_file, "sessions").stdout.splitlines()
    assert table[1].startswith("2026-10-10  18:30  ana")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared FIT corpus is not beside this checkout")
def test_syncing_the_real_corpus_names_every_bad_file_and_a_second_run_decodes_nothing(tmp_path: Path) -> None:
    config = tmp_path / "corpus.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "c.db"}"\n[athletes.me]\ntimezone = "Europe/Berlin"\n'
                      f'fit_dirs = ["{CORPUS}"]\n')  # fmt: skip
    out = run_cli("--config", config, "sync", expect=6)
    skipped = {line.split(":")[0].removeprefix("skipped ") for line in out.stderr.splitlines() if "skipped" in line}
    assert {Path(p).name for p in skipped} >= {"nick.fit", "activity-unexpected-eof.fit", "empty-sessions.fit",
                                               "strava-android-app-201.10-b1218918.fit"}  # fmt: skip
    assert len(sessions_json(config)) > 70
    again = run_cli("--config", config, "sync", "-v", expect=6)
    assert "0 files imported" in again.stderr and f"{len(skipped)} still failing" in again.stderr
