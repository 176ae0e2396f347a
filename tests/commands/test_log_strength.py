"""`runsync log strength`: manual strength sessions through the store, one by one or from CSV."""

from __future__ import annotations

from pathlib import Path

from runsync.store import Store
from tests.conftest import run_cli


def stored(tmp_path: Path) -> list:
    return Store.open(tmp_path / "runsync.db").sessions("ana")


def test_a_logged_strength_session_is_stored_on_its_local_date(config_file: Path, tmp_path: Path) -> None:
    run_cli("--config", config_file, "log", "strength", "--athlete", "ana", "--date", "2026-10-12",
            "--minutes", "30", "--note", "squats")  # fmt: skip
    [session] = stored(tmp_path)
    assert (session.sport, session.local_date.isoformat(), session.moving_s) == ("strength", "2026-10-12", 1800)
    assert session.id.startswith("manual-") and session.sources[0].kind == "manual" and session.name == "squats"


def test_logging_the_same_csv_twice_stores_each_session_once(config_file: Path, tmp_path: Path) -> None:
    csv = tmp_path / "gym.csv"
    csv.write_text('date,minutes,note\n2026-10-12,30,squats\n2026-10-14,25,"lunges, planks"\n', encoding="utf-8")
    for _ in range(2):
        run_cli("--config", config_file, "log", "strength", "--athlete", "ana", "--csv", csv)
    assert [s.name for s in stored(tmp_path)] == ["squats", "lunges, planks"]


def test_a_bad_csv_row_names_the_file_and_line(config_file: Path, tmp_path: Path) -> None:
    csv = tmp_path / "gym.csv"
    csv.write_text("date,minutes,note\n2026-10-12,30,ok\n12/10/2026,30,bad\n", encoding="utf-8")
    out = run_cli("--config", config_file, "log", "strength", "--csv", csv, expect=2)
    assert f"{csv}: line 3: expected a date like 2026-10-12" in out.stderr
    assert stored(tmp_path) == []
