"""Every file a runner has: FIT, GPX and TCX, each also gzipped, recognised by content wherever files are read
(`runsync import`, watch folders); GPX and TCX become the same sessions a FIT file does; bad files are named."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from runsync.analysis import AnalysisSettings, analyse_session
from runsync.demo import workouts
from runsync.demo.fitwrite import write_activity
from runsync.demo.trackfiles import write_gpx, write_tcx
from runsync.errors import DecodeError
from runsync.sources.files import read_activity
from tests.conftest import run_cli

LA = ZoneInfo("America/Los_Angeles")
EVENING = datetime(2026, 10, 11, 1, 30, tzinfo=UTC)  # 18:30 on Sat 10 Oct in Los Angeles
REPS = workouts.intervals(EVENING, -7 * 3600, 12, 400, 200.0, [120 - 8 * i for i in range(11)])
SETTINGS = AnalysisSettings(190, 172, 50, 1000 / 250, "threshold pace")


def read(data: bytes, name: str):  # noqa: ANN201
    return read_activity(data, name=name, digest=hashlib.sha256(data).hexdigest(), athlete="ana", tz=LA)


def test_a_gpx_track_becomes_a_session_with_distance_from_positions_hr_cadence_and_the_local_day() -> None:
    found = read(write_gpx(REPS, name="Track 400s"), "evening.gpx")
    [session] = found.sessions
    fit = read(write_activity(REPS), "evening.fit").sessions[0]
    assert found.kind == "gpx" and session.id.startswith("gpx-") and session.sources[0].kind == "gpx"
    assert session.sport == "run" and session.name == "Track 400s"
    assert session.local_date.isoformat() == "2026-10-10"  # the Los Angeles evening, not the UTC day
    assert session.distance_m == pytest.approx(fit.distance_m, rel=0.02)
    assert session.avg_hr == pytest.approx(fit.avg_hr, abs=2)
    assert session.samples["cadence_spm"].dropna().median() > 150  # strides doubled to steps per minute
    analysis = analyse_session(session, SETTINGS)
    assert analysis.intervals is not None and len(analysis.intervals.reps) == 12


@pytest.mark.parametrize("version", [1, 2])
def test_tcx_laps_keep_their_intensity_and_trigger_in_every_namespace_version(version: int) -> None:
    [session] = read(write_tcx(REPS, notes="Tuesday track", version=version), "evening.tcx").sessions
    assert session.id.startswith("tcx-") and session.name == "Tuesday track" and session.sport == "run"
    assert [lap.intensity for lap in session.laps[1:4]] == ["active", "rest", "active"]
    assert {lap.trigger for lap in session.laps} == {"manual"}
    analysis = analyse_session(session, SETTINGS)
    assert analysis.intervals.basis == "laps" and list(analysis.intervals.rests_s[:3]) == [120, 112, 104]


def test_the_sport_comes_from_the_file_and_a_gpx_without_a_type_is_a_run() -> None:
    ride = workouts.easy_run(EVENING, 0, 10.0, 150.0, 130.0)
    assert read(write_gpx(ride, gpx_type="cycling"), "r.gpx").sessions[0].sport == "ride"
    assert read(write_gpx(ride, gpx_type=None), "r.gpx").sessions[0].sport == "run"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("route.gpx", write_gpx(REPS, times=False), "no time stamps in the GPX file"),
        ("xxe.gpx", b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]><gpx>&x;</gpx>',
         "document type or entity declaration is refused"),
        ("cut.gpx", b"<gpx><trk><trkseg><trkpt lat=", "not a readable GPX file"),
        ("zip.fit", b"PK\x03\x04 a zip named .fit", "not a FIT file"),
        ("noise.gz", gzip.compress(bytes(range(256)) * 64), "not a FIT, GPX or TCX file"),
        ("empty.tcx", b"", "empty file"),
        ("plan.tcx", b"<TrainingCenterDatabase><Courses/></TrainingCenterDatabase>", "no activity in the TCX file"),
    ],
    ids=["route", "xxe", "truncated", "zip", "gzip of noise", "empty", "course"],
)  # fmt: skip
def test_a_file_that_cannot_be_a_session_says_why(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        read(data, name)


def test_a_gzip_bomb_is_refused() -> None:  # the hostile cases (lying trailers, memory): tests/sources
    bomb = gzip.compress(b"\0" * (20 * 2**20), compresslevel=9)
    with pytest.raises(DecodeError, match="gzip bomb"):
        read(bomb, "bomb.fit.gz")


def test_files_are_recognised_by_content_not_by_name() -> None:
    assert read(write_activity(REPS), "actually-a-fit.gpx").kind == "fit"
    assert read(gzip.compress(write_tcx(REPS)), "download.bin.gz").kind == "tcx"


def athlete_config(tmp_path: Path, watch: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "runsync.db"}"\n[athletes.ana]\nname = "Ana"\n'
                      f'timezone = "America/Los_Angeles"\nmax_hr = 190\nfit_dirs = ["{watch}"]\n')  # fmt: skip
    return config


def test_a_watch_folder_of_gzipped_fit_gpx_and_tcx_files_syncs_and_a_second_sync_reads_nothing(tmp_path: Path) -> None:
    watch = tmp_path / "watch"
    watch.mkdir()
    days = [workouts.easy_run(datetime(2026, 10, d, 14, tzinfo=UTC), -7 * 3600, 8.0, 330.0, 140.0) for d in (5, 6, 7)]
    (watch / "a.fit.gz").write_bytes(gzip.compress(write_activity(days[0])))
    (watch / "b.gpx.gz").write_bytes(gzip.compress(write_gpx(days[1])))
    (watch / "c.tcx.gz").write_bytes(gzip.compress(write_tcx(days[2])))
    (watch / "notes.txt").write_text("not an activity")
    config = athlete_config(tmp_path, watch)
    out = run_cli("--config", config, "sync", "-v")
    assert "3 files imported (3 sessions)" in out.stderr
    sessions = json.loads(run_cli("--config", config, "sessions", "--format", "json").stdout)["sessions"]
    assert sorted(s["sources"][0]["kind"] for s in sessions) == ["fit", "gpx", "tcx"]
    assert all(s["intensity"] == "easy" for s in sessions)
    assert "0 files imported (0 sessions), 3 unchanged" in run_cli("--config", config, "sync", "-v").stderr
    again = run_cli("--config", config, "import", *sorted(watch.glob("*.gz")), "-v").stderr
    assert "0 files imported (0 sessions), 3 unchanged" in again  # the same content: nothing imported twice


def test_import_names_a_broken_gpx_and_imports_the_rest(tmp_path: Path) -> None:
    watch = tmp_path / "watch"
    watch.mkdir()
    (watch / "good.gpx").write_bytes(write_gpx(REPS))
    (watch / "route.gpx").write_bytes(write_gpx(REPS, times=False))
    out = run_cli("--config", athlete_config(tmp_path, watch), "import", watch / "good.gpx", watch / "route.gpx",
                  expect=6)  # fmt: skip
    assert "route.gpx: no time stamps in the GPX file" in out.stderr and "1 failed" in out.stderr
