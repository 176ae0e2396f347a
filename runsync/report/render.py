"""The Report as plain text (the mail's text part), markdown, and the JSON contract of DESIGN.md."""

from __future__ import annotations

import json
from typing import Any

from runsync.model import finding_to_dict
from runsync.report.model import AthleteReport, Report, ReportFinding, WeekSummary

JSON_VERSION = 1
METRES = {"km": 1000.0, "mi": 1609.344}
MARK = {"info": "·", "warning": "!", "alert": "!!"}


def distance(metres: float, units: str) -> str:
    return f"{metres / METRES[units]:.1f} {units}"


def duration(seconds: float) -> str:
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes:02d}" if hours else f"{minutes} min"


def week_range(week: WeekSummary) -> str:
    return f"{week.start:%a %d %b} – {week.end:%a %d %b %Y}"


def change(athlete: AthleteReport) -> str:
    pct = athlete.change_pct
    return "" if pct is None else f"{pct:+.0f} % vs the {len(athlete.baseline)} weeks before"


def rollup_line(athlete: AthleteReport, units: str) -> str:
    """'ana  42.0 km (+35 %)  4 runs, 3 hard  1 alert, 2 warnings (2 new)'."""
    alerts, warnings, new = athlete.attention
    pct = athlete.change_pct
    ramp = "" if pct is None else f" ({pct:+.0f} %)"
    flags = [f"{n} {s}{'' if n == 1 else 's'}" for n, s in ((alerts, "alert"), (warnings, "warning")) if n]
    state = (", ".join(flags) + (f" ({new} new)" if new else "")) if flags else "all clear"
    if athlete.failed:
        state = "report failed (see below)"
    week = athlete.week
    return (f"{athlete.name} ({athlete.athlete}): {distance(week.distance_m, units)}{ramp}, {week.runs} runs, "
            f"{week.hard} hard, {week.strength} strength — {state}")  # fmt: skip


def figures(week: WeekSummary, units: str) -> list[tuple[str, str]]:
    """The week's key figures as (label, value) rows."""
    return [
        ("Distance", distance(week.distance_m, units)),
        ("Time", duration(week.moving_s)),
        ("Runs", f"{week.runs} ({week.easy} easy, {week.moderate} moderate, {week.hard} hard)"),
        ("Strength sessions", str(week.strength)),
        ("Longest run", distance(week.longest_m, units) if week.longest_m else "—"),
    ]


def finding_line(item: ReportFinding) -> str:
    f = item.finding
    new = " NEW" if item.new else ""
    return f"[{f.severity}{new}] {f.title}. {f.message}"


def shown_findings(week: WeekSummary) -> list[ReportFinding]:
    """Findings worth a line: everything but interval-session notes (those have their own section)."""
    return [f for f in week.findings if not (f.finding.rule == "interval-sessions" and f.finding.severity == "info")]


def to_text(report: Report) -> str:
    out: list[str] = []
    if report.squad:
        out += ["Squad roll-up (who needs attention first)", ""]
        out += [f"  {rollup_line(a, report.units)}" for a in report.by_attention()] + [""]
    for athlete in report.by_attention() if report.squad else report.athletes:
        out += _athlete_text(athlete, report.units) + [""]
    return "\n".join(out).rstrip() + "\n"


def _athlete_text(a: AthleteReport, units: str) -> list[str]:
    title = f"{a.name} — week of {week_range(a.week)}"
    lines = [title, "=" * len(title)]
    if a.note:  # nothing stored yet, or the report failed: no figures to show
        return [*lines, a.note]
    lines += [f"{label + ':':<19}{value}" for label, value in figures(a.week, units)]
    if change(a):
        lines.append(f"{'Change:':<19}{change(a)}")
    if a.intervals:
        lines += ["", "Interval sessions:"]
        lines += [f"  {i.day:%a %d %b}  {i.structure}" + (f"  ({i.session_name})" if i.session_name else "")
                  for i in a.intervals]  # fmt: skip
    found = shown_findings(a.week)
    lines += ["", "Findings:" if found else "Findings: none — the week follows the rules audited."]
    lines += [f"  {finding_line(f)}" for f in found]
    lines += ["", "Previous weeks:"]
    lines += [f"  {w.start:%d %b}  {distance(w.distance_m, units):>9}  {w.runs} runs, {w.hard} hard, "
              f"{w.strength} strength" for w in reversed(a.previous)]  # fmt: skip
    return lines


def to_markdown(report: Report) -> str:
    out: list[str] = []
    if report.squad:
        out += ["# Squad roll-up", ""] + [f"- {rollup_line(a, report.units)}" for a in report.by_attention()] + [""]
    for a in report.by_attention() if report.squad else report.athletes:
        out += _athlete_markdown(a, report.units) + [""]
    return "\n".join(out).rstrip() + "\n"


def _athlete_markdown(a: AthleteReport, units: str) -> list[str]:
    out = [f"## {_md(a.name)} — week of {week_range(a.week)}", ""]
    if a.note:  # nothing stored yet, or the report failed: no figures to show
        return [*out, f"_{_md(a.note)}_"]
    out += ["| | |", "|---|---|"]
    out += [f"| {label} | {value} |" for label, value in figures(a.week, units)]
    if a.intervals:
        out += ["", "**Interval sessions**", ""]
        for i in a.intervals:
            name = f" — _{_md(i.session_name)}_" if i.session_name else ""
            out.append(f"- {i.day:%a %d %b}: {_md(i.structure)}{name}")
    out += ["", "**Findings**", ""]
    for item in shown_findings(a.week):
        new, f = "**NEW** " if item.new else "", item.finding
        out.append(f"- {new}**{f.severity}** {_md(f.title)}. {_md(f.message)}")
    return out if shown_findings(a.week) else [*out, "- none"]


def _md(text: str) -> str:
    """Markdown-inert user text (activity names): escape the characters that would become markup or HTML."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in text)


def to_json(report: Report) -> str:
    return json.dumps({"version": JSON_VERSION, "athletes": [_athlete_json(a) for a in report.athletes]}, indent=2)


def _athlete_json(a: AthleteReport) -> dict[str, Any]:
    found = {"athlete": a.athlete, "name": a.name, "weeks": [_week_json(w) for w in a.weeks]}
    if a.note:
        found["note"] = a.note  # no sessions stored yet, or why this athlete's report failed
    if a.failed:
        found["error"] = True
    return found


def _week_json(w: WeekSummary) -> dict[str, Any]:
    return {
        "start": w.start.isoformat(),
        "distance_m": round(w.distance_m, 1),
        "runs": w.runs,
        "easy": w.easy,
        "moderate": w.moderate,
        "hard": w.hard,
        "strength": w.strength,
        "findings": [{**finding_to_dict(f.finding), "new": f.new} for f in w.findings],
    }
