"""Batch import on several processes: the same store and report as one process, the decoder recorded per
file, duplicates and second runs decode nothing, and a bounded number of files in flight."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runsync.config import Athlete
from runsync.demo import workouts
from runsync.demo.fitwrite import write_activity
from runsync.pool import IN_FLIGHT_PER_WORKER, map_bounded
from runsync.sources.files.fit_fast import FAST_DECODER, REFERENCE_DECODER
from runsync.store import Store
from runsync.sync import SyncReport, import_fit_files

START = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
ATHLETE = Athlete(id="ana", name="Ana", timezone="Europe/Berlin")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six runs, a copy of one under another name, a file fitdecode must decode (unknown base type
    0x0c in a record) and a broken one."""
    folder = tmp_path_factory.mktemp("fit")
    for day in range(6):
        spec = workouts.easy_run(START.replace(day=2 + day), 3600, 4.0 + day, 330, 142, seed=day)
        (folder / f"run-{day}.fit").write_bytes(write_activity(spec))
    (folder / "run-0-copy.fit").write_bytes((folder / "run-0.fit").read_bytes())
    (folder / "broken.fit").write_bytes((folder / "run-1.fit").read_bytes()[:-9])
    return folder


def sync_folder(folder: Path, db: Path, workers: int) -> tuple[SyncReport, Store]:
    store = Store.open(db)
    report = import_fit_files(store, sorted(folder.glob("*.fit")), ATHLETE, workers=workers)
    return report, store


def test_two_workers_store_the_same_sessions_and_report_as_one(folder: Path, tmp_path: Path) -> None:
    one, store_one = sync_folder(folder, tmp_path / "one.db", workers=1)
    two, store_two = sync_folder(folder, tmp_path / "two.db", workers=2)
    assert two.summary() == one.summary()
    assert (two.imported, two.failed, two.unchanged) == (one.imported, one.failed, one.unchanged)
    assert one.unchanged == 1 and len(one.failed) == 1 and "truncated" in one.failed[0][1]
    for a, b in zip(store_one.sessions("ana", samples=True), store_two.sessions("ana", samples=True), strict=True):
        assert {f.name: getattr(a, f.name) for f in fields(a) if f.name != "samples"} == {
            f.name: getattr(b, f.name) for f in fields(b) if f.name != "samples"
        }
        assert a.samples.equals(b.samples)


def test_the_store_records_which_decoder_read_each_file_and_the_report_counts_them(
    folder: Path, tmp_path: Path
) -> None:
    report, store = sync_folder(folder, tmp_path / "s.db", workers=2)
    assert report.decoders == {FAST_DECODER: 6}
    assert "read by fast-1 6" in report.summary()
    decoders = {Path(r.path).name: r.decoder for r in store.raw_records("fit")}
    assert decoders["run-3.fit"] == FAST_DECODER and decoders["broken.fit"] == REFERENCE_DECODER


def test_a_second_run_with_workers_decodes_nothing(folder: Path, tmp_path: Path) -> None:
    sync_folder(folder, tmp_path / "s.db", workers=2)
    again, _ = sync_folder(folder, tmp_path / "s.db", workers=2)
    assert again.unchanged == 7 and not again.imported and not again.decoders and not again.failed
    assert len(again.still_failing) == 1  # the broken file is named again, not decoded again


def test_no_more_than_a_few_files_per_worker_are_in_flight() -> None:
    pulled = []

    def items():  # noqa: ANN202
        for i in range(20):
            pulled.append(i)
            yield i

    results = map_bounded(abs, items(), workers=2)
    first = next(results)
    assert first[0] == first[1] and len(pulled) <= IN_FLIGHT_PER_WORKER * 2
    assert sorted([first, *results]) == [(i, i) for i in range(20)]


def test_a_file_that_changes_between_hashing_and_decoding_is_reported_not_imported(tmp_path: Path) -> None:
    from runsync.sync.decode import DecodeTask, decode_task

    path = tmp_path / "run.fit"
    path.write_bytes(write_activity(workouts.easy_run(START, 3600, 3.0, 330, 142)))
    task = DecodeTask(str(path), "0" * 64, ATHLETE, path=str(path))  # a hash the main process saw before a rewrite
    assert decode_task(task).reason == "the file changed while it was being imported; the next sync takes it"
    path.unlink()
    assert decode_task(task).reason.startswith("cannot read:")
