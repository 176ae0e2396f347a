"""Daily and weekly frames by the athlete's LOCAL calendar (a run at 18:30 in Los Angeles is on that day), with
EWMA acute (7 d) and chronic (28 d) load. Load is running distance in km."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd

from runsync.model import Session
from runsync.training.intensity import Intensity
from runsync.training.strength import is_strength

SESSION_COLUMNS = ("id", "sport", "is_run", "is_strength", "workout_type", "local_start", "distance_m", "moving_s",
                   "elapsed_s", "avg_hr", "intensity", "intensity_basis")  # fmt: skip
COUNTS = ("runs", "easy", "moderate", "hard", "strength")
ACUTE_DAYS, CHRONIC_DAYS = 7, 28


def sessions_frame(sessions: list[Session], intensity: Callable[[Session], Intensity | None]) -> pd.DataFrame:
    """One row per session, indexed by local date (name `date`), in start order."""
    rows = []
    for s in sessions:
        level = intensity(s)
        rows.append((s.id, s.sport, s.is_run, is_strength(s), s.workout_type, s.local_start, s.distance_m or 0.0,
                     s.moving_s or 0.0, s.elapsed_s or 0.0, s.avg_hr, level.level if level else None,
                     ",".join(level.basis) if level else None))  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(SESSION_COLUMNS))
    frame.index = pd.Index([s.local_date for s in sessions], name="date", dtype=object)
    return frame


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
    columns = ["distance_m", "moving_s", *COUNTS]
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
