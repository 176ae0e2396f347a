"""aerobic-decoupling: on steady long runs, heart rate drifting up against pace (durability).

A steady run: at least `min_minutes` (60) moving, heart rate on `min_hr_share` (80 %) of its moving samples, not
hard and not an interval set. Its first `warmup_minutes` (10) are left out; the rest (its moving samples with heart
rate) is cut in two halves and each half's efficiency factor is its mean speed over its mean heart rate.
Decoupling (Friel's Pa:Hr) is how much the second half's factor fell below the first's, in %: above
`max_decoupling_pct` (5 %) is information (the aerobic base does not yet carry that duration); the same on
`trend_runs` (3) steady long runs in a row, each worse than the one before, while weekly distance rises, is a
warning (durability is falling as the load grows). Friel, The Triathlete's Training Bible; Maunder et al. 2021
(durability).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from runsync.analysis import week_start_of
from runsync.hookspecs import hookimpl
from runsync.model import Finding, Session
from runsync.rules import Rule, RuleContext, session_label

MOVING_MPS = 0.5


class AerobicDecoupling(Rule):
    id = "aerobic-decoupling"
    description = "Steady runs of 60+ min whose heart rate drifts up against pace (over 5 %), and its trend"
    defaults = {"min_minutes": 60.0, "warmup_minutes": 10.0, "min_hr_share": 0.8, "max_decoupling_pct": 5.0,
                "trend_runs": 3}  # fmt: skip
    limits = {"min_minutes": (20, 600), "warmup_minutes": (0, 60), "min_hr_share": (0.1, 1.0),
              "max_decoupling_pct": (0, 50), "trend_runs": (2, 10)}  # fmt: skip

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        measured = [(run, pct) for run in ctx.session_list if self._steady(ctx, run)
                    and (pct := decoupling_pct(ctx.samples(run.id), ctx.config["warmup_minutes"] * 60,
                                       ctx.config["min_hr_share"])) is not None]  # fmt: skip
        for run, pct in measured:
            if pct > ctx.config["max_decoupling_pct"]:
                yield self._info(ctx, run, pct)
        yield from self._trends(ctx, measured)

    def _steady(self, ctx: RuleContext, run: Session) -> bool:
        if not run.is_run or (run.moving_s or 0) < ctx.config["min_minutes"] * 60:
            return False
        intensity = ctx.intensity(run)
        return (intensity is None or intensity.level != "hard") and ctx.intervals(run) is None

    def _info(self, ctx: RuleContext, run: Session, pct: float) -> Finding:
        message = (f"The {session_label(run)}: heart rate rose against pace by {pct:.1f} % from the first half to the "
                   f"second (after the first {ctx.config['warmup_minutes']:.0f} min), more than "
                   f"{ctx.config['max_decoupling_pct']:.0f} %: the aerobic base does not yet carry this duration "
                   "(Friel's Pa:Hr). Longer easy runs build it.")  # fmt: skip
        title = f"Aerobic decoupling {pct:.1f} % on a {run.moving_s / 60:.0f}-min run"
        return self.finding(ctx, "info", [run], title=title, message=message, basis=("heart rate", "pace"),
                            metrics={"decoupling_pct": round(pct, 1), "moving_min": round(run.moving_s / 60)})

    def _trends(self, ctx: RuleContext, measured: list[tuple[Session, float]]) -> Iterator[Finding]:
        n = ctx.config["trend_runs"]
        weekly = ctx.weekly_distance
        reported_until = None
        for end in range(n - 1, len(measured)):
            chain = measured[end - n + 1 : end + 1]
            pcts = [p for _, p in chain]
            worse = all(b > a for a, b in zip(pcts, pcts[1:], strict=False)) and pcts[-1] > ctx.config[
                "max_decoupling_pct"]  # fmt: skip
            first_week = week_start_of(chain[0][0].local_date, ctx.week_start)
            last_week = week_start_of(chain[-1][0].local_date, ctx.week_start)
            rising = weekly.get(last_week, 0.0) > weekly.get(first_week, 0.0) and last_week > first_week
            if worse and rising and (reported_until is None or chain[0][0].local_date > reported_until):
                reported_until = chain[-1][0].local_date
                yield self._trend(ctx, chain, weekly.get(first_week, 0.0), weekly.get(last_week, 0.0))

    def _trend(self, ctx: RuleContext, chain: list[tuple[Session, float]], before: float, after: float) -> Finding:
        runs = [r for r, _ in chain]
        steps = " → ".join(f"{p:.1f} %" for _, p in chain)
        message = (f"Decoupling on the last {len(chain)} steady long runs grew {steps} "
                   f"({', '.join(f'{r.local_date:%d %b}' for r in runs)}) while weekly distance rose from "
                   f"{before / 1000:.1f} to {after / 1000:.1f} km: durability is falling as the load grows. Hold the "
                   "volume, keep the long run easy, and check sleep and fuelling.")  # fmt: skip
        return self.finding(ctx, "warning", runs,
                            title=f"Aerobic decoupling worsening over {len(chain)} long runs ({steps})",
                            message=message, basis=("heart rate", "pace", "distance"),
                            metrics={"decoupling_pct": [round(p, 1) for _, p in chain],
                                     "weekly_distance_m": [round(before, 1), round(after, 1)]})  # fmt: skip


def decoupling_pct(samples, warmup_s: float, min_hr_share: float = 0.8) -> float | None:  # noqa: ANN001 - a frame
    """(EF of the first half − EF of the second) / EF of the first, in %, over moving samples after the warm-up;
    EF = mean speed / mean HR. None without enough heart rate or moving time."""
    if samples is None or samples.empty:
        return None
    t = samples["t"].to_numpy(dtype=float)
    speed = samples["speed_mps"].to_numpy(dtype=float)
    hr = samples["hr"].to_numpy(dtype=float)
    moving = np.isfinite(speed) & (speed > MOVING_MPS) & (t >= warmup_s)
    with_hr = moving & np.isfinite(hr) & (hr > 0)
    if moving.sum() < 600 or with_hr.sum() < min_hr_share * moving.sum():
        return None
    order = np.flatnonzero(with_hr)
    half = len(order) // 2
    first, second = order[:half], order[half:]
    ef1 = speed[first].mean() / hr[first].mean()
    ef2 = speed[second].mean() / hr[second].mean()
    return float((ef1 - ef2) / ef1 * 100)


@hookimpl
def register_rules() -> list[type[Rule]]:
    return [AerobicDecoupling]
