"""Years of history in one command: Strava's bulk export and Garmin Connect's data export (as downloaded, or
unpacked), with nothing imported twice, every failure named, and a later Strava API sync that spends no call on
what the archive delivered."""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runsync.demo import workouts
from runsync.demo.fitwrite import write_activity
from runsync.demo.trackfiles import write_gpx, write_tcx
from tests.conftest import run_cli
from tests.strava_fixtures import client_secret, fake, keyring_memory  # noqa: F401 - fixtures

DAY = datetime(2026, 9, 7, 14, 0, tzinfo=UTC)  # 07:00 in Los Angeles
ENGLISH = ["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description", "Elapsed Time",
           "Distance", "Max Heart Rate", "Relative Effort", "Commute", "Activity Gear", "Filename", "Athlete Weight",
           "Bike Weight", "Elapsed Time", "Moving Time", "Distance", "Max Speed"]  # fmt: skip
GERMAN = ["Aktivitäts-ID", "Datum der Aktivität", "Name der Aktivität", "Aktivitätsart", "Beschreibung der Aktivität",
          "Verstrichene Zeit", "Distanz", "Dateiname", "Bewegungszeit"]  # fmt: skip


def run(day: int, km: float = 8.0) -> workouts.ActivitySpec:
    return workouts.easy_run(DAY + timedelta(days=day), -7 * 3600, km, 330.0, 140.0, seed=day)


def english_row(activity_id: int, start: datetime, name: str, kind: str, filename: str, seconds: int = 2640,
                metres: float = 8000.0) -> list[str]:  # fmt: skip
    return [str(activity_id), f"{start:%b} {start.day}, {start:%Y, %I:%M:%S %p}", name, kind, "", str(seconds),
            f"{metres / 1000:.2f}", "", "", "false", "", filename, "", "", str(seconds), str(seconds), f"{metres:.1f}",
            ""]  # fmt: skip


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue()


def strava_export(folder: Path, *, zipped: bool = True, missing: bool = True) -> Path:
    """An export with a FIT, a GPX and a TCX run (gzipped), a strength session entered by hand, a photo, and (with
    `missing`) a row whose file is not in the export."""
    files = {"activities/101.fit.gz": gzip.compress(write_activity(run(0))),
             "activities/102.gpx.gz": gzip.compress(write_gpx(run(1), gpx_type=None)),
             "activities/103.tcx.gz": gzip.compress(write_tcx(run(2))),
             "media/photo.jpg": b"\xff\xd8\xff\xe0 a photo", "profile.csv": "Athlete ID\n1001\n"}  # fmt: skip
    rows = [english_row(101, DAY, "Easy Monday", "Run", "activities/101.fit.gz"),
            english_row(102, DAY + timedelta(days=1), "Easy Tuesday", "Run", "activities/102.gpx.gz"),
            english_row(103, DAY + timedelta(days=2), "Easy Wednesday", "Run", "activities/103.tcx.gz"),
            english_row(105, DAY + timedelta(days=3, hours=4), "Gym: squats", "Weight Training", "", 1800, 0.0)]
    if missing:
        rows.append(english_row(104, DAY + timedelta(days=4), "Lost run", "Run", "activities/104.fit.gz"))
    files["activities.csv"] = csv_text(ENGLISH, rows)
    if not zipped:
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)
        return folder
    path = folder / "export_12345.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def athlete_config(tmp_path: Path, watch: Path | None = None, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    dirs = f'fit_dirs = ["{watch}"]\n' if watch else ""
    config.write_text(f'[storage]\ndatabase = "{tmp_path / "runsync.db"}"\n{extra}[athletes.ana]\nname = "Ana"\n'
                      f'timezone = "America/Los_Angeles"\nmax_hr = 190\n{dirs}')  # fmt: skip
    return config


def sessions(config: Path) -> list[dict]:
    return json.loads(run_cli("--config", config, "sessions", "--format", "json").stdout)["sessions"]


@pytest.mark.parametrize("zipped", [True, False], ids=["zip", "unpacked folder"])
def test_a_strava_export_imports_every_activity_with_its_strava_id_and_name(tmp_path: Path, zipped: bool) -> None:
    export = strava_export(tmp_path / "download" if not zipped else tmp_path, zipped=zipped)
    config = athlete_config(tmp_path)
    out = run_cli("--config", config, "import", "--athlete", "ana", export, "-v", expect=6)
    assert "activities/104.fit.gz: listed in activities.csv (activity 104) but missing from the export" in out.stderr
    assert "2 other files skipped" in out.stderr  # the photo and profile.csv: counted, not named
    found = {s["name"]: s for s in sessions(config)}
    assert set(found) == {"Easy Monday", "Easy Tuesday", "Easy Wednesday", "Gym: squats"}
    kinds = {name: sorted(x["kind"] for x in s["sources"]) for name, s in found.items()}
    assert kinds == {"Easy Monday": ["fit", "strava"], "Easy Tuesday": ["gpx", "strava"],
                     "Easy Wednesday": ["strava", "tcx"], "Gym: squats": ["strava"]}  # fmt: skip
    strava_ids = {name: [x["id"] for x in s["sources"] if x["kind"] == "strava"] for name, s in found.items()}
    assert strava_ids == {"Easy Monday": ["101"], "Easy Tuesday": ["102"], "Easy Wednesday": ["103"],
                          "Gym: squats": ["105"]}  # fmt: skip
    gym = found["Gym: squats"]
    assert gym["sport"] == "strength" and gym["local_date"] == "2026-09-10" and gym["elapsed_s"] == 1800
    assert all(s["intensity"] == "easy" for s in found.values() if s["sport"] == "run")
    again = run_cli("--config", config, "import", "--athlete", "ana", export, "-v", expect=6).stderr
    assert "3 unchanged" in again and len(sessions(config)) == 4  # nothing imported twice


def test_a_localised_export_is_read_by_its_column_names(tmp_path: Path) -> None:
    start = DAY + timedelta(days=3)
    rows = [["106", f"{start:%d.%m.%Y, %H:%M:%S}", "Krafttraining", "Krafttraining", "", "1500", "0,0", "", "1500"],
            ["107", f"{DAY:%d.%m.%Y, %H:%M:%S}", "Lauf am Morgen", "Lauf", "", "2640", "8,0", "activities/107.fit", ""]]
    path = tmp_path / "export_de.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("activities.csv", csv_text(GERMAN, rows))
        archive.writestr("activities/107.fit", write_activity(run(0)))
    config = athlete_config(tmp_path)
    run_cli("--config", config, "import", path)
    found = {s["name"]: s for s in sessions(config)}
    assert found["Lauf am Morgen"]["sources"][-1] == {"kind": "strava", "id": "107", "name": "Lauf am Morgen"}
    assert found["Krafttraining"]["start"] == f"{start:%Y-%m-%dT%H:%M:%S}Z"


def garmin_export(tmp_path: Path) -> tuple[Path, bytes]:
    named, unnamed = write_activity(run(0)), write_activity(run(1, km=10.0))
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as uploads:
        uploads.writestr("ana@example.org_9876543210.fit", named)
        uploads.writestr("upload-without-an-id.fit", unnamed)
        uploads.writestr("thumbnail.png", b"\x89PNG")
    summaries = [{"summarizedActivitiesExport": [
        {"activityId": 9876543210, "name": "Lunch Run", "startTimeGmt": DAY.timestamp() * 1000},
        {"activityId": 9876543211, "name": "Long Tuesday", "startTimeGmt": (DAY + timedelta(days=1, seconds=40))
         .timestamp() * 1000}]}]  # fmt: skip
    path = tmp_path / "garmin-export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue())
        archive.writestr("DI_CONNECT/DI-Connect-Fitness/ana@example.org_0_summarizedActivities.json",
                         json.dumps(summaries))  # fmt: skip
        archive.writestr("DI_CONNECT/DI-Connect-Wellness/sleep.json", "[]")
    return path, named


def test_a_garmin_export_reads_the_nested_uploads_names_them_and_a_watch_copy_is_one_session(tmp_path: Path) -> None:
    export, named = garmin_export(tmp_path)
    watch = tmp_path / "watch"
    watch.mkdir()
    (watch / "2026-09-07.fit").write_bytes(named)  # the same file off the watch
    config = athlete_config(tmp_path, watch)
    run_cli("--config", config, "sync")
    out = run_cli("--config", config, "import", export, "-v")
    assert "1 files imported (1 sessions), 1 unchanged" in out.stderr
    found = {s["name"]: s for s in sessions(config)}
    assert set(found) == {"Lunch Run", "Long Tuesday"}
    assert {x["kind"] for x in found["Lunch Run"]["sources"]} == {"fit", "garmin"}
    assert {"kind": "garmin", "id": "9876543211", "name": "Long Tuesday"} in found["Long Tuesday"]["sources"]


def bad_zip(tmp_path: Path, name: str, members: dict[str, bytes]) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def test_bad_archives_are_named_one_line_each_and_the_rest_imports(tmp_path: Path) -> None:
    good = write_activity(run(0))
    plain = bad_zip(tmp_path, "notes.zip", {"readme.txt": b"hello"})
    bomb = bad_zip(tmp_path, "bomb.zip", {"activities.csv": csv_text(ENGLISH, []).encode(),
                                          "activities/1.fit": b"\0" * (5 * 2**20), "activities/2.fit": good})
    climbing = bad_zip(tmp_path, "climb.zip", {"../../etc/evil.fit": good})
    truncated = tmp_path / "cut.zip"
    truncated.write_bytes(bad_zip(tmp_path, "whole.zip", {"a.fit": good}).read_bytes()[:-40])
    config = athlete_config(tmp_path)
    out = run_cli("--config", config, "import", plain, bomb, climbing, truncated, expect=6)
    lines = out.stderr
    assert f"{plain}: not a Strava or Garmin export (no activities.csv, no DI_CONNECT folder)" in lines
    assert f"{bomb}:activities/1.fit: refused:" in lines and "zip bomb" in lines
    assert f"{climbing}:../../etc/evil.fit: refused: its name climbs out of the archive" in lines
    assert f"{truncated}: not a readable zip file" in lines
    assert len(sessions(config)) == 1  # the good member of the bomb archive
    assert not (tmp_path.parent / "etc").exists()


def test_an_archive_import_then_a_strava_sync_spends_no_call_on_what_the_archive_delivered(
    tmp_path: Path, fake, keyring_memory, client_secret  # noqa: ANN001, F811 - fixtures
) -> None:
    from tests.fake_strava import make_activity
    from tests.strava_fixtures import authorise, sync_once, write_config

    export = strava_export(tmp_path, missing=False)
    config = write_config(tmp_path, fake)
    for activity_id, day, sport, metres in ((101, 0, "Run", 8000.0), (102, 1, "Run", 8000.0),
                                            (103, 2, "Run", 8000.0), (105, 3, "WeightTraining", 0.0)):  # fmt: skip
        start = DAY + timedelta(days=day, hours=4 if sport == "WeightTraining" else 0)
        fake.add_activity("ana", make_activity(activity_id, start, sport_type=sport, distance_m=metres,
                                               moving_s=1800 if metres == 0 else 2640))  # fmt: skip
    fake.add_activity("ana", make_activity(106, DAY + timedelta(days=5), distance_m=9000.0, moving_s=2900))
    run_cli("--config", config, "import", export)
    authorise(fake, at=DAY + timedelta(days=6))
    report = sync_once(config, DAY + timedelta(days=6), fake)
    assert fake.api_counts() == {"list": 1, "detail": 1, "streams": 1}, report.strava  # only the Strava-only run
    found = sessions(config)
    assert len(found) == 5
    by_strava = {x["id"]: s for s in found for x in s["sources"] if x["kind"] == "strava"}
    assert [x["kind"] for x in by_strava["101"]["sources"]] == ["fit", "strava"]  # one session, both provenances
