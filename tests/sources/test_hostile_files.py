"""Folders and files from the real world: symlink loops, giant files, gzip and zip bombs, Strava's own export
quirks, thousands of bad members. Each is named in one line with the right exit status, in bounded time and memory,
and nothing else is lost. Runs that could hang or balloon run as a real `runsync` process with a time limit."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest

from runsync.demo.fitwrite import write_activity
from runsync.demo.trackfiles import write_tcx
from runsync.errors import DecodeError
from runsync.sources.files import gunzip, walk_files
from tests.conftest import run_cli
from tests.sources.test_archives import DAY, ENGLISH, athlete_config, csv_text, english_row, run

LIMIT_S = 120  # a hang fails the test instead of the run


def runsync(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """`runsync ARGS` as its own process: (result, peak memory of it and its workers in MiB)."""
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
             "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr);"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)")
    command = [sys.executable, "-c", probe, sys.executable, "-m", "runsync", *map(str, args)]
    env = {**os.environ, "RUNSYNC_DEBUG": ""}
    done = subprocess.run(command, capture_output=True, text=True, timeout=LIMIT_S, env=env)
    *lines, peak = done.stderr.rstrip("\n").split("\n")
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout, "\n".join(lines)), int(peak) / 1024


def watch_with_a_run(tmp_path: Path) -> Path:
    watch = tmp_path / "watch"
    watch.mkdir()
    (watch / "run.fit").write_bytes(write_activity(run(0)))
    return watch


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="needs symlinks")
def test_a_folder_with_symlink_loops_is_walked_once_and_the_loop_named(tmp_path: Path) -> None:
    watch = watch_with_a_run(tmp_path)
    (watch / "a").symlink_to(".")
    (watch / "b").symlink_to(".")
    (watch / "deep").mkdir()
    (watch / "deep" / "up").symlink_to("..")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "other.fit").write_bytes(write_activity(run(1)))
    (watch / "out").symlink_to(outside)
    (watch / "out-again").symlink_to(outside)
    (watch / "same.fit").symlink_to(watch / "run.fit")
    notes: list[str] = []
    found = walk_files(watch, notes=notes)
    assert found == [str(watch / "out" / "other.fit"), str(watch / "run.fit")]  # each file once
    assert any("a loop" in n for n in notes) and any("a link out of the watch folder" in n for n in notes)
    config = athlete_config(tmp_path, watch)
    done, _ = runsync("--config", config, "sync", "-v")
    assert done.returncode == 0, done.stderr
    assert "2 files imported" in done.stderr and "a loop" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_giant_file_is_refused_before_it_is_read_and_named_every_night(tmp_path: Path) -> None:
    watch = watch_with_a_run(tmp_path)
    with (watch / "huge.fit").open("wb") as giant:  # sparse: 1 GiB on paper, nothing on disk
        giant.truncate(2**30)
    config = athlete_config(tmp_path, watch)
    done, peak = runsync("--config", config, "sync", "--workers", "2")
    assert done.returncode == 6, done.stderr
    assert f"skipped {watch / 'huge.fit'}: refused: 1,073,741,824 bytes, over [files] max_bytes" in done.stderr
    assert "1 files imported" in done.stderr and peak < 300, (peak, done.stderr)
    again, _ = runsync("--config", config, "sync")
    assert again.returncode == 6 and "huge.fit: refused" in again.stderr
    status = json.loads(run_cli("--config", config, "status", "--format", "json").stdout)
    [failing] = status["athletes"][0]["failing_files"]
    assert failing["path"] == str(watch / "huge.fit") and "max_bytes" in failing["reason"]


def test_max_bytes_is_a_setting_and_a_bad_value_names_it(tmp_path: Path) -> None:
    watch = watch_with_a_run(tmp_path)
    assert (watch / "run.fit").stat().st_size > 65536
    config = athlete_config(tmp_path, watch, extra="[files]\nmax_bytes = 65536\n\n")
    out = run_cli("--config", config, "sync", expect=6)
    assert "run.fit: refused" in out.stderr and "over [files] max_bytes (65,536)" in out.stderr
    config.write_text(config.read_text().replace("max_bytes = 65536", "max_bytes = -5"))
    out = run_cli("--config", config, "sync", expect=3)
    assert "files.max_bytes: expected an integer from 65536 to 17,179,869,184 bytes, got -5" in out.stderr


def _bomb(unpacked: int) -> bytes:
    """A gzip of `unpacked` zero bytes, written in a stream (never held whole)."""
    packer, chunk, parts = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS), bytes(2**24), []
    for _ in range(unpacked // len(chunk)):
        parts.append(packer.compress(chunk))
    parts.append(packer.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return _bomb(2**31)  # 2 GiB of zeros in about 2 MB


def test_a_gzip_bomb_is_refused_by_its_declared_size_and_by_the_stream_when_it_lies(gzip_bomb: bytes) -> None:
    with pytest.raises(DecodeError, match="over \\[files\\] max_bytes|gzip bomb"):
        gunzip(gzip_bomb)
    lying = gzip_bomb[:-4] + (1000).to_bytes(4, "little")  # the trailer claims 1,000 bytes
    with pytest.raises(DecodeError, match="unpack to more than"):
        gunzip(lying)
    with pytest.raises(DecodeError, match="max_bytes \\(100,000\\)"):
        gunzip(gzip.compress(os.urandom(200_000)), max_bytes=100_000)
    assert gunzip(gzip.compress(b"<gpx/>" * 10)) == b"<gpx/>" * 10


def test_bombs_in_a_watch_folder_cost_bounded_memory_with_two_workers(tmp_path: Path, gzip_bomb: bytes) -> None:
    watch = watch_with_a_run(tmp_path)
    for n in range(4):  # honest and lying trailers
        data = gzip_bomb if n % 2 else gzip_bomb[:-4] + n.to_bytes(4, "little")
        (watch / f"bomb{n}.gpx.gz").write_bytes(data)
    config = athlete_config(tmp_path, watch)
    done, peak = runsync("--config", config, "sync", "--workers", "2")
    assert done.returncode == 6, done.stderr
    assert done.stderr.count("bomb") >= 4 and "1 files imported" in done.stderr
    assert peak < 300, (peak, done.stderr)


def test_a_zip_bomb_member_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/run.fit", write_activity(run(0)))
        with archive.open("a/zeros.fit", "w", force_zip64=True) as member:
            for _ in range(64):
                member.write(bytes(2**24))  # 1 GiB of zeros
    config = athlete_config(tmp_path)
    out = run_cli("--config", config, "import", path, expect=6)
    assert "zeros.fit: refused" in out.stderr


def strava_style_export(folder: Path, runs: int) -> Path:
    """What Strava's bulk export looks like: activities.csv and activities/<id>.tcx.gz whose TCX starts with ten
    spaces before `<?xml`, as Strava writes it."""
    rows, path = [], folder / "export_9.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(runs):
            member = f"activities/{700 + n}.tcx.gz"
            archive.writestr(member, gzip.compress(b" " * 10 + write_tcx(run(n))))
            rows.append(english_row(700 + n, DAY + timedelta(days=n), f"Strava run {n}", "Run", member))
        archive.writestr("activities.csv", csv_text(ENGLISH, rows))
    return path


def test_a_strava_export_with_leading_spaces_imports_every_run_with_its_id_name_and_watch_twin(tmp_path):  # noqa: ANN001
    watch = tmp_path / "watch"
    watch.mkdir()
    (watch / "same-run.fit").write_bytes(write_activity(run(1)))  # the watch's own file of the export's 2nd run
    config = athlete_config(tmp_path, watch)
    run_cli("--config", config, "sync")
    out = run_cli("--config", config, "import", strava_style_export(tmp_path, 3))
    assert "skipped" not in out.stderr
    sessions = json.loads(run_cli("--config", config, "sessions", "--format", "json").stdout)["sessions"]
    assert [s["name"] for s in sessions] == ["Strava run 0", "Strava run 1", "Strava run 2"]
    assert all(any(src["kind"] == "strava" and src["id"] == str(700 + n) for src in s["sources"])
               for n, s in enumerate(sessions))  # fmt: skip
    assert {src["kind"] for src in sessions[1]["sources"]} >= {"fit", "strava"}  # merged with the watch file


def test_thousands_of_bad_members_are_one_counted_line_and_all_in_status(tmp_path: Path) -> None:
    path = tmp_path / "junk.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("good.fit", write_activity(run(0)))
        for n in range(2000):
            archive.writestr(f"bad/{n:05d}.fit", b"not a fit file %d" % n)
    config = athlete_config(tmp_path)
    out = run_cli("--config", config, "import", path, expect=6)
    lines = out.stderr.strip().splitlines()
    assert len(lines) < 30, len(lines)
    assert any(line.startswith("skipped 1980 more (1980 × ") for line in lines)
    status = json.loads(run_cli("--config", config, "status", "--format", "json").stdout)
    assert len(status["athletes"][0]["failing_files"]) == 2000
