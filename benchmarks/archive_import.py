"""An export archive against a plain folder of the same activities, side by side in one run.

    python benchmarks/archive_import.py [COUNT] [CORPUS]     (default: 500 activities from ../shared/data/fit)

Builds COUNT distinct activities from the corpus's activity files (each copied at another time, so each is a new
activity: runsync.demo.shift), writes them once as a folder of .fit files and once as a Strava bulk export (a zip of
activities.csv and activities/<id>.fit.gz, as Strava makes it), and imports each into a fresh store with 2 workers.
Prints MB/s of FIT content for both, the ratio (target: the archive costs <= 1.2x the folder) and the peak memory
of each import (flat in the archive's size: members are read one at a time).
"""

from __future__ import annotations

import csv
import gzip
import io
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from runsync.config import Athlete
from runsync.demo.shift import Template
from runsync.errors import DecodeError
from runsync.sources.files import walk_files
from runsync.sources.files.fit_fast import decode_fit_either
from runsync.store import Store
from runsync.sync import import_paths

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fit"
ATHLETE = Athlete(id="bench", name="bench", timezone="Europe/London")


def templates(corpus: Path) -> list[Template]:
    """The corpus's readable, single-part activity files that can be moved in time."""
    found = []
    for name in walk_files(corpus, (".fit",)):
        data = Path(name).read_bytes()
        try:
            activity, _ = decode_fit_either(data, name=name)
            if activity is not None and activity.sessions and len(set(activity.records["part"])) <= 1:
                found.append(Template(data))
        except (DecodeError, ValueError, Exception):  # noqa: BLE001 - a file that cannot be a template is left out
            continue
    return found


def write_both(made: list[Template], count: int, folder: Path) -> tuple[Path, Path, float]:
    plain, export = folder / "plain", folder / "export_500.zip"
    plain.mkdir()
    rows = [["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Filename"]]
    megabytes = 0.0
    with zipfile.ZipFile(export, "w", zipfile.ZIP_STORED) as archive:  # Strava stores the .gz members as they are
        for i in range(count):
            data = made[i % len(made)].shifted((i // len(made) + 1) * 7 * 86400 + i)
            megabytes += len(data) / 1e6
            (plain / f"{i:04}.fit").write_bytes(data)
            archive.writestr(f"activities/{1000 + i}.fit.gz", gzip.compress(data, 6))
            member = f"activities/{1000 + i}.fit.gz"
            rows.append([str(1000 + i), "Jan 5, 2020, 7:30:00 AM", f"Activity {i}", "Run", member])
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        archive.writestr("activities.csv", text.getvalue())
    return plain, export, megabytes


def timed_import(path: Path, database: Path) -> float:
    store = Store.open(database)
    start = time.perf_counter()
    import_paths(store, [path], ATHLETE, workers=2)
    seconds = time.perf_counter() - start
    store.close()
    return seconds


def child(path: str, database: str) -> None:
    seconds = timed_import(Path(path), Path(database))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(seconds, peak)


def measure(path: Path, database: Path) -> tuple[float, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(path), str(database)], capture_output=True,
                         text=True, check=True)  # fmt: skip
    seconds, peak = out.stdout.split()
    return float(seconds), float(peak)


def main(args: list[str]) -> None:
    if args[:1] == ["--child"]:
        child(args[1], args[2])
        return
    count = int(args[0]) if args else 500
    corpus = Path(args[1]) if len(args) > 1 else DEFAULT
    made = templates(corpus)
    if not made:
        sys.exit(f"no usable activity files under {corpus}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plain, export, megabytes = write_both(made, count, folder)
        print(f"{count} activities from {len(made)} corpus files, {megabytes:.1f} MB of FIT; export zip "
              f"{export.stat().st_size / 1e6:.1f} MB (gzipped members)")  # fmt: skip
        folder_s, folder_peak = measure(plain, folder / "a.db")
        archive_s, archive_peak = measure(export, folder / "b.db")
    print(f"{'plain folder':16} {folder_s:7.2f} s  {megabytes / folder_s:6.1f} MB/s  peak {folder_peak:5.0f} MiB")
    print(f"{'Strava export':16} {archive_s:7.2f} s  {megabytes / archive_s:6.1f} MB/s  peak {archive_peak:5.0f} MiB")
    print(f"archive / folder: {archive_s / folder_s:.2f}x  (target <= 1.2x)")


if __name__ == "__main__":
    main(sys.argv[1:])
