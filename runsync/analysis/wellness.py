"""What the wellness days say: a week's means against the athlete's own baseline (the 60 days before), and the
HRV reading of Plews et al. 2013: the 7-day rolling mean of ln rMSSD against the baseline's mean less its smallest
worthwhile change (half the baseline's day-to-day standard deviation of ln rMSSD)."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date, timedelta

from runsync.model import WellnessDay

BASELINE_DAYS = 60
MIN_BASELINE = 14  # days with a value in the baseline, or there is none
ROLLING_DAYS = 7
MIN_ROLLING = 4  # days with a value in the 7-day mean, or there is none
SWC_SD = 0.5  # the smallest worthwhile change, in baseline standard deviations of ln rMSSD
TrendRow = tuple[date, float | None, float | None, float | None]  # (week, resting HR, HRV, sleep s): weekly means


def values_between(days: list[WellnessDay], key: str, first: date, last: date) -> list[float]:
    return [v for d in days if first <= d.day <= last and (v := getattr(d, key)) is not None]


def mean_between(days: list[WellnessDay], key: str, first: date, last: date, least: int = 1) -> float | None:
    found = values_between(days, key, first, last)
    return statistics.fmean(found) if len(found) >= least else None


def baseline_of(days: list[WellnessDay], key: str, before: date) -> float | None:
    """The mean of `key` over the BASELINE_DAYS before `before` (at least MIN_BASELINE of them with a value)."""
    return mean_between(days, key, before - timedelta(days=BASELINE_DAYS), before - timedelta(days=1), MIN_BASELINE)


@dataclass(frozen=True)
class HrvReading:
    """ln rMSSD: the 7-day mean to `day`, the baseline's mean and SD before that week, and the SWC floor."""

    day: date
    rolling: float
    baseline: float
    sd: float
    days: int  # in the 7-day mean

    @property
    def floor(self) -> float:
        return self.baseline - SWC_SD * self.sd

    @property
    def suppressed(self) -> bool:
        return self.rolling < self.floor


def hrv_reading(days: list[WellnessDay], day: date) -> HrvReading | None:
    first = day - timedelta(days=ROLLING_DAYS - 1)
    week = [math.log(v) for v in values_between(days, "hrv_rmssd_ms", first, day) if v > 0]
    before = [math.log(v) for v in values_between(days, "hrv_rmssd_ms", first - timedelta(days=BASELINE_DAYS),
                                                  first - timedelta(days=1)) if v > 0]  # fmt: skip
    if len(week) < MIN_ROLLING or len(before) < MIN_BASELINE:
        return None
    return HrvReading(day, statistics.fmean(week), statistics.fmean(before), statistics.stdev(before), len(week))


@dataclass(frozen=True)
class WellnessWeek:
    """A week's means (None where fewer than MIN_ROLLING days have the value) and the baselines before it."""

    week: date
    days: int  # days of the week with any value
    resting_hr: float | None
    resting_hr_baseline: float | None
    hrv_rmssd_ms: float | None
    hrv_baseline_ms: float | None
    sleep_s: float | None
    sleep_baseline_s: float | None
    weight_kg: float | None
    hrv: HrvReading | None  # Plews' reading on the week's last day
    trend: tuple[TrendRow, ...] = ()  # the weekly means to this week


def wellness_week(days: list[WellnessDay], week: date, trend_weeks: int = 4) -> WellnessWeek | None:
    """The week from `week` (its first local day), with the weekly means of the `trend_weeks` to it (the first with
    a value onwards); None when no day of the week has a value."""
    last = week + timedelta(days=6)
    inside = [d for d in days if week <= d.day <= last and d.values()]
    if not inside:
        return None

    def week_mean(key: str) -> float | None:
        return mean_between(days, key, week, last, MIN_ROLLING)

    return WellnessWeek(
        week=week, days=len(inside),
        resting_hr=week_mean("resting_hr"), resting_hr_baseline=baseline_of(days, "resting_hr", week),
        hrv_rmssd_ms=week_mean("hrv_rmssd_ms"), hrv_baseline_ms=baseline_of(days, "hrv_rmssd_ms", week),
        sleep_s=week_mean("sleep_s"), sleep_baseline_s=baseline_of(days, "sleep_s", week),
        weight_kg=mean_between(days, "weight_kg", week, last), hrv=hrv_reading(days, last),
        trend=_trend(days, [week - timedelta(weeks=n) for n in range(trend_weeks - 1, -1, -1)]),
    )  # fmt: skip


def _trend(days: list[WellnessDay], weeks: list[date]) -> tuple[TrendRow, ...]:
    rows = [(w, *(mean_between(days, k, w, w + timedelta(days=6), MIN_ROLLING)
                  for k in ("resting_hr", "hrv_rmssd_ms", "sleep_s"))) for w in weeks]  # fmt: skip
    known = [i for i, row in enumerate(rows) if any(v is not None for v in row[1:])]
    return tuple(rows[known[0]:]) if known else ()
