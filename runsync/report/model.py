"""The Report value: per athlete, the chosen local week and the weeks before it, ready to render.

Pure data: built by `runsync.report.build`, rendered by `render` (text, markdown, json) and `html`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from runsync.analysis.calendar import Baseline
from runsync.analysis.plan import PlanWeek
from runsync.analysis.predict import RaceOutlook
from runsync.analysis.wellness import WellnessWeek
from runsync.errors import ExitStatus
from runsync.model import SEVERITIES, Finding
from runsync.rules import ReportSection

ATTENTION = ("alert", "warning")  # severities that need a person


@dataclass(frozen=True)
class ReportFinding:
    finding: Finding
    new: bool  # first seen since the last report sent to this recipient

    @property
    def needs_attention(self) -> bool:
        return self.finding.severity in ATTENTION


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
    load: float = 0.0  # training load: the sum of the sessions' (TRIMP, pace-based or session-RPE)
    load_bases: tuple[tuple[str, int], ...] = ()  # sessions per load basis (hr, pace, rpe), and "none"
    fitness: float | None = None  # at the week's last day (None before any data)
    fatigue: float | None = None
    form: float | None = None
    acwr: float | None = None  # acute:chronic load ratio (fatigue / fitness)
    hr_zones_s: tuple[float, ...] = ()  # seconds in HR zones 1-5 (empty: no heart rate, or no max HR / LTHR)
    pace_zones_s: tuple[float, ...] = ()  # moving seconds of runs in pace zones 1-5 (empty: no critical speed)
    easy_s: float = 0.0  # moving seconds below the first threshold ...
    easy_basis_s: float = 0.0  # ... out of these (the 80/20 check)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def easy_share(self) -> float | None:
        """The share of the week's judged moving time that was easy (Seiler's 80/20); None with none judged."""
        return self.easy_s / self.easy_basis_s if self.easy_basis_s > 0 else None

    def findings_by_severity(self, *, with_info: bool = False) -> list[ReportFinding]:
        """The week's findings, alerts first, then warnings (and information when asked), each by title."""
        order = {s: i for i, s in enumerate(reversed(SEVERITIES))}
        chosen = [f for f in self.findings if with_info or f.needs_attention]
        return sorted(chosen, key=lambda f: (order[f.finding.severity], f.finding.title))


@dataclass(frozen=True)
class AthleteReport:
    athlete: str  # id
    name: str
    weeks: tuple[WeekSummary, ...]  # oldest first; the last is the chosen week
    chart: tuple[tuple[date, float], ...]  # (week start, running distance m) over the chart span, oldest first
    sections: tuple[ReportSection, ...] = ()  # what the rules add for the chosen week (interval sessions ...)
    units: str = "km"  # km | mi: how this athlete reads distances and paces
    baseline: Baseline | None = None  # what the chosen week's distance is compared with (as mileage-ramp does)
    load_curve: tuple[tuple[date, float, float, float], ...] = ()  # (day, fitness, fatigue, form) over the chart span
    hr_zone_basis: str | None = None  # "lthr" | "max_hr": what the HR zones are fractions of
    recipients: tuple[str, ...] = ()  # the athlete's own report goes here (config [athletes.<id>] email)
    note: str | None = None  # said instead of / before the figures: no sessions yet, or why the report failed
    failed: bool = False  # the report could not be built (the others still are)
    crashed: tuple[str, ...] = ()  # rules that raised on this athlete's data ("rule-id (athlete)")
    advice: tuple[str, ...] = ()  # what the athlete or coach can fix to make the report better (config keys)
    outlook: RaceOutlook | None = None  # race predictions from the athlete's best efforts, and the CS trend
    wellness: WellnessWeek | None = None  # the chosen week's resting HR, HRV, sleep against the 60 days before
    plan: PlanWeek | None = None  # the chosen week's planned workouts against what was done

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
    def shown_findings(self) -> list[ReportFinding]:
        """The chosen week's findings worth a line, alerts first: all but the information a rule's section says."""
        covered = {s.rule for s in self.sections if s.covers_info}
        return [f for f in self.week.findings_by_severity(with_info=True)
                if not (f.finding.rule in covered and f.finding.severity == "info")]  # fmt: skip

    @property
    def listed_sections(self) -> tuple[ReportSection, ...]:
        """The rules' sections that have lines to show, under their titles."""
        return tuple(s for s in self.sections if s.lines and s.title)

    @property
    def change_pct(self) -> float | None:
        """This week's distance against the baseline's mean, in %; None without a baseline (under 2 weeks)."""
        if self.baseline is None or self.baseline.mean_m <= 0:
            return None
        return (self.week.distance_m / self.baseline.mean_m - 1) * 100


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

    def problems(self) -> list[str]:
        """One line per thing that went wrong: the rules that crashed (named), the athletes whose report failed."""
        crashed, failed = sorted(set(self.crashed)), sorted(set(self.failed))
        return ([f"rule crashed: {', '.join(crashed)}"] if crashed else []) + (
            [f"the report failed for {', '.join(failed)}; the others were built"] if failed else [])

    def exit_status(self) -> ExitStatus:
        """7 when a rule crashed, 6 when an athlete's report failed (the rest was built), else 0."""
        return ExitStatus.PLUGIN if self.crashed else ExitStatus.PARTIAL if self.failed else ExitStatus.OK

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
