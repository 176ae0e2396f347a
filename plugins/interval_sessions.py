"""interval-sessions: one finding per interval session, with its reps, rests, paces and how the set went.

Sets of ≥ 4 similar reps are found from structured laps (active/rest), manual laps, or the speed stream when the
laps are 1 km / 1 mile auto-laps or absent. Rest is elapsed time (a standing rest under auto-pause counts).
Rest shrinks when it falls steadily to ≤ 75 % of the first; pace holds when the last third of reps is within ±3 %
of the first third; a slowdown > 5 % while rest shrinks is a warning (pace fade), anything else information.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from statistics import fmean as mean  # floats: fmean, not the exact (and slow) Fraction-based mean

from runsync.analysis import INTERVAL_LIMITS, IntervalParams, IntervalSet
from runsync.hookspecs import hookimpl
from runsync.model import Finding, Session
from runsync.model import format_pace as _pace
from runsync.rules import ReportSection, Rule, RuleContext, SectionLine, params_from, session_label


class IntervalSessions(Rule):
    id = "interval-sessions"
    description = "Interval sessions: reps, rest sequence, rep paces, shrinking rest and pace fade"
    defaults = {
        **{name: value for name, value in vars(IntervalParams()).items()},
        "rest_shrink_ratio": 0.75,
        "rest_steady_tolerance_s": 5.0,
        "pace_hold_pct": 3.0,
        "pace_fade_pct": 5.0,
    }
    limits = {
        **INTERVAL_LIMITS,
        "rest_shrink_ratio": (0.05, 1.0),
        "rest_steady_tolerance_s": (0, 600),
        "pace_hold_pct": (0, 100),
        "pace_fade_pct": (0, 100),
    }

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        params = params_from(ctx.config, IntervalParams)
        for session in ctx.session_list:
            found = ctx.intervals(session, params) if session.is_run else None
            if found is not None:
                yield self._finding(ctx, session, found)

    def report_section(self, ctx: RuleContext, week: date, findings: list[Finding]) -> ReportSection | None:
        """The week's interval sessions, one line each ('12 × 400 m, rest 120 → 30 s, pace held'): its notes are
        said there, not again among the findings."""
        sessions = [(f, ctx.session(f.sessions[0])) for f in findings if f.sessions]
        lines = tuple(SectionLine(s.local_date, f.title, f.severity, s.name) for f, s in sessions)
        return ReportSection(self.id, "Interval sessions", lines, covers_info=True) if lines else None

    def _finding(self, ctx: RuleContext, session: Session, found: IntervalSet) -> Finding:
        rests = [round(r) for r in found.rests_s]
        paces = [round(p, 1) for p in found.paces_s_per_km]
        shrinking = rest_shrinking(rests, ctx.config["rest_shrink_ratio"], ctx.config["rest_steady_tolerance_s"])
        fade = pace_fade_pct(paces)
        fading = shrinking and fade > ctx.config["pace_fade_pct"]
        shape = f"{len(paces)} × {found.rep_distance_m:.0f} m"
        units = ctx.athlete.units
        title = f"{shape}, {_rest_words(rests, shrinking)}, {_pace_words(fade, ctx.config['pace_hold_pct'])}"
        message = (f"{session_label(session)}: {shape} from the {found.basis}; "
                   f"rest (elapsed) {', '.join(map(str, rests))} s; rep pace {_pace(min(paces), units, False)}-"
                   f"{_pace(max(paces), units)}, last third {fade:+.1f} % vs the first.")  # fmt: skip
        if fading:
            message += " Pace faded as the rest shrank: lengthen the rest or ease the pace next time."
        metrics = {
            "reps": len(paces),
            "rep_distance_m": found.rep_distance_m,
            "rest_s": rests,
            "rep_pace_s_per_km": paces,
            "rest_shrinking": shrinking,
            "pace_fade_pct": round(fade, 1),
        }
        return self.finding(ctx, "warning" if fading else "info", [session], title=title, message=message,
                            basis=(found.basis, "pace", "elapsed time"), metrics=metrics)  # fmt: skip


def rest_shrinking(rests: list[float], ratio: float, tolerance_s: float) -> bool:
    """Rests fall steadily (no rise beyond the tolerance) and the last is ≤ ratio × the first."""
    if len(rests) < 2 or rests[0] <= 0:
        return False
    steady = all(b <= a + tolerance_s for a, b in zip(rests, rests[1:], strict=False))
    return steady and rests[-1] <= ratio * rests[0]


def pace_fade_pct(paces: list[float]) -> float:
    """How much slower (s/km, +) the last third of reps was than the first third, in %."""
    third = max(1, len(paces) // 3)
    first, last = mean(paces[:third]), mean(paces[-third:])
    return (last / first - 1) * 100


def _rest_words(rests: list[int], shrinking: bool) -> str:
    if shrinking:
        return f"rest {rests[0]} → {rests[-1]} s"
    if max(rests) - min(rests) <= 5:
        return f"rest {round(mean(rests))} s"
    return f"rest {min(rests)}-{max(rests)} s"


def _pace_words(fade: float, hold_pct: float) -> str:
    if abs(fade) <= hold_pct:
        return "pace held"
    return f"pace faded {fade:.1f} %" if fade > 0 else f"pace quickened {-fade:.1f} %"


@hookimpl
def register_rules() -> list[type[Rule]]:
    return [IntervalSessions]
