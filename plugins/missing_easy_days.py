"""missing-easy-days: hard sessions on consecutive local days with no easy or rest day between.

Warn on hard days back to back; alert on 3 or more hard days in any 4. Hard = a race, an interval set, HR ≥ 88 %
of max (or ≥ 94 % of LTHR) for ≥ 10 min, faster than threshold pace / critical speed for ≥ 10 min, or a tempo of
≥ 20 min; long runs only when `long_run_is_hard`. Seiler 2010 (80/20), Stanley 2013 (48 h after high intensity),
Foster 1998 (monotony).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from datetime import date, timedelta

from runsync.analysis import INTENSITY_LIMITS, Intensity, IntensityParams
from runsync.hookspecs import hookimpl
from runsync.model import Finding, Session
from runsync.rules import Rule, RuleContext, params_from, session_label


class MissingEasyDays(Rule):
    id = "missing-easy-days"
    description = "Hard sessions on consecutive local days with no easy or rest day between"
    defaults = {
        "long_run_is_hard": False,
        "warn_consecutive_days": 2,
        "alert_hard_days": 3,
        "alert_window_days": 4,
        **{name: value for name, value in vars(IntensityParams()).items()},
    }
    limits = {
        "warn_consecutive_days": (2, 14),
        "alert_hard_days": (2, 28),
        "alert_window_days": (2, 28),
        **INTENSITY_LIMITS,
    }

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        hard = hard_days(ctx)
        for group, alert in violations(sorted(hard), ctx.config):
            yield self._finding(ctx, group, alert, hard)

    def _finding(self, ctx: RuleContext, group: list[date], alert: bool, hard: dict) -> Finding:
        picked = [item for day in group for item in hard[day]]
        days = (group[-1] - group[0]).days + 1
        title = f"{len(group)} hard days in a row" if days == len(group) else f"{len(group)} hard days in {days}"
        detail = "; ".join(f"{session_label(s)} ({why})" for s, why in picked)
        advice = "No easy or rest day between: keep about 48 h after a hard session so it can do its work."
        basis = sorted({tag for s, _ in picked for tag in _basis(ctx, s)})
        return self.finding(ctx, "alert" if alert else "warning", [s for s, _ in picked], title=title,
                            message=f"{detail}. {advice}", basis=tuple(basis),
                            metrics={"hard_dates": [d.isoformat() for d in group], "days": days})  # fmt: skip


def hard_days(ctx: RuleContext) -> dict[date, list[tuple[Session, str]]]:
    """Local date → the hard runs that day, each with why it counts as hard."""
    params = params_from(ctx.config, IntensityParams)
    found: dict[date, list[tuple[Session, str]]] = {}
    for session in ctx.session_list:
        why = _why_hard(ctx, session, ctx.intensity(session, params) if session.is_run else None)
        if why:
            found.setdefault(session.local_date, []).append((session, why))
    return found


def _why_hard(ctx: RuleContext, session: Session, level: Intensity | None) -> str | None:
    if level is not None and level.level == "hard":
        return level.reason
    if session.is_run and session.workout_type == "long" and ctx.config["long_run_is_hard"]:
        return "long run"
    return None


def _basis(ctx: RuleContext, session: Session) -> tuple[str, ...]:
    level = ctx.intensity(session, params_from(ctx.config, IntensityParams))
    return level.basis if level else ("long run",)


def violations(hard: list[date], config: dict) -> list[tuple[list[date], bool]]:
    """Groups of hard dates that break the rule, each with True when it is an alert (≥ N hard days in M)."""
    groups: list[tuple[set[date], bool]] = []
    window = timedelta(days=config["alert_window_days"] - 1)
    streak_days = timedelta(days=config["warn_consecutive_days"])
    for i, day in enumerate(hard):  # `hard` is sorted: each window is a slice found by bisection
        inside = set(hard[i : bisect_right(hard, day + window)])
        if len(inside) >= config["alert_hard_days"]:
            groups.append((inside, True))
        streak = set(hard[i : bisect_left(hard, day + streak_days)])
        if len(streak) >= config["warn_consecutive_days"]:
            groups.append((streak, False))
    return _merge(groups)


def _merge(groups: list[tuple[set[date], bool]]) -> list[tuple[list[date], bool]]:
    merged: list[tuple[set[date], bool]] = []
    for dates, alert in sorted(groups, key=lambda g: min(g[0])):
        if merged and merged[-1][0] & dates:
            merged[-1] = (merged[-1][0] | dates, merged[-1][1] or alert)
        else:
            merged.append((set(dates), alert))
    return [(sorted(dates), alert) for dates, alert in merged]


@hookimpl
def register_rules() -> list[type[Rule]]:
    return [MissingEasyDays]
