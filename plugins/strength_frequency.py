"""strength-frequency: during a build, strength work too rare to protect the runner.

A build: weekly running distance rising for `build_weeks` (3) weeks in a row (each week above the one before, the
last at least `min_week_m`). Then the strength sessions of the `window_weeks` (4) weeks ending with the build's
last week are counted: fewer than `min_per_week` (2) a week on average is a warning, none at all an alert. One
finding per build, on its last week. Complements mileage-ramp, which asks only whether any strength work was logged
in the trailing 14 days. Lauersen et al. 2014 (BJSM: strength training cut sports injuries to under a third) and
2018 (a dose-response: more sessions, more protection), Blagrove et al. 2018 (Sports Med: it improves running
economy).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from runsync.hookspecs import hookimpl
from runsync.model import Finding, format_distance
from runsync.rules import Rule, RuleContext


class StrengthFrequency(Rule):
    id = "strength-frequency"
    description = "A running build with fewer than 2 strength sessions a week over 4 weeks"
    defaults = {"min_per_week": 2.0, "build_weeks": 3, "window_weeks": 4, "min_week_m": 10000.0}
    limits = {"min_per_week": (0.5, 14), "build_weeks": (2, 12), "window_weeks": (1, 12), "min_week_m": (0, 500000)}

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        weeks = ctx.weeks
        if weeks.empty:
            return
        distance = ctx.weekly_distance
        strength = dict(zip(weeks.index, weeks["strength"].astype(int), strict=True))
        building = [w for w in distance if self._in_build(ctx, w, distance)]
        for week in building:
            if week + timedelta(days=7) in building:
                continue  # the build goes on: judged on its last week
            yield from self._judged(ctx, week, distance, strength)

    def _in_build(self, ctx: RuleContext, week: date, distance: dict[date, float]) -> bool:
        c = ctx.config
        chain = [distance.get(week - timedelta(weeks=n)) for n in range(c["build_weeks"], -1, -1)]
        if any(d is None for d in chain) or chain[-1] < c["min_week_m"]:
            return False
        return all(later > earlier for earlier, later in zip(chain, chain[1:], strict=False))

    def _judged(self, ctx: RuleContext, week: date, distance: dict[date, float],
                strength: dict[date, int]) -> Iterator[Finding]:  # fmt: skip
        c = ctx.config
        window = [week - timedelta(weeks=n) for n in range(c["window_weeks"] - 1, -1, -1)]
        counts = [strength.get(w, 0) for w in window]
        per_week = sum(counts) / len(window)
        if per_week >= c["min_per_week"]:
            return
        units = ctx.athlete.units
        first = week - timedelta(weeks=c["build_weeks"])
        rise = " → ".join(format_distance(distance[first + timedelta(weeks=n)], units)
                          for n in range(c["build_weeks"] + 1))  # fmt: skip
        message = (f"Weekly running distance rose {c['build_weeks']} weeks in a row ({rise}) with "
                   f"{sum(counts)} strength sessions in the {len(window)} weeks to {week + timedelta(days=6):%d %b} "
                   f"({per_week:.1f} a week, {', '.join(map(str, counts))} by week). Two or more a week during a "
                   "build is what protects: strength training cut sports injuries to under a third (Lauersen 2014), "
                   "more sessions more so (Lauersen 2018); it improves running economy (Blagrove 2018).")  # fmt: skip
        metrics = {"week_start": week.isoformat(), "strength_per_week": round(per_week, 2),
                   "strength_by_week": counts, "distance_by_week_m": [round(distance[first + timedelta(weeks=n)], 1)
                                                                     for n in range(c["build_weeks"] + 1)]}  # fmt: skip
        runs = [s for s in ctx.session_list if s.is_run and window[0] <= s.local_date <= week + timedelta(days=6)]
        yield self.finding(ctx, "alert" if not sum(counts) else "warning", runs, start=window[0],
                           end=week + timedelta(days=6),
                           title=f"Build without regular strength work: {per_week:.1f} sessions a week",
                           message=message, basis=("distance", "strength sessions"), metrics=metrics)  # fmt: skip


@hookimpl
def register_rules() -> list[type[Rule]]:
    return [StrengthFrequency]
