"""Import throughput vs a bare fitdecode loop, side by side on the same files, in one run.

    python benchmarks/import_fit.py [FOLDER ...]     (default: ../shared/data/fit)

Prints MB/s and files/s for: reading the bytes (the floor), a bare fitdecode decode loop, and the full import
(`runsync.sync.import_fit_files` into a fresh SQLite store: decode, normalise, save raw + sessions), and the ratio.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import fitdecode

from runsync.config import Athlete
from runsync.connectors.fit import fetch_fit_files
from runsync.store import Store
from runsync.sync import import_fit_files

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fit"


def bare_fitdecode(paths: list[Path]) -> None:
    for path in paths:
        try:
            for _frame in fitdecode.FitReader(path.read_bytes()):
                pass
        except Exception:  # broken files cost what they cost; the import skips them too
            pass


def read_bytes(paths: list[Path]) -> None:
    for path in paths:
        path.read_bytes()


def full_import(paths: list[Path]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "bench.db")
        import_fit_files(store, paths, Athlete(id="bench", name="bench", timezone="Europe/London"))
        store.close()


def timed(fn: Callable[[list[Path]], None], paths: list[Path]) -> float:
    start = time.perf_counter()
    fn(paths)
    return time.perf_counter() - start


def main(folders: list[str]) -> None:
    paths = [p for f in (folders or [DEFAULT]) for p in fetch_fit_files(Path(f))]
    if not paths:
        sys.exit(f"no .fit files under {folders or DEFAULT}")
    megabytes = sum(p.stat().st_size for p in paths) / 1e6
    print(f"{len(paths)} files, {megabytes:.1f} MB")
    rows = [
        ("read bytes (floor)", read_bytes),
        ("bare fitdecode loop", bare_fitdecode),
        ("runsync import", full_import),
    ]
    results = {name: timed(fn, paths) for name, fn in rows}
    for name, seconds in results.items():
        print(f"{name:22} {seconds:8.2f} s  {megabytes / seconds:8.2f} MB/s  {len(paths) / seconds:8.1f} files/s")
    ratio = results["runsync import"] / results["bare fitdecode loop"]
    print(f"import / bare decode: {ratio:.2f}x  (target <= 1.3x)")


if __name__ == "__main__":
    main(sys.argv[1:])
