"""readiness: a hard session done or planned on a day the body says it has not recovered.

On each day with a hard session done (an easy/moderate/hard judgement of "hard", or an interval set) or a key
workout planned (intervals.icu's calendar): resting heart rate at least `rhr_rise_bpm` (5) over its mean of the 60
days before, or the 7-day mean of ln rMSSD below the baseline's smallest worthwhile change (its 60-day mean less
half its standard deviation; Plews et al. 2013, Eur J Appl Physiol: a suppressed rolling ln rMSSD marks
non-functional overreaching better than a single morning's value) → a warning naming the session. Both signals at
once is an alert. Needs wellness data (intervals.icu or Garmin Connect): without it the rule is silent.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

from runsync.analysis.wellness import baseline_of, hrv_reading
from runsync.hookspecs import hookimpl
from runsync.model import Finding, PlannedWorkout, Session
from runsync.rules import Rule, RuleContext


class Readiness(Rule):
    id = "readiness"
    description = "A hard session done or planned while resting HR is up or HRV suppressed (needs wellness data)"
    needs = ("wellness",)
    defaults = {"rhr_rise_bpm": 5.0, "hrv": True}
    limits = {"rhr_rise_bpm": (1, 30)}

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if not ctx.wellness:
            return
        by_day = {d.day: d for d in ctx.wellness}
        days = sorted({s.local_date for s in self._hard(ctx)} | {w.day for w in ctx.planned if w.key})
        for day in days:
            yield from self._judged(ctx, day, by_day)

    def _hard(self, ctx: RuleContext) -> list[Session]:
        found = []
        for session in ctx.session_list:
            analysis = ctx.analysis(session)
            if session.is_run and analysis is not None and (
                    (analysis.intensity is not None and analysis.intensity.level == "hard")
                    or (analysis.intervals is not None and analysis.intervals.reps)):  # fmt: skip
                found.append(session)
        return found

    def _judged(self, ctx: RuleContext, day: date, by_day: dict) -> Iterator[Finding]:  # type: ignore[type-arg]
        c, signals, metrics = ctx.config, [], {"date": day.isoformat()}
        today = by_day.get(day)
        baseline = baseline_of(ctx.wellness, "resting_hr", day)
        if today is not None and today.resting_hr is not None and baseline is not None:
            rise = today.resting_hr - baseline
            metrics |= {"resting_hr": today.resting_hr, "resting_hr_baseline": round(baseline, 1)}
            if rise >= c["rhr_rise_bpm"]:
                signals.append(f"resting HR {today.resting_hr:.0f} bpm, {rise:.0f} over its 60-day mean of "
                               f"{baseline:.0f}")  # fmt: skip
        reading = hrv_reading(ctx.wellness, day) if c["hrv"] else None
        if reading is not None:
            metrics |= {"ln_rmssd_7d": round(reading.rolling, 3), "ln_rmssd_floor": round(reading.floor, 3)}
            if reading.suppressed:
                signals.append(f"HRV's 7-day mean {math.exp(reading.rolling):.0f} ms under its usual range (60-day "
                               f"{math.exp(reading.baseline):.0f} ms less the smallest worthwhile change: "
                               f"{math.exp(reading.floor):.0f} ms)")  # fmt: skip
        if not signals:
            return
        done = [s for s in self._hard(ctx) if s.local_date == day]
        planned = [w for w in ctx.planned if w.day == day and w.key]
        what = _named(done, planned)
        said = "; ".join(signals)
        message = (f"{said[0].upper()}{said[1:]} on {day:%a %d %b}, the day of {what}. Consider moving the "
                   "hard session or making it easy until the signs settle (Plews et al. 2013: a suppressed 7-day "
                   "ln rMSSD marks overreaching; a resting HR 5+ bpm up is the classic morning warning).")  # fmt: skip
        yield self.finding(ctx, "alert" if len(signals) > 1 else "warning", done, start=day, end=day,
                           title=f"Hard session while not recovered: {what}", message=message,
                           basis=("wellness",), metrics=metrics | {"planned": [w.id for w in planned]})  # fmt: skip


def _named(done: list[Session], planned: list[PlannedWorkout]) -> str:
    if done:
        return ", ".join(f'"{s.name}"' if s.name else f"the {s.sport} at {s.local_start:%H:%M}" for s in done)
    return ", ".join(f'"{w.name}" (planned)' if w.name else "a planned key workout" for w in planned)


@hookimpl
def register_rules() -> list[type[Rule]]:
    return [Readiness]
