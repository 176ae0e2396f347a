"""FIT import speed and memory, side by side in one run on the same files.

    python benchmarks/import_fit.py [FOLDER ...]       (default: ../shared/data/fit)
    python benchmarks/import_fit.py --memory N         (one child run: import N unique files, print peak RSS)

Prints MB/s, and the ratio to fitdecode, for: reading the bytes (the floor), a bare fitdecode loop (every
frame, default settings), runsync's fitdecode decode (the reference the fast path is checked against), the fast
path on one process (falling back to fitdecode where it must), and the full `runsync sync` (decode, normalise,
save raw + sessions into a fresh SQLite store) with 1 and 2 workers, on the corpus and on an archive of distinct
runs; then the fast path against fitdecode on the two large files, and the peak memory of a sync of 10 vs 1,000
files.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import fitdecode

from runsync.config import Athlete
from runsync.demo import workouts
from runsync.demo.fitwrite import write_activity
from runsync.errors import DecodeError
from runsync.sources.files.fit import fetch_fit_files
from runsync.sources.files.fit_decode import decode_fit
from runsync.sources.files.fit_fast import FAST_DECODER, decode_fit_either
from runsync.sources.files.fit_fast.crc import fit_crc
from runsync.sources.files.fit_fast.scan import scan_fit
from runsync.store import Store
from runsync.sync import run_sync

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fit"
LARGE = ("large.fit", "big_activity.fit")
ATHLETE = Athlete(id="bench", name="bench", timezone="Europe/London")


def read_bytes(paths: list[Path]) -> None:
    for path in paths:
        path.read_bytes()


def bare_fitdecode(paths: list[Path]) -> None:
    """What any fitdecode user pays: iterate every frame with the default settings, nothing else."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fitdecode warns about the corpus's broken files; the loop goes on
        for path in paths:
            with contextlib.suppress(Exception):  # broken files cost what they cost
                for _frame in fitdecode.FitReader(path.read_bytes()):
                    pass


def fitdecode_reference(paths: list[Path]) -> None:
    for path in paths:
        with contextlib.suppress(DecodeError):  # broken files cost what they cost; the import reports them too
            decode_fit(path.read_bytes(), name=path.name)


def fast_path(paths: list[Path], used: dict[Path, str] | None = None) -> None:
    for path in paths:
        try:
            decoder = decode_fit_either(path.read_bytes(), name=path.name)[1]
        except DecodeError:
            decoder = "fitdecode-1 (broken)"
        if used is not None:
            used[path] = decoder


def full_sync(folders: list[Path], workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.db")
        start = time.perf_counter()
        run_sync(store, [ATHLETE], extra_fit_dirs=folders, workers=workers)
        seconds = time.perf_counter() - start
        store.close()
    return seconds


def spin(n: int) -> float:
    """Pure-Python CPU work, timed where it runs."""
    start, total = time.perf_counter(), 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - start


def cpu_ceiling() -> float:
    """How much faster two processes finish two equal CPU-bound jobs than one process does: what this machine's
    cores give any process pool (2.0 on two free cores; less on shared virtual CPUs)."""
    n = 10_000_000
    serial = spin(n) + spin(n)
    with ProcessPoolExecutor(2) as pool:
        start = time.perf_counter()
        list(pool.map(spin, [n, n]))
        return serial / (time.perf_counter() - start)


def timed(fn: Callable[[list[Path]], None], paths: list[Path]) -> float:
    start = time.perf_counter()
    fn(paths)
    return time.perf_counter() - start


def row(name: str, seconds: float, megabytes: float, reference: float) -> str:
    return f"{name:34} {seconds:8.2f} s {megabytes / seconds:9.2f} MB/s {reference / seconds:9.1f}x"


def throughput(folders: list[Path], paths: list[Path]) -> None:
    megabytes = sum(p.stat().st_size for p in paths) / 1e6
    print(f"{len(paths)} files, {megabytes:.1f} MB, {os.cpu_count()} cores (nproc)\n")
    used: dict[Path, str] = {}
    results = {
        "read bytes (floor)": timed(read_bytes, paths),
        "bare fitdecode loop": timed(bare_fitdecode, paths),
        "fitdecode (runsync reference)": timed(fitdecode_reference, paths),
        "fast path, 1 process": timed(lambda p: fast_path(p, used), paths),
        "runsync sync, 1 worker": full_sync(folders, 1),
        "runsync sync, 2 workers": full_sync(folders, 2),
    }
    reference = results["fitdecode (runsync reference)"]
    print(f"{'':34} {'time':>10} {'throughput':>14} {'vs fitdecode':>10}")
    for name, seconds in results.items():
        print(row(name, seconds, megabytes, reference))
    print(f"fast path decoders: {dict(sorted(Counter(used.values()).items()))}")
    cost = results["runsync sync, 1 worker"] / results["bare fitdecode loop"]
    print(f"full import (1 worker) / bare fitdecode loop: {cost:.2f}x  (target <= 1.3x)")
    fast_only([p for p in paths if used[p] == FAST_DECODER])
    scaling = results["runsync sync, 1 worker"] / results["runsync sync, 2 workers"]
    print(f"sync 2 workers / 1 worker: {scaling:.2f}x  (target >= 1.7x); this machine's ceiling for any 2-process")
    print(f"pool (a pure-Python loop, 2 processes vs 1): {cpu_ceiling():.2f}x\n")


def fast_only(taken: list[Path]) -> None:
    """The files the fast path decodes itself (no fallback), fitdecode vs fast on just those."""
    megabytes = sum(p.stat().st_size for p in taken) / 1e6
    reference, fast = timed(fitdecode_reference, taken), timed(fast_path, taken)
    print(f"the {len(taken)} files the fast path reads itself ({megabytes:.1f} MB): fitdecode {reference:.2f} s, "
          f"fast {fast:.2f} s ({megabytes / fast:.1f} MB/s): {reference / fast:.1f}x")  # fmt: skip


def large_files(paths: list[Path]) -> None:
    for path in (p for p in paths if p.name in LARGE):
        reference = timed(fitdecode_reference, [path])
        fast = min(timed(fast_path, [path]) for _ in range(3))
        megabytes = path.stat().st_size / 1e6
        print(f"{path.name:18} {megabytes:5.1f} MB  fitdecode {reference:6.2f} s  fast {fast:6.3f} s "
              f"({megabytes / fast:6.1f} MB/s)  {reference / fast:5.1f}x  (target >= 20x)")  # fmt: skip


# FIT fields that hold a date_time, per global message number (every message's 253 `timestamp` too)
_TIME_FIELDS = {0: {4}, 18: {2}, 19: {2}, 34: {5}, 225: {6}}


def shifted_copy(data: bytes, days: int) -> bytes:
    """The same activity `days` later: every date_time field moved, the CRC rewritten (a distinct session)."""
    copy = bytearray(data)
    scan = scan_fit(data)
    for offset, def_id in zip(scan.offsets, scan.def_ids, strict=True):
        defn = scan.definitions[def_id]
        for fd in defn.fields:
            if fd.num == 253 or fd.num in _TIME_FIELDS.get(defn.global_num, ()):
                start = offset + fd.offset
                value = int.from_bytes(copy[start : start + 4], "little") + days * 86400
                copy[start : start + 4] = value.to_bytes(4, "little")
    copy[-2:] = fit_crc(bytes(copy[:-2])).to_bytes(2, "little")
    return bytes(copy)


def unique_copies(folder: Path, count: int) -> None:
    """`count` runs of 10 km, one a day: one file written with fitwrite, copied with its times shifted."""
    base = write_activity(workouts.easy_run(datetime(2020, 1, 1, 7, 30, tzinfo=UTC), 3600, 10.0, 330, 142))
    for i in range(count):
        (folder / f"run-{i:05}.fit").write_bytes(shifted_copy(base, i))


def archive_scaling(count: int) -> None:
    """A first sync of a watch archive: `count` distinct runs, 1 worker vs 2."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        unique_copies(folder, count)
        megabytes = sum(p.stat().st_size for p in folder.glob("*.fit")) / 1e6
        one, two = full_sync([folder], 1), full_sync([folder], 2)
    print(f"archive of {count} distinct 10 km runs ({megabytes:.0f} MB): runsync sync")
    print(f"  1 worker {one:.2f} s ({megabytes / one:.1f} MB/s), 2 workers {two:.2f} s ({megabytes / two:.1f} MB/s)")
    print(f"  2 workers / 1 worker: {one / two:.2f}x  (target >= 1.7x)")


def memory_child(count: int) -> None:
    """One child run: sync `count` unique files on 2 workers; print the peak RSS of this process and its workers."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "fit"
        folder.mkdir()
        unique_copies(folder, count)
        store = Store.open(Path(tmp) / "bench.db")
        report = run_sync(store, [ATHLETE], extra_fit_dirs=[folder], workers=2)
        store.close()
    main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{count} {main:.1f} {workers:.1f} {len(report.imported)}")


def memory() -> None:
    peaks = {}
    for count in (10, 1000):
        command = [sys.executable, __file__, "--memory", str(count)]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        _, main, workers, imported = out.stdout.split()
        peaks[count] = float(main)
        print(f"sync of {count:5} files ({imported} imported): peak RSS main {main} MB, largest worker {workers} MB")
    print(f"growth 10 -> 1,000 files: {peaks[1000] - peaks[10]:+.1f} MB  (target within 50 MB)")


def main(args: list[str]) -> None:
    if args[:1] == ["--memory"]:
        memory_child(int(args[1]))
        return
    folders = [Path(f) for f in args] or [DEFAULT]
    paths = [p for f in folders for p in fetch_fit_files(f)]
    if not paths:
        sys.exit(f"no .fit files under {', '.join(map(str, folders))}")
    throughput(folders, paths)
    archive_scaling(300)
    print()
    large_files(paths)
    print()
    memory()


if __name__ == "__main__":
    main(sys.argv[1:])
