"""intensity-distribution: easy running drifting into the grey zone, over a few weeks.

Over the `window_weeks` (3) weeks ending with each week, the athlete's running time in three zones: easy (below the
first threshold), moderate (between the first and second) and hard (above the second). From heart rate when most
of the running time has it: with LTHR, easy < 90 % of LTHR, hard ≥ LTHR (Friel's zones 1-2, 3-4, 5); with max HR,
easy < 80 %, hard ≥ 90 %; else from pace against critical speed: easy < 88 %, hard > 102 % (pace zones 1-2, 3-4, 5).
A warning when the moderate share is above `max_moderate_pct` (20 %) or the easy share below `min_easy_pct` (75 %),
with the weekly zone times as evidence. Needs `min_minutes` (120) of judged running time in the window, in at
least `min_weeks_with_runs` (2) of its weeks, once the athlete's running history covers the whole window. Seiler &
Kjerland 2006 (elite endurance athletes: ~75-80 % easy, little in between), Stöggl & Sperlich 2014 (polarised
training beat threshold-heavy training).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from runsync.analysis import week_start_of
from runsync.hookspecs import hookimpl
from runsync.model import Finding
from runsync.rules import Rule, RuleContext

# which of the five zones are easy, moderate, hard, per basis (runsync.analysis.zones)
THREE_ZONES = {"lthr": ((1, 2), (3, 4), (5,)), "max_hr": ((1, 2, 3), (4,), (5,)), "pace": ((1, 2), (3, 4), (5,))}
BASIS_WORDS = {"lthr": "heart rate vs LTHR", "max_hr": "heart rate vs max HR", "pace": "pace vs critical speed"}


class IntensityDistribution(Rule):
    id = "intensity-distribution"
    description = "Over 3 weeks, too much running in the moderate zone or too little easy"
    defaults = {"window_weeks": 3, "max_moderate_pct": 20.0, "min_easy_pct": 75.0, "min_minutes": 120.0,
                "min_weeks_with_runs": 2}  # fmt: skip
    limits = {"window_weeks": (1, 12), "max_moderate_pct": (0, 100), "min_easy_pct": (0, 100),
              "min_minutes": (10, 10000), "min_weeks_with_runs": (1, 12)}  # fmt: skip

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        weekly = weekly_zones(ctx)
        first = min(weekly, default=None)
        for week in sorted(weekly):
            window = [week - timedelta(weeks=n) for n in range(ctx.config["window_weeks"] - 1, -1, -1)]
            if window[0] < first:
                continue  # the history does not cover the window yet
            by_basis = {basis: [sum(_week(weekly, w)[basis][i] for w in window) for i in range(3)]
                        for basis in ("hr", "pace")}  # fmt: skip
            moving = sum(_week(weekly, w)["moving"] for w in window)
            hr_total = sum(by_basis["hr"])
            basis = "hr" if hr_total >= 0.5 * moving and hr_total > 0 else "pace"
            easy, moderate, hard = by_basis[basis]
            total = easy + moderate + hard
            judged_weeks = sum(1 for w in window if sum(_week(weekly, w)[basis]) > 0)
            if total < ctx.config["min_minutes"] * 60 or judged_weeks < ctx.config["min_weeks_with_runs"]:
                continue
            yield from self._judged(ctx, week, window, weekly, basis, (easy / total, moderate / total, hard / total))

    def _judged(self, ctx: RuleContext, week: date, window: list[date], weekly: dict, basis: str,
                shares: tuple[float, float, float]) -> Iterator[Finding]:  # fmt: skip
        easy, moderate, hard = (round(s * 100, 1) for s in shares)
        c = ctx.config
        if moderate <= c["max_moderate_pct"] and easy >= c["min_easy_pct"]:
            return
        zones = zone_basis(ctx) if basis == "hr" else "pace"
        per_week = [{"week_start": w.isoformat(), **{f"{zone}_min": round(seconds / 60) for zone, seconds in
                                                     zip(("easy", "moderate", "hard"), _week(weekly, w)[basis],
                                                         strict=True)}} for w in window]  # fmt: skip
        weeks_text = "; ".join(f"{date.fromisoformat(w['week_start']):%d %b}: {w['easy_min']}/{w['moderate_min']}/"
                               f"{w['hard_min']} min" for w in per_week)  # fmt: skip
        what = (f"{moderate:.0f} % moderate (more than {c['max_moderate_pct']:.0f} %)"
                if moderate > c["max_moderate_pct"] else f"only {easy:.0f} % easy (under {c['min_easy_pct']:.0f} %)")
        message = (f"Over the {len(window)} weeks to {week + timedelta(days=6):%d %b}, running time was {easy:.0f} % "
                   f"easy, {moderate:.0f} % moderate, {hard:.0f} % hard ({BASIS_WORDS[zones]}; easy/moderate/hard by "
                   f"week: {weeks_text}): {what}. Keep the easy runs easy, so the hard sessions can be hard "
                   "(Seiler & Kjerland 2006; Stöggl & Sperlich 2014).")  # fmt: skip
        metrics = {"week_start": week.isoformat(), "easy_pct": easy, "moderate_pct": moderate, "hard_pct": hard,
                   "zones": zones, "weeks": per_week}  # fmt: skip
        runs = [s for s in ctx.session_list if s.is_run and window[0] <= s.local_date <= week + timedelta(days=6)]
        grey = moderate > c["max_moderate_pct"]
        headline = "Easy running drifting into the grey zone" if grey else "Too little easy running"
        yield self.finding(ctx, "warning", runs, start=window[0], end=week + timedelta(days=6),
                           title=f"{headline}: {easy:.0f} / {moderate:.0f} / {hard:.0f} % over {len(window)} weeks",
                           message=message, basis=("time in zones", BASIS_WORDS[zones]), metrics=metrics)  # fmt: skip


def _week(weekly: dict[date, dict], week: date) -> dict:
    """A week's zone seconds and moving time; a week without runs has none."""
    return weekly.get(week) or {"hr": [0.0] * 3, "pace": [0.0] * 3, "moving": 0.0}


def zone_basis(ctx: RuleContext) -> str:
    return "lthr" if ctx.athlete.lthr else "max_hr"


def weekly_zones(ctx: RuleContext) -> dict[date, dict]:
    """Per week start: running seconds easy/moderate/hard by heart rate and by pace, and the moving time."""
    frame = ctx.sessions
    if frame.empty:
        return {}
    runs = frame[frame["is_run"].to_numpy(dtype=bool)]
    hr_zones, pace_zones = THREE_ZONES[zone_basis(ctx)], THREE_ZONES["pace"]
    found: dict[date, dict] = {}
    for day, row in zip(runs.index, runs.itertuples(index=False), strict=True):
        week = found.setdefault(week_start_of(day, ctx.week_start), _week({}, day))
        week["moving"] += float(row.moving_s)
        for basis, groups in (("hr", hr_zones), ("pace", pace_zones)):
            for i, zones in enumerate(groups):
                week[basis][i] += sum(_finite(getattr(row, f"{basis}_z{z}_s")) for z in zones)
    return found


def _finite(value: float) -> float:
    return float(value) if value == value and value > 0 else 0.0  # NaN is not equal to itself


@hookimpl
def register_rules() -> list[type[Rule]]:
    return [IntensityDistribution]
