"""The Report value: per athlete, the chosen local week and the weeks before it, ready to render.

Pure data: built by `runsync.report.build`, rendered by `render` (text, markdown, json) and `html`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from runsync.model import SEVERITIES, Finding

ATTENTION = ("alert", "warning")  # severities that need a person


@dataclass(frozen=True)
class ReportFinding:
    finding: Finding
    new: bool  # first seen since the last report sent to this recipient

    @property
    def needs_attention(self) -> bool:
        return self.finding.severity in ATTENTION


@dataclass(frozen=True)
class IntervalLine:
    """One interval session of the week: 'Tue 13 Oct', the session's name, '12 × 400 m, rest 120 → 30 s, pace held'."""

    day: date
    session_name: str | None
    structure: str
    severity: str


@dataclass(frozen=True)
class WeekSummary:
    start: date  # the week's first local day
    distance_m: float = 0.0  # running distance
    moving_s: float = 0.0  # running time
    runs: int = 0
    easy: int = 0  # runs by intensity
    moderate: int = 0
    hard: int = 0
    strength: int = 0  # strength sessions
    longest_m: float = 0.0
    findings: tuple[ReportFinding, ...] = ()

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)


@dataclass(frozen=True)
class AthleteReport:
    athlete: str  # id
    name: str
    weeks: tuple[WeekSummary, ...]  # oldest first; the last is the chosen week
    chart: tuple[tuple[date, float], ...]  # (week start, running distance m) over the chart span, oldest first
    intervals: tuple[IntervalLine, ...] = ()  # the chosen week's interval sessions
    recipients: tuple[str, ...] = ()  # the athlete's own report goes here (config [athletes.<id>] email)
    note: str | None = None  # said instead of / before the figures: no sessions yet, or why the report failed
    failed: bool = False  # the report could not be built (the others still are)
    crashed: tuple[str, ...] = ()  # rules that raised on this athlete's data ("rule-id (athlete)")

    @property
    def week(self) -> WeekSummary:
        return self.weeks[-1]

    @property
    def previous(self) -> tuple[WeekSummary, ...]:
        return self.weeks[:-1]

    def count(self, severity: str, *, new_only: bool = False) -> int:
        return sum(1 for f in self.week.findings if f.finding.severity == severity and (f.new or not new_only))

    @property
    def attention(self) -> tuple[int, int, int]:
        """Sort key, most urgent first when sorted descending: alerts, warnings, new findings needing attention."""
        new = sum(1 for f in self.week.findings if f.new and f.needs_attention)
        return self.count("alert"), self.count("warning"), new

    @property
    def baseline(self) -> tuple[WeekSummary, ...]:
        """The weeks before this one since the athlete's history starts (leading empty weeks are not a baseline)."""
        previous = self.previous
        first = next((i for i, w in enumerate(previous) if w.distance_m > 0), len(previous))
        return previous[first:]

    @property
    def change_pct(self) -> float | None:
        """This week's distance against the mean of the baseline weeks, in %; None with under 2 weeks of history."""
        before = [w.distance_m for w in self.baseline]
        mean = sum(before) / len(before) if len(before) >= 2 else 0.0
        return (self.week.distance_m / mean - 1) * 100 if mean > 0 else None


@dataclass(frozen=True)
class Report:
    athletes: tuple[AthleteReport, ...]
    units: str = "km"  # km | mi
    squad: bool = False  # a coach's --all report: leads with the roll-up

    def by_attention(self) -> list[AthleteReport]:
        """Who needs attention first: a failed report, then most alerts, warnings, new findings; then by name."""
        return sorted(self.athletes, key=lambda a: (not a.failed, tuple(-n for n in a.attention), a.name.lower()))

    @property
    def crashed(self) -> tuple[str, ...]:
        return tuple(c for a in self.athletes for c in a.crashed)

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(a.athlete for a in self.athletes if a.failed)

    @property
    def week_start(self) -> date:
        return max(a.week.start for a in self.athletes)

    def totals(self) -> dict[str, int]:
        return {s: sum(a.count(s) for a in self.athletes) for s in SEVERITIES}


def subject(report: Report) -> str:
    """'runsync: week of 12 Oct — 2 warnings for ana' (for the squad: counts across it)."""
    totals = report.totals()
    counts = [f"{n} {s}{'' if n == 1 else 's'}" for s in ("alert", "warning") if (n := totals[s])]
    what = ", ".join(counts) if counts else "nothing needs attention"
    if report.squad:
        who = f"the squad ({len(report.athletes)} athletes)"
    else:
        who = ", ".join(a.athlete for a in report.athletes)
    return f"runsync: week of {report.week_start.day} {report.week_start:%b} — {what} for {who}"
