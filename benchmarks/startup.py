"""Start-up: how long a command takes before (and while) it does its work, against `python -c pass` in the same run.

    python benchmarks/startup.py [--runs N]

Each command runs N times (default 15) as a fresh process, as cron and a shell run it; the median wall time is
printed beside its ratio to `python -c pass` and the issue's target. The demo store (written once into a temporary
folder by `runsync demo`) is what `status` and the nightly no-op `sync` read: everything is imported already, so
the sync only stats the files and finds nothing new.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NOW = "2026-11-30T09:00:00Z"
RUNSYNC = [sys.executable, "-m", "runsync"]


def median_s(argv: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "XDG_CONFIG_HOME": f"{folder}/xdg", "XDG_DATA_HOME": f"{folder}/xdg"}
        demo = Path(folder) / "demo"
        subprocess.run([*RUNSYNC, "--now", NOW, "demo", "--dir", str(demo)], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        config = ["--config", str(demo / "config.toml"), "--now", NOW]
        cases = [
            ("python -c pass", [sys.executable, "-c", "pass"], None),
            ("runsync --help", [*RUNSYNC, "--help"], 0.15),
            ("runsync --version", [*RUNSYNC, "--version"], 0.15),
            ("runsync status (demo store)", [*RUNSYNC, *config, "status"], 0.30),
            ("runsync sync, nothing new (demo)", [*RUNSYNC, *config, "sync", "-q"], 0.40),
        ]
        base = None
        print(f"{'command':36} {'median':>8} {'× pass':>7} {'target':>8}  (median of {runs} runs)")
        for label, argv, target in cases:
            seconds = median_s(argv, runs, env)
            base = base or seconds
            verdict = "" if target is None else f"{target:6.2f} s {'ok' if seconds <= target else 'OVER'}"
            print(f"{label:36} {seconds:6.3f} s {seconds / base:6.1f}× {verdict}")


if __name__ == "__main__":
    main()
