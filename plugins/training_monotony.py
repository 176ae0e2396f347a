"""training-monotony: a week of training that is the same every day, and heavy for the athlete (Foster 1998).

Per local week: the daily training load (each session's TRIMP from heart rate, or its pace-based or session-RPE
load; rest days count as 0), its mean and standard deviation over the 7 days. Monotony = mean / SD; strain =
the week's load × monotony. Warn when monotony > 1.5 and the strain is high for this athlete (above
`strain_factor` × the median strain of their `baseline_weeks` weeks before, with at least `min_baseline_weeks`
of them); alert when monotony > 2.0 (whatever the strain). A week with fewer than `min_sessions` sessions that
have a load is not judged (a load missing for most days would make any week look varied or monotonous). Foster
1998 (monotony and strain, illness and overtraining), Foster et al. 2001 (session RPE), Haddad et al. 2017.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np

from runsync.hookspecs import hookimpl
from runsync.model import Finding
from runsync.rules import Rule, RuleContext

MAX_MONOTONY = 10.0  # the same load every day (SD 0) is reported as this, not infinity


class TrainingMonotony(Rule):
    id = "training-monotony"
    description = "A week of training load the same every day (monotony) and heavy for the athlete (strain)"
    defaults = {
        "warn_monotony": 1.5,
        "alert_monotony": 2.0,
        "strain_factor": 1.2,
        "baseline_weeks": 8,
        "min_baseline_weeks": 4,
        "min_sessions": 3,
    }
    limits = {
        "warn_monotony": (0.5, MAX_MONOTONY),
        "alert_monotony": (0.5, MAX_MONOTONY),
        "strain_factor": (0.5, 10.0),
        "baseline_weeks": (2, 52),
        "min_baseline_weeks": (1, 52),
        "min_sessions": (2, 14),
    }

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        weeks = weekly_strain(ctx)
        strains = {w.start: w.strain for w in weeks}
        for week in weeks:
            if week.sessions < ctx.config["min_sessions"] or week.monotony <= ctx.config["warn_monotony"]:
                continue
            baseline = _baseline(strains, week.start, ctx.config["baseline_weeks"], ctx.config["min_baseline_weeks"])
            high = baseline is not None and week.strain > ctx.config["strain_factor"] * baseline
            if week.monotony > ctx.config["alert_monotony"]:
                yield self._finding(ctx, "alert", week, baseline)
            elif high:
                yield self._finding(ctx, "warning", week, baseline)

    def _finding(self, ctx: RuleContext, severity: str, week: WeekLoad, baseline: float | None) -> Finding:
        shown = f"{week.monotony:.1f}" if week.monotony < MAX_MONOTONY else "very high (the same load every day)"
        usual = (f" ({week.strain / baseline:.1f}× your usual {baseline:.0f}: the median of the weeks before)"
                 if baseline else "")  # fmt: skip
        message = (f"Week of {week.start:%a %d %b}: daily training load {week.mean:.0f} ± {week.sd:.0f} (mean ± SD of "
                   f"the 7 days, rest days 0), monotony {shown}, strain {week.strain:.0f}{usual}. Make the easy days "
                   "easier and take a rest day: the same load day after day is the risk.")  # fmt: skip
        metrics = {"week_start": week.start.isoformat(), "monotony": round(week.monotony, 2),
                   "strain": round(week.strain, 1), "weekly_load": round(week.load, 1),
                   "mean_daily_load": round(week.mean, 1), "sd_daily_load": round(week.sd, 1),
                   "baseline_strain": round(baseline, 1) if baseline else None,
                   "daily_load": [round(float(x), 1) for x in week.daily], "load_basis": week.bases}  # fmt: skip
        sessions = [ctx.session(i) for i in week.session_ids]
        return self.finding(ctx, severity, sessions, start=week.start, end=week.start + timedelta(days=6),
                            title=f"Monotonous week: monotony {shown.split(' ')[0]}, strain {week.strain:.0f}",
                            message=message, basis=("training load", *sorted(week.bases)), metrics=metrics)  # fmt: skip


class WeekLoad:
    """One local week's daily loads (rest days 0) and what Foster derives from them."""

    def __init__(self, start: date, daily: np.ndarray, session_ids: list[str], bases: dict[str, int]) -> None:
        self.start, self.daily, self.session_ids, self.bases = start, daily, session_ids, bases
        self.sessions = sum(bases.values())
        self.load = float(daily.sum())
        self.mean = float(daily.mean())
        self.sd = float(daily.std())  # the week's 7 days are the whole population
        self.monotony = min(self.mean / self.sd, MAX_MONOTONY) if self.sd > 0 else (MAX_MONOTONY if self.mean else 0)
        self.strain = self.load * self.monotony


def weekly_strain(ctx: RuleContext) -> list[WeekLoad]:
    """Every complete local week of the context's days, oldest first."""
    days, sessions = ctx.days, ctx.sessions
    if days.empty:
        return []
    loads = dict(zip(days.index, days["training_load"].to_numpy(dtype=float), strict=True))
    with_load: dict[date, list[tuple[str, str]]] = {}
    for day, session_id, basis in zip(sessions.index, sessions["id"], sessions["load_basis"], strict=True):
        if isinstance(basis, str):
            with_load.setdefault(day, []).append((session_id, basis))
    found = []
    for start in ctx.weeks.index:
        dates = [start + timedelta(days=i) for i in range(7)]
        if dates[0] not in loads or dates[-1] not in loads:
            continue  # a week the data does not cover whole
        inside = [item for day in dates for item in with_load.get(day, ())]
        bases = dict(Counter(basis for _, basis in inside))
        daily = np.array([loads.get(day, 0.0) for day in dates])
        found.append(WeekLoad(start, daily, [session_id for session_id, _ in inside], bases))
    return found


def _baseline(strains: dict[date, float], week: date, weeks: int, minimum: int) -> float | None:
    """The median strain of the weeks before with any load; None with fewer than `minimum` of them."""
    before = [s for n in range(1, weeks + 1) if (s := strains.get(week - timedelta(weeks=n))) is not None and s > 0]
    return statistics.median(before) if len(before) >= minimum else None


@hookimpl
def register_rules() -> list[type[Rule]]:
    return [TrainingMonotony]
