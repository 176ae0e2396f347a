import hashlib
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import fitdecode
import pytest

from runsync.demo import DEMO_ATHLETE, first_demo_day, write_demo_files

NOW = datetime(2026, 11, 12, 9, 0, tzinfo=UTC)  # a Thursday
FIRST = first_demo_day(NOW, str(DEMO_ATHLETE["timezone"]))


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_demo_files(tmp_path_factory.mktemp("demo"), FIRST)


def session_of(path: Path) -> dict[str, object]:
    with fitdecode.FitReader(str(path)) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "session":
                return {f.name: f.value for f in frame.fields}
    raise AssertionError(f"{path.name} has no session")


def activity_of(path: Path) -> dict[str, object]:
    with fitdecode.FitReader(str(path)) as reader:
        frames = [f for f in reader if isinstance(f, fitdecode.FitDataMessage) and f.name == "activity"]
    return {f.name: f.value for f in frames[0].fields}


def test_demo_files_read_back_as_runs_and_two_strength_sessions(demo_files: list[Path]) -> None:
    sports = Counter((s["sport"], s["sub_sport"]) for s in map(session_of, demo_files))
    assert sports == {("running", "generic"): 33, ("training", "strength_training"): 2}


def test_demo_files_cover_the_six_complete_local_weeks_before_today(demo_files: list[Path]) -> None:
    dates = sorted(date.fromisoformat(path.name[:10]) for path in demo_files)
    assert date(2026, 9, 28) == FIRST and FIRST.weekday() == 0
    assert dates[0] == FIRST
    assert dates[-1] == date(2026, 11, 8)  # the Sunday before the Thursday it was run on


@pytest.mark.parametrize("hour", range(0, 24, 3))
def test_the_demo_weeks_are_the_athletes_own_whatever_the_utc_hour(hour: int) -> None:
    monday_utc = datetime(2026, 11, 9, hour, tzinfo=UTC)  # still Sunday in Los Angeles until 08:00 UTC
    local_today = monday_utc.astimezone(ZoneInfo("America/Los_Angeles")).date()
    first = first_demo_day(monday_utc, "America/Los_Angeles")
    assert first.weekday() == 0 and first + timedelta(weeks=6) <= local_today < first + timedelta(weeks=7)


def test_file_names_are_the_local_start_in_the_athletes_timezone(demo_files: list[Path]) -> None:
    path = demo_files[0]
    start = session_of(path)["start_time"]
    assert isinstance(start, datetime)
    local = start.astimezone(ZoneInfo(str(DEMO_ATHLETE["timezone"])))
    assert path.name == f"{local:%Y-%m-%d-%H%M}-run.fit"


def test_the_evening_run_is_on_the_next_utc_day_but_its_local_timestamp_keeps_the_local_day(
    demo_files: list[Path],
) -> None:
    (evening,) = [path for path in demo_files if path.name.endswith("-1830-run.fit")]
    start = session_of(evening)["start_time"]
    assert isinstance(start, datetime)
    assert start.astimezone(UTC).date() > date.fromisoformat(evening.name[:10])
    local_end = activity_of(evening)["local_timestamp"]
    assert isinstance(local_end, datetime)
    assert local_end.date() == date.fromisoformat(evening.name[:10])


def test_demo_files_are_the_same_on_every_run(demo_files: list[Path], tmp_path: Path) -> None:
    again = write_demo_files(tmp_path, FIRST)
    assert [p.name for p in again] == [p.name for p in demo_files]
    assert all(
        hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
        for a, b in zip(again, demo_files, strict=True)
    )


def test_runsync_demo_syncs_the_squad_and_its_audit_finds_the_planted_patterns(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    out = run_cli("--now", "2026-11-12T09:00:00Z", "demo", "--dir", tmp_path / "squad")
    assert "71 sessions imported for the demo squad (demo, sam)" in out.stderr
    assert re.search(r"^ALERT +demo .* 3 hard days in a row  \(new\)$", out.stdout, flags=re.MULTILINE)
    assert re.search(r"^WARNING +demo .* Weekly distance up .*\(new\)$", out.stdout, flags=re.MULTILINE)
    assert "pace faded" in out.stdout
    sam = [line for line in out.stdout.splitlines() if re.match(r"[A-Z]+ +sam ", line)]
    assert sam and all(line.startswith("INFO") for line in sam), "the balanced control athlete gets no warning"


def test_runsync_demo_refuses_a_folder_that_is_not_its_own(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    (tmp_path / "mine.txt").write_text("precious")
    out = run_cli("demo", "--dir", tmp_path, expect=2)
    assert "not empty and not a runsync demo folder" in out.stderr
    assert (tmp_path / "mine.txt").read_text() == "precious"
