"""mileage-ramp: running volume built too fast while no strength work was logged in the trailing 14 days.

Triggers: a week > 30 % above the mean of the weeks before a two-week progression, or a run > 10 % longer than the
longest of the previous 30 days (Frandsen 2025). Both need ≥ 28 days of history; the weekly one (and the EWMA
acute:chronic ratio > 1.5, information only) also ≥ 6 runs in the 28 days before the week (the single-run spike
does not: coming back from a break is when it matters). With strength work logged the rule stays silent.
Nielsen 2014, Buist 2008, Gabbett 2016 and its critics, Lauersen 2014/2018, Blagrove 2018.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from runsync_plugins.return_after_break import spike_band

from runsync.analysis.calendar import weekly_baseline
from runsync.hookspecs import hookimpl
from runsync.model import Finding, Session, format_distance
from runsync.rules import ReportSection, Rule, RuleContext, session_label


@dataclass(frozen=True)
class Ramp:
    week_start: date
    distance_m: float
    baseline_m: float
    what: str  # the sentence that says what rose
    title: str = "Weekly distance"


class MileageRamp(Rule):
    id = "mileage-ramp"
    description = "Running volume built too fast with no strength work in the trailing 14 days"
    defaults = {
        "max_week_increase_pct": 30.0,
        "baseline_weeks": 4,
        "progression_weeks": 2,
        "min_baseline_m": 10000.0,
        "max_run_increase_pct": 10.0,
        "longest_run_days": 30,
        "min_run_m": 5000.0,
        "strength_days": 14,
        "min_history_days": 28,
        "min_history_runs": 6,
        "acwr_info": 1.5,
    }
    limits = {
        "max_week_increase_pct": (0, 1000),
        "baseline_weeks": (2, 52),
        "progression_weeks": (1, 12),
        "max_run_increase_pct": (0, 1000),
        "longest_run_days": (7, 365),
        "strength_days": (1, 365),
        "min_history_days": (0, 365),
        "acwr_info": (1.0, 10.0),
    }

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        history = History(ctx)
        if not history.runs:
            return
        first = history.dates[0]
        for week in ctx.weeks.index:
            if not history.started_before(week, ctx.config["min_history_days"]):
                continue
            end = week + timedelta(days=6)
            in_week = history.runs_between(week, end)
            weekly = history.enough_before(week, ctx.config["min_history_days"], ctx.config["min_history_runs"])
            ramp = (week_ramp(ctx, week, first, history.weekly) if weekly else None) or run_ramp(ctx, in_week, history)
            if ramp is not None and not history.strength_between(
                end - timedelta(days=ctx.config["strength_days"] - 1), end
            ):
                yield self._warning(ctx, ramp, in_week, end, history)
            elif ramp is None and weekly and not history.strength_between(week - timedelta(days=7), end):
                yield from self._acwr_info(ctx, week, end, in_week, history)

    def report_section(self, ctx: RuleContext, week: date, findings: list[Finding]) -> ReportSection:
        """The report's header compares the week's distance with this rule's baseline: the same weeks."""
        span = {"weeks": ctx.config["baseline_weeks"], "skip": ctx.config["progression_weeks"] - 1}
        return ReportSection(self.id, baseline=ctx.distance_baseline(week, **span))

    def _warning(self, ctx: RuleContext, ramp: Ramp, runs: list[Session], end: date, history: History) -> Finding:
        last = history.last_strength(end)
        since = f"since {last:%d %b}" if last else "in the data"
        increase = (ramp.distance_m / ramp.baseline_m - 1) * 100
        message = (f"Week of {ramp.week_start:%a %d %b}: {ramp.what}. No strength work logged {since}: "
                   "add two short strength sessions a week while mileage rises.")  # fmt: skip
        metrics = {"week_start": ramp.week_start.isoformat(), "distance_m": round(ramp.distance_m, 1),
                   "baseline_m": round(ramp.baseline_m, 1), "increase_pct": round(increase, 1),
                   "last_strength": last.isoformat() if last else None}  # fmt: skip
        if ramp.title == "Longest run":  # Frandsen 2025's band for a single-run spike
            band = spike_band(increase)
            metrics["spike_band"] = band[0] if band else None
        return self.finding(ctx, "warning", runs, start=ramp.week_start, end=end,
                            title=f"{ramp.title} up {increase:.0f} % with no strength work", message=message,
                            basis=("distance", "weekly totals"), metrics=metrics)  # fmt: skip

    def _acwr_info(self, ctx: RuleContext, week: date, end: date, runs: list[Session],
                   history: History) -> Iterator[Finding]:  # fmt: skip
        days = ctx.days.loc[week:end]
        if not runs or days.empty or not (days["acwr"] > ctx.config["acwr_info"]).any():
            return
        peak = days["acwr"].idxmax()
        ratio = float(days.loc[peak, "acwr"])
        message = (f"Week of {week:%a %d %b}: acute:chronic load ratio {ratio:.2f} on {peak:%a %d %b} (EWMA 7/28 d of "
                   "distance). Information only: the ratio describes the load; Impellizzeri et al. 2020 and Frandsen "
                   "2025 found no support for it as an injury predictor.")  # fmt: skip
        metrics = {"week_start": week.isoformat(), "distance_m": round(float(days["distance_m"].sum()), 1),
                   "baseline_m": round(float(days.loc[peak, "chronic"]) * 7000, 1), "increase_pct":
                   round((ratio - 1) * 100, 1), "last_strength": _iso(history.last_strength(end))}  # fmt: skip
        yield self.finding(ctx, "info", runs, start=week, end=end, title=f"Acute:chronic load {ratio:.2f}",
                           message=message, basis=("distance", "ewma load"), metrics=metrics)  # fmt: skip


def week_ramp(ctx: RuleContext, week: date, first_run: date, weekly: dict[date, float]) -> Ramp | None:
    """The week against the mean of the `baseline_weeks` full weeks before the two-week progression (the report's
    header compares with the same weeks). `weekly`: running distance per week start."""
    c = ctx.config
    found = weekly_baseline(weekly, week, weeks=c["baseline_weeks"], skip=c["progression_weeks"] - 1,
                            first_run=first_run)  # fmt: skip
    if found is None:
        return None
    distance, baseline = weekly[week], found.mean_m
    if baseline < c["min_baseline_m"] or distance <= baseline * (1 + c["max_week_increase_pct"] / 100):
        return None
    units = ctx.athlete.units
    what = (f"{format_distance(distance, units)}, {(distance / baseline - 1) * 100:.0f} % above "
            f"{found.words(units)}")  # fmt: skip
    return Ramp(week, distance, baseline, what)


def run_ramp(ctx: RuleContext, week_runs: list[Session], history: History) -> Ramp | None:
    """The week's longest run against the longest of the previous `longest_run_days` days."""
    c = ctx.config
    for run in sorted(week_runs, key=lambda s: -(s.distance_m or 0)):
        longest = history.longest_between(run.local_date - timedelta(days=c["longest_run_days"]), run.local_date)
        if (
            run.distance_m >= c["min_run_m"]
            and longest
            and run.distance_m > longest * (1 + c["max_run_increase_pct"] / 100)
        ):
            units = ctx.athlete.units
            what = (f"the {session_label(run)} was {format_distance(run.distance_m, units)}, "
                    f"{(run.distance_m / longest - 1) * 100:.0f} % longer than the longest of the previous "
                    f"{c['longest_run_days']} days ({format_distance(longest, units)})")  # fmt: skip
            band = spike_band((run.distance_m / longest - 1) * 100)
            if band is not None:
                what += (f": a spike in the {band[0]} band, which raised the overuse-injury rate {band[1]:.2f}-fold "
                         "(Frandsen 2025)")  # fmt: skip
            monday = run.local_date - timedelta(days=(run.local_date.weekday() - ctx.week_start) % 7)
            return Ramp(monday, run.distance_m, longest, what, "Longest run")
        break
    return None


class History:
    """The athlete's runs and strength days in date order, each local date computed once, looked up by bisection:
    the rule stays linear in the number of weeks and runs."""

    def __init__(self, ctx: RuleContext) -> None:
        self.runs = [s for s in ctx.session_list if s.is_run and s.distance_m]
        self.dates = [s.local_date for s in self.runs]
        self.distances = [s.distance_m or 0.0 for s in self.runs]
        self.strength = sorted(s.local_date for s in ctx.session_list if s.sport == "strength")
        self.weekly = ctx.weekly_distance

    def runs_between(self, first: date, last: date) -> list[Session]:
        return self.runs[bisect_left(self.dates, first) : bisect_right(self.dates, last)]

    def longest_between(self, first: date, before: date) -> float:
        """The longest run from `first` up to the day before `before`."""
        return max(self.distances[bisect_left(self.dates, first) : bisect_left(self.dates, before)], default=0.0)

    def started_before(self, day: date, days: int) -> bool:
        """The history starts ≥ `days` days before `day` (a new user's first weeks are not judged)."""
        return self.dates[0] <= day - timedelta(days=days)

    def enough_before(self, day: date, days: int, runs: int) -> bool:
        """The weekly ratio needs ≥ `days` days of recorded running before `day`, with ≥ `runs` runs in them (a
        single run's spike needs only the history: after a break it is the very case to catch)."""
        first = day - timedelta(days=days)
        recent = bisect_left(self.dates, day) - bisect_left(self.dates, first)
        return self.started_before(day, days) and recent >= runs

    def strength_between(self, first: date, last: date) -> bool:
        return bisect_right(self.strength, last) > bisect_left(self.strength, first)

    def last_strength(self, until: date) -> date | None:
        index = bisect_right(self.strength, until)
        return self.strength[index - 1] if index else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@hookimpl
def register_rules() -> list[type[Rule]]:
    return [MileageRamp]
