"""Six weeks of a demo athlete's watch files, with the patterns the audit looks for planted in them.

Weeks are the athlete's last six complete local calendar weeks (Monday to Sunday), so the default weekly report
(the last complete week) shows the last planted week whatever the weekday the demo runs on. Planted: 12 × 400 m
with rest shrinking 120 → 30 s and pace held (week 2), the same shape with pace fading (week 4), 5 × 1000 m with
constant rest (week 3), strength in weeks 1-2 only, weekly distance +40-50 % in weeks 5-6 with a long run far past
the previous longest, and three hard days in a row in week 6, the middle one an evening run that is on the next
UTC day."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs

from runsync.demo.fitwrite import (
    ActivitySpec,
    LiftSet,
    easy_run,
    intervals,
    long_run,
    strength_session,
    tempo_run,
    write_file,
)
from runsync.errors import UsageError

DEMO_ATHLETE: dict[str, str | int] = {
    "id": "demo",
    "name": "Demo Runner",
    "timezone": "America/Los_Angeles",  # west of UTC, so an evening run is on the next UTC day
    "max_hr": 190,
    "resting_hr": 50,
    "lthr": 172,
    "threshold_pace": "4:10/km",
}
WEEKS = 6
EASY_PACE = 330.0  # s/km
EASY_HR = 140.0
WEEKLY_SCALE = (1.0, 1.0, 1.05, 1.0, 1.4, 1.4)  # easy runs: the ramp in the last two weeks
LONG_RUN_KM = (16, 16, 17, 16, 18, 21)  # the last > 10 % past the longest of the previous 30 days
SQUATS = [LiftSet(45, 10, 60.0, "squat"), LiftSet(45, 10, 60.0, "squat"), LiftSet(40, 8, 80.0, "deadlift")]

# A builder takes (UTC start, UTC offset s, seed, weekly scale) and returns the activity.
Builder = Callable[[datetime, int, int, float], ActivitySpec]


def _easy(km: float) -> Builder:
    return lambda start, offset, seed, scale: easy_run(start, offset, km * scale, EASY_PACE, EASY_HR, seed=seed)


def _long(km: float) -> Builder:
    return lambda start, offset, seed, scale: long_run(start, offset, km, 340.0, 142.0, seed=seed)


def _tempo(km: float) -> Builder:
    return lambda start, offset, seed, scale: tempo_run(start, offset, km, 245.0, seed=seed)


def _four_hundreds(reps: int, paces: list[float]) -> Builder:
    rests = [round(120 - 90 * i / (reps - 2)) for i in range(reps - 1)]  # 120 → 30 s
    return lambda start, offset, seed, scale: intervals(start, offset, reps, 400, paces, rests, seed=seed)


def _kilometres(structured: bool) -> Builder:
    auto_lap = None if structured else 1000.0
    return lambda start, offset, seed, scale: intervals(
        start,
        offset,
        5,
        1000,
        215.0,
        [120] * 4,
        rest_kind="jog",
        structured_laps=structured,
        auto_lap_m=auto_lap,
        seed=seed,
    )


def _strength() -> Builder:
    return lambda start, offset, seed, scale: strength_session(start, offset, SQUATS, seed=seed)


HELD = [200.0 + (i % 3) for i in range(12)]  # 80 s per 400 m, ±0.4 s
FADING = [200.0, 200.0, 201.0, 202.0, 204.0, 207.0, 210.0, 214.0, 218.0, 222.0]

# (week, day of the week block, local time, builder, file kind)
PLAN: list[tuple[int, int, time, Builder, str]] = [
    *[(w, 0, time(6, 45), _easy(8), "run") for w in range(WEEKS)],
    *[(w, 2, time(6, 45), _easy(6), "run") for w in range(WEEKS) if w != 5],
    *[(w, 4, time(7, 0), _easy(7), "run") for w in range(WEEKS)],
    *[(w, 6, time(8, 0), _long(km), "run") for w, km in enumerate(LONG_RUN_KM)],
    (0, 1, time(7, 15), _tempo(5), "run"),
    (1, 1, time(7, 15), _four_hundreds(12, HELD), "run"),
    (2, 1, time(7, 15), _kilometres(structured=True), "run"),
    (3, 1, time(7, 15), _four_hundreds(10, FADING), "run"),
    (4, 1, time(7, 15), _tempo(6), "run"),
    (4, 3, time(7, 15), _easy(8), "run"),
    (5, 1, time(7, 15), _kilometres(structured=False), "run"),  # hard day 1 of 3
    (5, 2, time(18, 30), _tempo(6), "run"),  # hard day 2: 18:30 local is after UTC midnight
    (5, 3, time(7, 15), _four_hundreds(10, HELD[:10]), "run"),  # hard day 3
    (1, 3, time(7, 0), _easy(6), "run"),
    (0, 3, time(18, 0), _strength(), "strength"),
    (1, 5, time(17, 30), _strength(), "strength"),
]


# A second, well-balanced athlete: the control a coach hopes to see (easy days between hard ones, steady volume,
# strength twice a week).
BALANCED_ATHLETE: dict[str, str | int] = {
    "id": "sam",
    "name": "Sam Steady",
    "timezone": "Europe/London",
    "max_hr": 185,
    "resting_hr": 46,
    "lthr": 168,
    "threshold_pace": "4:20/km",
}
BALANCED_PLAN: list[tuple[int, int, time, Builder, str]] = [
    *[(w, 0, time(7, 0), _easy(7), "run") for w in range(WEEKS)],
    *[(w, 1, time(7, 0), _kilometres(structured=True), "run") for w in range(WEEKS)],
    *[(w, 3, time(7, 0), _easy(8), "run") for w in range(WEEKS)],
    *[(w, 6, time(9, 0), _long(15), "run") for w in range(WEEKS)],
    *[(w, 2, time(18, 0), _strength(), "strength") for w in range(WEEKS)],
    *[(w, 5, time(18, 0), _strength(), "strength") for w in range(WEEKS)],
]
SQUAD = ((DEMO_ATHLETE, PLAN), (BALANCED_ATHLETE, BALANCED_PLAN))
MARKER = ".runsync-demo"


def first_demo_day(now: datetime, athlete_tz: str) -> date:
    """The Monday that starts the first of the six complete local weeks before `now` in the athlete's timezone."""
    today = now.astimezone(ZoneInfo(athlete_tz)).date()
    return today - timedelta(days=today.weekday()) - timedelta(weeks=WEEKS)


def write_demo_files(folder: Path, first_day: date, athlete_tz: str | None = None,
                     plan: list | None = None) -> list[Path]:  # fmt: skip
    """Write the demo athlete's FIT files into `folder`, six weeks from the Monday `first_day`; deterministic."""
    return write_jobs(demo_jobs(folder, first_day, athlete_tz, plan))


def demo_jobs(folder: Path, first_day: date, athlete_tz: str | None = None,
              plan: list | None = None) -> list[tuple[ActivitySpec, Path]]:  # fmt: skip
    """The demo athlete's activities and the files they go to (the folder is made)."""
    zone = ZoneInfo(athlete_tz or str(DEMO_ATHLETE["timezone"]))
    folder.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[ActivitySpec, Path]] = []
    for seed, (week, day, at, build, kind) in enumerate(sorted(plan or PLAN, key=lambda item: item[:3])):
        local = datetime.combine(first_day + timedelta(days=7 * week + day), at, tzinfo=zone)
        offset = local.utcoffset()
        assert offset is not None
        spec = build(local.astimezone(UTC), int(offset.total_seconds()), seed, WEEKLY_SCALE[week])
        jobs.append((spec, folder / f"{local:%Y-%m-%d-%H%M}-{kind}.fit"))
    return jobs


def write_jobs(jobs: list[tuple[ActivitySpec, Path]],
               on_progress: Callable[[int, int], None] | None = None) -> list[Path]:  # fmt: skip
    """Write the files on every core; `on_progress(done, total)` after each."""
    written: list[Path] = []
    with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:  # writing is CPU-bound: use every core
        for path in pool.map(write_file, *zip(*jobs, strict=True)):
            written.append(path)
            if on_progress is not None:
                on_progress(len(written), len(jobs))
    return written


def _athlete_toml(athlete: dict[str, str | int], fit_dir: Path) -> str:
    lines = [f"[athletes.{athlete['id']}]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in athlete.items() if key != "id"]
    lines.append(f"fit_dirs = [{json.dumps(str(fit_dir))}]")
    lines.append(f'email = ["{athlete["id"]}@example.org"]')
    return "\n".join(lines) + "\n"


# The weekly mail goes to a local test server: `python -m aiosmtpd -n -l 127.0.0.1:8025` shows what would be sent.
DEMO_EMAIL = """[email]
host = "127.0.0.1"
port = 8025
security = "none"
from = "runsync demo <runsync@localhost>"
to = ["coach@example.org"]
"""


def setup_demo(folder: Path | None, now: datetime,
               on_progress: Callable[[int, int], None] | None = None) -> tuple[Path, date]:  # fmt: skip
    """Write a demo squad (config, FIT files, an empty database) into `folder`; return the config path and the
    first day with demo data (in the athletes' local calendars).

    The folder is the demo's own: a previous demo there is replaced, anything else is refused."""
    folder = folder or Path(platformdirs.user_data_dir("runsync")) / "demo"
    try:
        if folder.is_dir() and any(folder.iterdir()):
            if not (folder / MARKER).exists():
                raise UsageError(f"{folder}: not empty and not a runsync demo folder; choose another with --dir")
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).write_text("written by runsync demo; safe to delete\n")
    except OSError as exc:
        raise UsageError(f"--dir {folder}: cannot write the demo there: {exc.strerror or exc}") from None
    sections = [f"[storage]\ndatabase = {json.dumps(str(folder / 'runsync.db'))}\n", DEMO_EMAIL]
    firsts, jobs = [], []
    for athlete, plan in SQUAD:
        fit_dir = folder / "fit" / str(athlete["id"])
        firsts.append(first_demo_day(now, str(athlete["timezone"])))
        jobs += demo_jobs(fit_dir, firsts[-1], str(athlete["timezone"]), plan)
        sections.append(_athlete_toml(athlete, fit_dir))
    write_jobs(jobs, on_progress)
    config = folder / "config.toml"
    config.write_text("# the runsync demo squad\n\n" + "\n".join(sections), encoding="utf-8")
    return config, min(firsts)
