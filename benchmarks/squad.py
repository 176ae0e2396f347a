"""A coach's squad at scale: import, the nightly no-op sync, and Monday's audit and report, side by side in one run.

    python benchmarks/squad.py [--athletes 1,10,50,200] [--weeks 52] [--dir DIR] [--repeat 3] [--parts read,...]

Builds a squad of 50 athletes × `weeks` weeks of watch files (5-6 runs a week with 1 Hz samples: easy runs, a long
run, tempo, 400 m and 1 km repeats, strength for most; every fifth athlete has no pace threshold, so their critical
speed is estimated from their best efforts): a dozen activities written once with the FIT writer, then copied at
other times (runsync.demo.shift), so each file is a distinct activity. It then prints, with the targets of
issue 11 beside them:

- the import: 10 athletes with 1 and 2 workers, and with the analysis switched off (its cost per session);
- the nightly sync when nothing is new (a stat() per file), in-process and as a command;
- `runsync audit --all` (default window and the whole year) and `runsync report --all`, wall time and peak memory,
  for 1, 10, 50 and 200 athletes (athletes past 50 are copies of the first 50 made in SQL: same data, new ids);
- peak memory of an audit over 1 and 5 years of one athlete's history.

With --dir the squad is kept there and reused by the next run (delete the folder to rebuild it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from runsync.config import load_config
from runsync.demo import workouts
from runsync.demo.fitwrite import write_activity
from runsync.demo.shift import Template
from runsync.store import Store
from runsync.sync import run_sync

FIRST_MONDAY = date(2025, 12, 1)
SQUAD = 50
ROUND_1 = {"audit": {1: 1.6, 10: 8.8, 50: 26.7}, "audit year": {1: 3.4, 10: 31.0, 50: 129.0},
           "report": {1: 2.7, 10: 16.5, 50: 74.0}}  # fmt: skip  # seconds, measured in round 1 (issue 11)


def templates() -> dict[str, Template]:
    """The week's activities, written once on the first Monday (local 07:00 in UTC+0)."""
    at = datetime.combine(FIRST_MONDAY, datetime.min.time(), UTC) + timedelta(hours=7)
    specs = {
        "easy8": workouts.easy_run(at, 0, 8.0, 330.0, 140.0),
        "easy6": workouts.easy_run(at, 0, 6.0, 335.0, 138.0, seed=1),
        "easy10": workouts.easy_run(at, 0, 10.0, 325.0, 142.0, seed=2),
        "long16": workouts.long_run(at, 0, 16.0, 340.0, 142.0),
        "long20": workouts.long_run(at, 0, 20.0, 340.0, 143.0, seed=3),
        "tempo": workouts.tempo_run(at, 0, 6.0, 245.0),
        "400s": workouts.intervals(at, 0, 12, 400, 200.0, [120 - 8 * i for i in range(11)]),
        "1000s": workouts.intervals(at, 0, 5, 1000, 215.0, [120] * 4, rest_kind="jog", structured_laps=False,
                                    auto_lap_m=1000.0),  # fmt: skip
        "gym": workouts.strength_session(at, 0, [(45, 10, 60.0, "squat")] * 3 + [(40, 8, 80.0, "deadlift")]),
    }
    return {name: Template(write_activity(spec)) for name, spec in specs.items()}


def week_plan(athlete: int, week: int) -> list[tuple[int, str]]:
    """(day of the week, activity) for one athlete's week: a steady plan, with its variations."""
    plan = [(0, "easy8"), (1, "400s" if week % 2 else "1000s"), (2, "easy6"), (3, "tempo" if week % 3 else "easy10"),
            (6, "long20" if week % 4 == 3 else "long16")]  # fmt: skip
    if (athlete + week) % 2:
        plan.append((4, "easy6"))
    if athlete % 4 != 3:  # a quarter of the squad logs no strength work
        plan.append((5, "gym"))
    return plan


def write_squad(folder: Path, athletes: int, weeks: int) -> int:
    made = templates()
    count = 0
    for athlete in range(athletes):
        target = folder / "fit" / f"a{athlete:03}"
        target.mkdir(parents=True, exist_ok=True)
        for week in range(weeks):
            for day, name in week_plan(athlete, week):
                seconds = (week * 7 + day) * 86400 + athlete * 61  # a distinct start (and file) per athlete
                when = FIRST_MONDAY + timedelta(days=week * 7 + day)
                (target / f"{when}-{name}.fit").write_bytes(made[name].shifted(seconds))
                count += 1
    return count


def write_config(folder: Path, athletes: int, name: str, database: Path) -> Path:
    lines = [f'[storage]\ndatabase = "{database}"\n']
    for athlete in range(athletes):
        source = athlete % SQUAD
        pace = "" if source % 5 == 4 else 'threshold_pace = "4:10/km"\n'
        watch = folder / "fit" / f"a{source:03}"
        lines.append(f'[athletes.a{athlete:03}]\nname = "Athlete {athlete}"\ntimezone = "UTC"\nmax_hr = 190\n'
                     f'resting_hr = 50\nlthr = 172\n{pace}fit_dirs = ["{watch}"]\n')  # fmt: skip
    path = folder / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


REPEAT = 3  # each command's wall time is the median of this many runs (a shared machine is noisy)


def command(config: Path, *args: str) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MiB) of `runsync` runs, each in a fresh process."""
    runs = sorted(_command_once(config, *args) for _ in range(REPEAT))
    return runs[len(runs) // 2][0], max(rss for _, rss in runs)


def _command_once(config: Path, *args: str) -> tuple[float, float]:
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=False); "
             "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"
             )  # fmt: skip
    runsync = [sys.executable, "-m", "runsync", "--config", str(config), *args]
    out = subprocess.run([sys.executable, "-c", probe, *runsync], capture_output=True, text=True, check=True)
    seconds, rss = out.stdout.split()
    return float(seconds), float(rss)


def import_figures(folder: Path) -> None:
    """10 athletes imported with 1 and 2 workers, and with 2 workers and no analysis."""
    config = load_config(write_config(folder, 10, "import.toml", folder / "import.db"))
    athletes = list(config.athletes.values())
    sessions = sum(len(list((folder / "fit" / f"a{i:03}").iterdir())) for i in range(10))

    def fresh(workers: int, analyse: bool = True) -> float:
        (folder / "import.db").unlink(missing_ok=True)
        import runsync.sync as sync_module

        real = sync_module._analyse
        if not analyse:
            sync_module._analyse = lambda session, settings: None
        try:
            store = Store.open(folder / "import.db")
            seconds = timed(lambda: run_sync(store, athletes, config=config if analyse else None, workers=workers))
            store.close()
        finally:
            sync_module._analyse = real
        return seconds

    one, two, bare = fresh(1), fresh(2), fresh(2, analyse=False)
    print(f"import of 10 athletes ({sessions} files):")
    print(f"  1 worker {one:6.1f} s ({sessions / one:5.0f} files/s)   2 workers {two:6.1f} s ({sessions / two:5.0f} "
          f"files/s)   2 workers / 1: {one / two:.2f}x (target >= 1.7x)")  # fmt: skip
    print(f"  2 workers without the analysis {bare:6.1f} s: the analysis adds {(two / bare - 1) * 100:+.0f} % per "
          "session (target <= +15 %)")
    (folder / "import.db").unlink(missing_ok=True)


def squad_store(folder: Path) -> Path:
    database = folder / "squad.db"
    if not database.exists():
        config = load_config(write_config(folder, SQUAD, "squad.toml", database))
        store = Store.open(database)
        seconds = timed(lambda: run_sync(store, list(config.athletes.values()), config=config, workers=2))
        store.close()
        print(f"import of the {SQUAD}-athlete squad (2 workers): {seconds:.1f} s")
    return database


def clone_athletes(database: Path, target: Path, copies: int) -> None:
    """A store with `copies` × the squad: every session, lap, source and analysis copied under new ids."""
    shutil.copy(database, target)
    with sqlite3.connect(target) as conn:
        for copy in range(1, copies):
            suffix = f"-c{copy}"

            def athlete_sql(column: str, copy: int = copy) -> str:
                return f"printf('a%03d', CAST(substr({column}, 2) AS INTEGER) + {copy * SQUAD})"

            columns = [r[1] for r in conn.execute("PRAGMA table_info(sessions)")]
            values = [f"id || '{suffix}'" if c == "id" else athlete_sql("athlete") if c == "athlete" else c
                      for c in columns]  # fmt: skip
            conn.execute(f"INSERT INTO sessions ({', '.join(columns)}) SELECT {', '.join(values)} FROM sessions"
                         " WHERE id NOT LIKE '%-c%'")  # fmt: skip
            for table, key in (("laps", "session_id"), ("sets", "session_id"), ("session_sources", "session_id"),
                               ("analysis", "session_id")):  # fmt: skip
                cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
                vals = [f"{key} || '{suffix}'" if c == key else c for c in cols]
                conn.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(vals)} FROM {table}"
                             f" WHERE {key} NOT LIKE '%-c%'")  # fmt: skip


def read_figures(folder: Path, database: Path, counts: list[int], weeks: int) -> None:
    now = (FIRST_MONDAY + timedelta(weeks=weeks, days=2)).isoformat() + "T09:00:00Z"
    year_ago = (FIRST_MONDAY - timedelta(days=1)).isoformat()
    print(f"\nMonday morning ({now}), median wall time of {REPEAT} runs of the command (incl. ~0.7 s of Python "
          "start-up) and peak memory:")
    print(f"{'athletes':>8}  {'audit --all':>20}  {'audit --all, year':>20}  {'report --all':>20}   round 1 (audit, "
          "year, report)")
    for count in counts:
        store = database
        if count > SQUAD:
            store = folder / f"squad-{count}.db"
            if not store.exists():
                clone_athletes(database, store, -(-count // SQUAD))
        config = write_config(folder, count, f"read-{count}.toml", store)
        audit = command(config, "--now", now, "audit", "--all")
        year = command(config, "--now", now, "audit", "--all", "--since", year_ago)
        report = command(config, "--now", now, "report", "--all")
        before = ", ".join(f"{ROUND_1[k].get(count, '-')}" for k in ("audit", "audit year", "report"))
        cells = "  ".join(f"{s:7.2f} s {m:6.0f} MiB" for s, m in (audit, year, report))
        print(f"{count:8}  {cells}   {before} s")
    print("targets: audit --all for 50 athletes < 2 s, report --all < 3 s; cost linear in athletes, not samples")


def nightly_figures(folder: Path, database: Path) -> None:
    config_path = write_config(folder, SQUAD, "squad.toml", database)
    config = load_config(config_path)
    files = sum(1 for _ in (folder / "fit").rglob("*.fit"))
    gigabytes = sum(p.stat().st_size for p in (folder / "fit").rglob("*.fit")) / 1e9
    store = Store.open(database)
    in_process = min(timed(lambda: run_sync(store, list(config.athletes.values()), config=config)) for _ in range(3))
    store.close()
    cli, _ = command(config_path, "sync")
    print(f"\nnightly sync with nothing new, {files} files ({gigabytes:.1f} GB): {in_process:.2f} s in-process "
          f"(target <= 0.5 s), {cli:.2f} s as a command")  # fmt: skip


def history_memory(folder: Path, weeks: int) -> None:
    """One athlete's audit over 1 and 5 years of history: peak memory should not follow the sessions."""
    made = templates()
    target = folder / "long" / "fit" / "a000"
    if not target.exists():
        target.mkdir(parents=True)
        for week in range(weeks * 5):
            for day, name in week_plan(0, week):
                when = FIRST_MONDAY - timedelta(weeks=weeks * 4) + timedelta(days=week * 7 + day)
                seconds = int((datetime.combine(when, datetime.min.time(), UTC) - datetime.combine(
                    FIRST_MONDAY, datetime.min.time(), UTC)).total_seconds())  # fmt: skip
                (target / f"{when}-{name}.fit").write_bytes(made[name].shifted(seconds))
    config = folder / "long" / "config.toml"
    config.write_text(f'[storage]\ndatabase = "{folder / "long" / "long.db"}"\n[athletes.a000]\ntimezone = "UTC"\n'
                      f'max_hr = 190\nthreshold_pace = "4:10/km"\nfit_dirs = ["{target}"]\n')  # fmt: skip
    if not (folder / "long" / "long.db").exists():
        command(config, "sync")
    now = (FIRST_MONDAY + timedelta(weeks=weeks, days=2)).isoformat()
    one, five = ((FIRST_MONDAY - timedelta(weeks=weeks * n)).isoformat() for n in (0, 4))
    (s1, m1), (s5, m5) = (command(config, "--now", now, "audit", "--since", since) for since in (one, five))
    print(f"\none athlete, audit over 1 year: {s1:.2f} s, {m1:.0f} MiB; over 5 years: {s5:.2f} s, {m5:.0f} MiB "
          "(target: memory flat in the length of history)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--athletes", default="1,10,50,200")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per command; the median is printed")
    parser.add_argument("--parts", default="import,nightly,read,history", help="which figures to measure")
    args = parser.parse_args()
    globals()["REPEAT"] = max(1, args.repeat)
    parts = set(args.parts.split(","))
    counts = [int(n) for n in args.athletes.split(",")]
    folder = args.dir or Path(tempfile.mkdtemp(prefix="runsync-squad-"))
    print(f"{os.cpu_count()} cores; squad in {folder}")
    if not (folder / "fit").exists():
        print(f"{write_squad(folder, SQUAD, args.weeks)} files written for {SQUAD} athletes × {args.weeks} weeks")
    if "import" in parts:
        import_figures(folder)
    database = squad_store(folder)
    if "nightly" in parts:
        nightly_figures(folder, database)
    if "read" in parts:
        read_figures(folder, database, counts, args.weeks)
    if "history" in parts:
        history_memory(folder, args.weeks)
    if not args.dir:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
