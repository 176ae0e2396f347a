"""return-after-break: the first runs after a break measured against the runner's pattern before it.

A break: `break_days` (14) or more without a run, after a pattern (at least `min_runs_before` runs in the
`pattern_days` (30) days before it). In the `return_days` (14) days after it: a single run longer than the longest
of the pattern by more than `max_run_increase_pct` (10 %), graded by Frandsen et al. 2025 (BJSM: single-session
spikes raised overuse-injury rates, HRR 1.64 for 10-30 %, 1.52 for 30-100 %, 2.28 above 100 %; above 100 % is an
alert), or the running distance of any 7 days back above `max_return_pct` (75 %) of the pattern's weekly mean.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from runsync.hookspecs import hookimpl
from runsync.model import Finding, Session, format_distance
from runsync.rules import Rule, RuleContext, session_label

SPIKE_BANDS = ((100.0, "above 100 %", 2.28), (30.0, "30-100 %", 1.52), (10.0, "10-30 %", 1.64))  # Frandsen 2025


def spike_band(increase_pct: float) -> tuple[str, float] | None:
    """Frandsen 2025's band of a single-run spike (% longer than the longest of the 30 days before), with its
    hazard rate ratio for overuse injury; None at or under 10 %."""
    return next(((words, hrr) for floor, words, hrr in SPIKE_BANDS if increase_pct > floor), None)


class ReturnAfterBreak(Rule):
    id = "return-after-break"
    description = "After a break of 14+ days, a run or a week back too far above the pattern before it"
    defaults = {"break_days": 14, "pattern_days": 30, "min_runs_before": 4, "return_days": 14,
                "max_run_increase_pct": 10.0, "max_return_pct": 75.0, "min_run_m": 3000.0}  # fmt: skip
    limits = {"break_days": (7, 365), "pattern_days": (7, 120), "min_runs_before": (1, 60), "return_days": (7, 60),
              "max_run_increase_pct": (0, 1000), "max_return_pct": (10, 500)}  # fmt: skip

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        runs = [s for s in ctx.session_list if s.is_run and (s.distance_m or 0) > 0]
        for before, after in zip(runs, runs[1:], strict=False):
            gap = (after.local_date - before.local_date).days - 1
            if gap >= ctx.config["break_days"]:
                yield from self._return(ctx, runs, before.local_date, after.local_date, gap)

    def _return(self, ctx: RuleContext, runs: list[Session], last: date, back: date, gap: int) -> Iterator[Finding]:
        c = ctx.config
        pattern = [s for s in runs if last - timedelta(days=c["pattern_days"] - 1) <= s.local_date <= last]
        if len(pattern) < c["min_runs_before"]:
            return
        returned = [s for s in runs if back <= s.local_date < back + timedelta(days=c["return_days"])]
        longest = max(s.distance_m for s in pattern)
        weekly = sum(s.distance_m for s in pattern) / (c["pattern_days"] / 7)
        context = (f"after {gap} days without a run (the last on {last:%a %d %b}; in the {c['pattern_days']} days "
                   f"before it: {len(pattern)} runs, the longest {format_distance(longest, ctx.athlete.units)}, "
                   f"{format_distance(weekly, ctx.athlete.units)} a week)")  # fmt: skip
        spike = max(returned, key=lambda s: s.distance_m)
        increase = (spike.distance_m / longest - 1) * 100
        band = spike_band(increase) if increase > c["max_run_increase_pct"] else None
        if band is not None and spike.distance_m >= c["min_run_m"]:
            yield self._spike(ctx, spike, longest, increase, band, context, gap)
            return
        week = _heaviest_week(returned, back, c["return_days"])
        if week is not None and week[1] > weekly * c["max_return_pct"] / 100:
            yield self._volume(ctx, returned, week, weekly, context, gap)

    def _spike(self, ctx: RuleContext, run: Session, longest: float, increase: float, band: tuple[str, float],
               context: str, gap: int) -> Finding:  # fmt: skip
        words, hrr = band
        units = ctx.athlete.units
        message = (f"The {session_label(run)} was {format_distance(run.distance_m, units)}, {increase:.0f} % longer "
                   f"than the longest run before the break, {context}. Frandsen 2025 found single runs {words} "
                   f"longer than the longest of the previous 30 days raised the overuse-injury rate "
                   f"{hrr:.2f}-fold: come back below the old longest run and build from there.")  # fmt: skip
        metrics = {"break_days": gap, "distance_m": round(run.distance_m, 1), "longest_before_m": round(longest, 1),
                   "increase_pct": round(increase, 1), "spike_band": words, "hazard_ratio": hrr}  # fmt: skip
        return self.finding(ctx, "alert" if increase > 100 else "warning", [run],
                            title=f"Back from a {gap}-day break with a run {increase:.0f} % longer ({words} band)",
                            message=message, basis=("distance", "break"), metrics=metrics)  # fmt: skip

    def _volume(self, ctx: RuleContext, runs: list[Session], week: tuple[date, float], weekly: float, context: str,
                gap: int) -> Finding:  # fmt: skip
        start, distance = week
        units = ctx.athlete.units
        pct = distance / weekly * 100
        message = (f"{format_distance(distance, units)} in the 7 days from {start:%a %d %b}, {pct:.0f} % of the "
                   f"weekly distance before the break, {context}: after {gap} days off, start nearer half of it "
                   f"and build over the next weeks.")  # fmt: skip
        metrics = {"break_days": gap, "week_start": start.isoformat(), "distance_m": round(distance, 1),
                   "weekly_before_m": round(weekly, 1), "return_pct": round(pct, 1)}  # fmt: skip
        chosen = [s for s in runs if start <= s.local_date < start + timedelta(days=7)]
        return self.finding(ctx, "warning", chosen, start=start, end=start + timedelta(days=6),
                            title=f"Back from a {gap}-day break at {pct:.0f} % of the old weekly distance",
                            message=message, basis=("distance", "break"), metrics=metrics)  # fmt: skip


def _heaviest_week(runs: list[Session], back: date, days: int) -> tuple[date, float] | None:
    """The 7 days (starting on a day of the return period) with the most running distance."""
    starts = [back + timedelta(days=n) for n in range(max(days - 6, 1))]
    totals = [(day, sum(s.distance_m for s in runs if day <= s.local_date < day + timedelta(days=7)))
              for day in starts]  # fmt: skip
    return max(totals, key=lambda t: t[1], default=None)


@hookimpl
def register_rules() -> list[type[Rule]]:
    return [ReturnAfterBreak]
