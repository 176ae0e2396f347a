"""Synthetic athletes as FIT files (fit-tool), imported through the real pipeline and audited through the CLI."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from runsync.demo.fitwrite import ActivitySpec, easy_run, intervals, long_run, strength_session, tempo_run, write_file
from tests.conftest import run_cli

LA = "America/Los_Angeles"
THRESHOLDS = 'max_hr = 190\nresting_hr = 50\nlthr = 172\nthreshold_pace = "4:10/km"\n'
SQUATS = [(45, 10, 60.0, "squat"), (45, 10, 60.0, "squat"), (40, 8, 80.0, "deadlift")]


class Athlete:
    """One athlete's config + watch folder in tmp_path; `add(builder, day, at)` writes a FIT file."""

    def __init__(self, tmp_path: Path, timezone: str = LA, athlete_id: str = "ana", *,
                 thresholds: str = THRESHOLDS, heart_rate: bool = True, store: str | None = None) -> None:  # fmt: skip
        self.id, self.zone, self.seed, self.heart_rate = athlete_id, ZoneInfo(timezone), 0, heart_rate
        self.watch = tmp_path / f"watch-{athlete_id}"
        self.watch.mkdir()
        self.config = tmp_path / "config.toml"
        self.config.write_text(
            f"[storage]\n{_storage(store or str(tmp_path / 'runsync.db'))}\n\n[athletes.{athlete_id}]\nname = \"Ana\"\n"
            f'timezone = "{timezone}"\n{thresholds}fit_dirs = ["{self.watch}"]\n',
            encoding="utf-8",
        )

    def add(self, build, day: date, at: time = time(7, 0)) -> None:  # noqa: ANN001 - (start, offset, seed) → spec
        local = datetime.combine(day, at, tzinfo=self.zone)
        offset = int(local.utcoffset().total_seconds())
        self.seed += 1
        spec: ActivitySpec = build(local.astimezone(UTC), offset, self.seed)
        if not self.heart_rate:
            spec = dataclasses.replace(spec, heart_rate=False)
        write_file(spec, self.watch / f"{local:%Y-%m-%d-%H%M}-{self.seed}.fit")

    def sync(self) -> None:
        run_cli("--config", self.config, "sync", "--wait")  # --wait: a PostgreSQL store queues the sync, then runs it

    def sessions(self) -> list[dict]:
        out = run_cli("--config", self.config, "sessions", "--athlete", self.id, "--format", "json")
        return json.loads(out.stdout)["sessions"]

    def audit(self, since: date, until: date, *args: str, expect: int = 0) -> list[dict]:
        out = run_cli("--config", self.config, "audit", "--athlete", self.id, "--since", since.isoformat(),
                      "--until", until.isoformat(), "--format", "json", *args, expect=expect)  # fmt: skip
        return json.loads(out.stdout)["findings"]


def _storage(store: str) -> str:
    """The [storage] line for an SQLite file or a PostgreSQL URL."""
    return f'url = "{store}"' if store.startswith("postgresql") else f'database = "{store}"'


def easy(km: float = 8.0):  # noqa: ANN201
    return lambda start, offset, seed: easy_run(start, offset, km, 330.0, 140.0, seed=seed)


def long(km: float = 18.0):  # noqa: ANN201
    return lambda start, offset, seed: long_run(start, offset, km, 340.0, 142.0, seed=seed)


def tempo(km: float = 6.0):  # noqa: ANN201
    return lambda start, offset, seed: tempo_run(start, offset, km, 245.0, seed=seed)


def reps(n: int, metres: float, pace: float, rests: list[float], **kwargs):  # noqa: ANN201
    return lambda start, offset, seed: intervals(start, offset, n, metres, pace, rests, seed=seed, **kwargs)


def gym():  # noqa: ANN201
    return lambda start, offset, seed: strength_session(start, offset, SQUATS, seed=seed)


def days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]
