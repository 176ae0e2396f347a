"""Daily and weekly frames by the athlete's LOCAL calendar (a run at 18:30 in Los Angeles is on that day), built from
the sessions and their stored analyses (never from samples): distance, time, runs by intensity, strength, running
distance as EWMA acute (7 d) and chronic (28 d) `load` (km), training load (TRIMP, pace or RPE based), time in
zones and the time below the first threshold."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd

from runsync.analysis.session import SessionAnalysis
from runsync.model import Session

ZONE_COLUMNS = (*(f"hr_z{i}_s" for i in range(1, 6)), *(f"pace_z{i}_s" for i in range(1, 6)))
SUMMED = ("training_load", "easy_s", "easy_basis_s", *ZONE_COLUMNS)  # per day and week: sums
SESSION_COLUMNS = ("id", "sport", "is_run", "is_strength", "workout_type", "local_start", "distance_m", "moving_s",
                   "elapsed_s", "avg_hr", "intensity", "intensity_basis", "load_basis", *SUMMED)  # fmt: skip
COUNTS = ("runs", "easy", "moderate", "hard", "strength")
ACUTE_DAYS, CHRONIC_DAYS = 7, 28
NO_ZONES = (0.0,) * 5


def sessions_frame(sessions: list[Session], analysis: Callable[[Session], SessionAnalysis | None]) -> pd.DataFrame:
    """One row per session, indexed by local date (name `date`), in start order."""
    rows = []
    for s in sessions:
        found = analysis(s)
        level = found.intensity if found else None
        load, zones = (found.load, found.zones) if found else (None, None)
        rows.append((s.id, s.sport, s.is_run, s.sport == "strength", s.workout_type, s.local_start,
                     _num(s.distance_m), _num(s.moving_s), _num(s.elapsed_s), s.avg_hr,
                     level.level if level else None, ",".join(level.basis) if level else None,
                     load.basis if load else None, load.value if load else 0.0,
                     _num(zones.easy_s if zones else None), _num(zones.basis_s if zones else None),
                     *((zones.hr_s if zones else None) or NO_ZONES),
                     *((zones.pace_s if zones else None) or NO_ZONES)))  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(SESSION_COLUMNS))
    frame.index = pd.Index([s.local_date for s in sessions], name="date", dtype=object)
    return frame


def _num(value: float | None) -> float:
    """A number for summing: unknown, negative or not finite counts as 0."""
    return float(value) if value is not None and math.isfinite(value) and value > 0 else 0.0


def daily_frame(sessions: pd.DataFrame, first: date | None = None, last: date | None = None) -> pd.DataFrame:
    """Every local day from `first` to `last` (default: the sessions' span), rest days included. Empty (with every
    column) when there is neither a session nor a day given."""
    days = list(sessions.index)
    first = first or (min(days) if days else last)
    last = last or (max(days) if days else first)
    index = pd.Index(_dates(first, last), name="date", dtype=object)
    runs = sessions[sessions["is_run"].astype(bool)]
    frame = pd.DataFrame(index=index)
    frame["distance_m"] = _per_day(runs["distance_m"], index, float)
    frame["moving_s"] = _per_day(runs["moving_s"], index, float)
    frame["runs"] = _per_day(pd.Series(1, index=runs.index), index, int)
    for level in ("easy", "moderate", "hard"):
        frame[level] = _per_day((runs["intensity"] == level).astype(int), index, int)
    frame["strength"] = _per_day(sessions["is_strength"].astype(int), index, int)
    for column in SUMMED:
        frame[column] = _per_day(sessions[column].astype(float), index, float)
    return with_load(frame)


def _per_day(values: pd.Series, index: pd.Index, dtype: type) -> pd.Series:
    """The sum of `values` per date of `index` (0 on days without any)."""
    if values.empty:
        return pd.Series(0, index=index, dtype=dtype)
    return values.groupby(level=0).sum().reindex(index, fill_value=0).astype(dtype)


def with_load(daily: pd.DataFrame) -> pd.DataFrame:
    load = daily["distance_m"] / 1000
    daily["load"] = load
    daily["acute"] = load.ewm(alpha=2 / (ACUTE_DAYS + 1), adjust=False).mean()
    daily["chronic"] = load.ewm(alpha=2 / (CHRONIC_DAYS + 1), adjust=False).mean()
    daily["acwr"] = (daily["acute"] / daily["chronic"]).where(daily["chronic"] > 0)
    return daily


def week_start_of(day: date, week_start: int = 0) -> date:
    """The first day of `day`'s week; week_start 0 = Monday … 6 = Sunday."""
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def weekly_frame(sessions: pd.DataFrame, daily: pd.DataFrame, week_start: int = 0) -> pd.DataFrame:
    """Per local week (index: the week's first day): distance, time, counts and the longest run."""
    columns = ["distance_m", "moving_s", *COUNTS, *SUMMED]
    weeks = pd.Index([week_start_of(d, week_start) for d in daily.index], name="week_start", dtype=object)
    frame = daily[columns].groupby(weeks).sum() if len(daily) else daily[columns].set_axis(weeks)
    runs = sessions[sessions["is_run"].astype(bool)]
    run_weeks = pd.Index([week_start_of(d, week_start) for d in runs.index], dtype=object)
    longest = runs["distance_m"].groupby(run_weeks).max() if len(runs) else pd.Series(dtype=float)
    frame["longest_m"] = longest.reindex(frame.index, fill_value=0.0).astype(float)
    return frame


def _dates(first: date | None, last: date | None) -> list[date]:
    if first is None or last is None:
        return []
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
