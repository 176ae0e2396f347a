"""plan-compliance: the week did not go as planned.

For each week with planned workouts (intervals.icu's calendar) that has ended: the distance run (or, where the plan
gives no distance, the time) below `min_pct` (70) or above `max_pct` (120) of the plan, a key workout (intervals,
tempo, long run) missed, or a key workout done easy (another session in its place) → one warning for the week with
each reason and the figures. A plan is only as good as its keeping: big misses in either direction are what a coach
reviews first (under-doing loses the adaptation, over-doing is the load spike the plan was built to avoid).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from runsync.analysis import week_start_of
from runsync.analysis.plan import PlanWeek, plan_week
from runsync.hookspecs import hookimpl
from runsync.model import Finding, Session, format_distance
from runsync.rules import Rule, RuleContext


class PlanCompliance(Rule):
    id = "plan-compliance"
    description = "A week done below 70 % or above 120 % of plan, or a key workout missed (needs planned workouts)"
    needs = ("planned",)
    defaults = {"min_pct": 70.0, "max_pct": 120.0}
    limits = {"min_pct": (1, 100), "max_pct": (100, 1000)}

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.planned or ctx.now is None:
            return
        today = ctx.now.astimezone(ctx.athlete.tz).date()
        weeks = sorted({week_start_of(w.day, ctx.week_start) for w in ctx.planned})
        for week in weeks:
            last = week + timedelta(days=6)
            if last >= today:
                continue  # judged once the week is over
            planned = [w for w in ctx.planned if week <= w.day <= last]
            sessions = [s for s in ctx.session_list if week <= s.local_date <= last]
            result = plan_week(week, planned, sessions, today=last, level=ctx.intensity_level,
                               service_load=lambda _s: None)  # fmt: skip
            if result is not None:
                yield from self._judged(ctx, result, sessions)

    def _judged(self, ctx: RuleContext, p: PlanWeek, sessions: list[Session]) -> Iterator[Finding]:
        c, units, reasons = ctx.config, ctx.athlete.units, []
        pct, what = (p.distance_pct, "distance") if p.planned_distance_m else (p.time_pct, "time")
        if pct is not None and not c["min_pct"] <= pct <= c["max_pct"]:
            done, planned = ((format_distance(p.done_distance_m, units), format_distance(p.planned_distance_m, units))
                             if what == "distance" else (f"{p.done_s / 3600:.1f} h", f"{p.planned_s / 3600:.1f} h"))
            reasons.append(f"{what} {done} of {planned} planned ({pct:.0f} %)")
        reasons += [f"key workout {w.name or w.sport!r} on {w.day:%a %d %b} missed" for w in p.key_missed]
        reasons += [f"key workout {w.name or w.sport!r} on {w.day:%a %d %b} done easy ({s.name or s.id})"
                    for w, s in p.key_changed]  # fmt: skip
        if not reasons:
            return
        message = (f"The week of {p.week:%d %b}: {'; '.join(reasons)}. {p.done} of {p.planned} planned workouts "
                   "done. Keep the plan and the week within 70-120 % of each other, and the key sessions in it.")
        metrics = {"week_start": p.week.isoformat(), "planned": p.planned, "done": p.done,
                   "planned_distance_m": round(p.planned_distance_m, 1),
                   "done_distance_m": round(p.done_distance_m, 1), "planned_s": round(p.planned_s),
                   "done_s": round(p.done_s), "pct": None if pct is None else round(pct, 1),
                   "key_missed": [w.id for w in p.key_missed],
                   "key_done_easy": [w.id for w, _ in p.key_changed]}  # fmt: skip
        yield self.finding(ctx, "warning", [s for s in sessions if s.is_run], start=p.week,
                           end=p.week + timedelta(days=6), title=f"Week off plan: {reasons[0]}", message=message,
                           basis=("plan",), metrics=metrics)  # fmt: skip


@hookimpl
def register_rules() -> list[type[Rule]]:
    return [PlanCompliance]
