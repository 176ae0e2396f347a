"""Daily and weekly frames by the athlete's LOCAL calendar (a run at 18:30 in Los Angeles is on that day), built from
the sessions and their stored analyses (never from samples): distance, time, runs by intensity, strength, running
distance as EWMA acute (7 d) and chronic (28 d) `load` (km), training load (TRIMP, pace or RPE based), time in
zones and the time below the first threshold."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from runsync.analysis.session import SessionAnalysis
from runsync.model import Session, format_distance

ZONE_COLUMNS = (*(f"hr_z{i}_s" for i in range(1, 6)), *(f"pace_z{i}_s" for i in range(1, 6)))
SUMMED = ("training_load", "easy_s", "easy_basis_s", *ZONE_COLUMNS)  # per day and week: sums
SESSION_COLUMNS = ("id", "sport", "is_run", "is_strength", "workout_type", "local_start", "distance_m", "moving_s",
                   "elapsed_s", "avg_hr", "intensity", "intensity_basis", "load_basis", *SUMMED)  # fmt: skip
COUNTS = ("runs", "easy", "moderate", "hard", "strength")
ACUTE_DAYS, CHRONIC_DAYS = 7, 28
NO_ZONES = (0.0,) * 5


def sessions_frame(sessions: list[Session], analysis: Callable[[Session], SessionAnalysis | None]) -> pd.DataFrame:
    """One row per session, indexed by local date (name `date`), in start order; built column by column."""
    found = [analysis(s) for s in sessions]
    levels = [a.intensity if a else None for a in found]
    loads = [a.load if a else None for a in found]
    zones = [a.zones if a else None for a in found]
    hr = np.array([(z.hr_s if z else None) or NO_ZONES for z in zones], dtype=float).reshape(-1, 5)
    pace = np.array([(z.pace_s if z else None) or NO_ZONES for z in zones], dtype=float).reshape(-1, 5)
    columns = {
        "id": [s.id for s in sessions],
        "sport": [s.sport for s in sessions],
        "is_run": np.array([s.is_run for s in sessions], dtype=bool),
        "is_strength": np.array([s.sport == "strength" for s in sessions], dtype=bool),
        "workout_type": [s.workout_type for s in sessions],
        "local_start": [s.local_start for s in sessions],
        "distance_m": np.array([_num(s.distance_m) for s in sessions]),
        "moving_s": np.array([_num(s.moving_s) for s in sessions]),
        "elapsed_s": np.array([_num(s.elapsed_s) for s in sessions]),
        "avg_hr": [s.avg_hr for s in sessions],
        "intensity": [level.level if level else None for level in levels],
        "intensity_basis": [",".join(level.basis) if level else None for level in levels],
        "load_basis": [load.basis if load else None for load in loads],
        "training_load": np.array([load.value if load else 0.0 for load in loads]),
        "easy_s": np.array([_num(z.easy_s if z else None) for z in zones]),
        "easy_basis_s": np.array([_num(z.basis_s if z else None) for z in zones]),
        **{f"hr_z{i + 1}_s": hr[:, i] for i in range(5)},
        **{f"pace_z{i + 1}_s": pace[:, i] for i in range(5)},
    }
    return pd.DataFrame(columns, index=pd.Index([s.local_date for s in sessions], name="date", dtype=object))


def _num(value: float | None) -> float:
    """A number for summing: unknown, negative or not finite counts as 0."""
    return float(value) if value is not None and math.isfinite(value) and value > 0 else 0.0


DAILY_SUMS = ("distance_m", "moving_s", *COUNTS, *SUMMED)


def daily_frame(sessions: pd.DataFrame, first: date | None = None, last: date | None = None) -> pd.DataFrame:
    """Every local day from `first` to `last` (default: the sessions' span), rest days included. Empty (with every
    column) when there is neither a session nor a day given. Each column is one bincount over the sessions."""
    days = list(sessions.index)
    first = first or (min(days) if days else last)
    last = last or (max(days) if days else first)
    dates = _dates(first, last)
    offsets = np.array([(d - first).days for d in days], dtype=np.int64) if days and first else np.zeros(0, int)
    inside = (offsets >= 0) & (offsets < len(dates))
    runs = inside & sessions["is_run"].to_numpy(dtype=bool)
    level = sessions["intensity"].to_numpy(dtype=object)
    strength = inside & sessions["is_strength"].to_numpy(dtype=bool)
    masks = {"distance_m": runs, "moving_s": runs, "runs": runs, "strength": strength,
             **{name: runs & (level == name) for name in ("easy", "moderate", "hard")}}  # fmt: skip
    table = np.zeros((len(dates), len(DAILY_SUMS)))
    for i, name in enumerate(DAILY_SUMS):
        mask = masks.get(name, inside)
        weights = sessions[name].to_numpy(dtype=float)[mask] if name in sessions else None
        table[:, i] = np.bincount(offsets[mask], weights=weights, minlength=len(dates))
    return with_load(_frame(table, DAILY_SUMS, pd.Index(dates, name="date", dtype=object)))


def _frame(table: np.ndarray, columns: tuple[str, ...], index: pd.Index) -> pd.DataFrame:
    """The table's columns, the counts as integers (built from a dict of arrays: pandas' quickest way)."""
    return pd.DataFrame({c: table[:, i].astype(int) if c in COUNTS else table[:, i] for i, c in enumerate(columns)},
                        index=index)  # fmt: skip


def with_load(daily: pd.DataFrame) -> pd.DataFrame:
    """Running distance (km) as the day's `load`, its EWMA acute (7 d) and chronic (28 d) load and their ratio."""
    load = daily["distance_m"].to_numpy(dtype=float) / 1000
    acute, chronic = ewma(load, ACUTE_DAYS), ewma(load, CHRONIC_DAYS)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(chronic > 0, acute / chronic, np.nan)
    return daily.assign(load=load, acute=acute, chronic=chronic, acwr=ratio)


FITNESS_DAYS, FATIGUE_DAYS = 42, 7  # Banister's impulse-response time constants, as TrainingPeaks and intervals.icu


Curves = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def fitness_fatigue(load: np.ndarray, fitness_days: int = FITNESS_DAYS, fatigue_days: int = FATIGUE_DAYS) -> Curves:
    """Daily training load (rest days 0) → fitness (chronic), fatigue (acute), form (fitness − fatigue) and the
    acute:chronic ratio (fatigue / fitness; nan while fitness is 0). Each is an exponentially weighted average with
    decay e^(−1/τ) a day, starting from 0 before the first day (as intervals.icu and TrainingPeaks do)."""
    fitness = _decayed(load, fitness_days)
    fatigue = _decayed(load, fatigue_days)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(fitness > 0, fatigue / fitness, np.nan)
    return fitness, fatigue, fitness - fatigue, ratio


def _decayed(values: np.ndarray, days: int) -> np.ndarray:
    keep, out, level = math.exp(-1 / days), np.empty(len(values)), 0.0
    for i, value in enumerate(values):
        level = level * keep + value * (1 - keep)
        out[i] = level
    return out


def ewma(values: np.ndarray, days: int) -> np.ndarray:
    """Exponentially weighted moving average, alpha = 2 / (days + 1), starting from the first value (pandas'
    ewm(adjust=False)); a plain loop: a few hundred days."""
    alpha, out, level = 2 / (days + 1), np.empty(len(values)), 0.0
    for i, value in enumerate(values):
        level = value if i == 0 else level + alpha * (value - level)
        out[i] = level
    return out


def week_start_of(day: date, week_start: int = 0) -> date:
    """The first day of `day`'s week; week_start 0 = Monday … 6 = Sunday."""
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def weekly_frame(sessions: pd.DataFrame, daily: pd.DataFrame, week_start: int = 0) -> pd.DataFrame:
    """Per local week (index: the week's first day): distance, time, counts, the longest run, and the daily sums."""
    starts = [week_start_of(d, week_start) for d in daily.index]
    weeks = sorted(set(starts))
    position = {w: i for i, w in enumerate(weeks)}
    day_week = np.array([position[w] for w in starts], dtype=np.int64)
    values = daily[list(DAILY_SUMS)].to_numpy(dtype=float)
    table = np.zeros((len(weeks), len(DAILY_SUMS) + 1))
    np.add.at(table[:, :-1], day_week, values)
    runs = sessions["is_run"].to_numpy(dtype=bool)
    for day, distance in zip(sessions.index[runs], sessions["distance_m"].to_numpy(dtype=float)[runs], strict=True):
        week = position.get(week_start_of(day, week_start))
        if week is not None:
            table[week, -1] = max(table[week, -1], distance)
    return _frame(table, (*DAILY_SUMS, "longest_m"), pd.Index(weeks, name="week_start", dtype=object))


@dataclass(frozen=True)
class Baseline:
    """What a week's distance is compared with: the mean of the `weeks` before it, leaving out the `skipped` weeks
    just before (the build that led to it); one definition for the report's header and the mileage-ramp rule."""

    mean_m: float
    weeks: tuple[date, ...]  # the week starts averaged, oldest first
    skipped: int

    def words(self, units: str) -> str:
        """'the 48.2 km average of the 3 weeks of 21 Sep – 11 Oct (the week just before left out: it is part of the
        build)'."""
        first, last = self.weeks[0], self.weeks[-1] + timedelta(days=6)
        count = f"{len(self.weeks)} week{'s' if len(self.weeks) != 1 else ''}"
        left = ""
        if self.skipped:
            what = "the week just before" if self.skipped == 1 else f"the {self.skipped} weeks just before"
            left = f" ({what} left out: the build itself)"
        return (f"the {format_distance(self.mean_m, units)} average of the {count} of {first:%-d %b} – "
                f"{last:%-d %b}{left}")  # fmt: skip


def weekly_baseline(weekly: dict[date, float], week: date, *, weeks: int = 4, skip: int = 1,
                    first_run: date | None = None) -> Baseline | None:  # fmt: skip
    """The mean running distance of the `weeks` weeks before `week`, leaving out the `skip` weeks just before it,
    counting only weeks since the athlete's first run; None with fewer than 2 such weeks."""
    starts = [week - timedelta(weeks=skip + n) for n in range(weeks, 0, -1)]
    known = tuple(w for w in starts if w in weekly and (first_run is None or w >= first_run))  # whole weeks only
    if len(known) < 2:
        return None
    return Baseline(sum(weekly[w] for w in known) / len(known), known, skip)


def _dates(first: date | None, last: date | None) -> list[date]:
    if first is None or last is None:
        return []
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
