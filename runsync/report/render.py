"""The Report as plain text (the mail's text part), markdown, and the JSON contract of DESIGN.md."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from runsync.analysis.predict import RaceOutlook
from runsync.model import METRES, finding_to_dict, format_distance, format_pace
from runsync.report.days import day_rows, plan_json, wellness_json
from runsync.report.findings import TEXT_WIDTH
from runsync.report.model import AthleteReport, Report, ReportFinding, WeekSummary

JSON_VERSION = 1
BASIS_WORDS = {"hr": "heart rate", "pace": "pace", "rpe": "RPE", "none": "no load"}
EASY_TARGET = 0.8  # Seiler's 80/20: about 80 % of the time below the first threshold
__all__ = ["METRES", "distance", "duration", "to_json", "to_markdown", "to_text"]


def distance(metres: float, units: str) -> str:
    return format_distance(metres, units)


def duration(seconds: float) -> str:
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes:02d}" if hours else f"{minutes} min"


def week_range(week: WeekSummary) -> str:
    return f"{week.start:%a %d %b} – {week.end:%a %d %b %Y}"


def change(athlete: AthleteReport) -> str:
    """'+42 % vs the 48.2 km average of the 3 weeks of 21 Sep – 11 Oct (...)': the mileage-ramp rule's baseline."""
    pct = athlete.change_pct
    return "" if pct is None or athlete.baseline is None else f"{pct:+.0f} % vs {athlete.baseline.words(athlete.units)}"


def pace(week: WeekSummary, units: str) -> str:
    """The week's average running pace."""
    return format_pace(week.moving_s / week.distance_m * 1000, units) if week.distance_m > 0 else "—"


def load_words(week: WeekSummary) -> str:
    """'412 (5 sessions by heart rate, 1 by pace)'; what each session's load was computed from is always said."""
    if not week.load_bases:
        return "—"
    parts = [f"{n} {'session' if n == 1 else 'sessions'} by {BASIS_WORDS[b]}" if i == 0 else f"{n} by {BASIS_WORDS[b]}"
             for i, (b, n) in enumerate((b, n) for b, n in week.load_bases if b != "none")]  # fmt: skip
    missing = dict(week.load_bases).get("none", 0)
    if missing:
        parts.append(f"{missing} without a load (no heart rate, pace or RPE)")
    return f"{week.load:.0f} ({', '.join(parts)})"


def form_words(week: WeekSummary) -> str:
    """'fitness 48, fatigue 62, form −14 (acute:chronic 1.29)'."""
    if week.fitness is None or week.fatigue is None or week.form is None:
        return "—"
    ratio = f" (acute:chronic {week.acwr:.2f}, descriptive)" if week.acwr is not None else ""
    return f"fitness {week.fitness:.0f}, fatigue {week.fatigue:.0f}, form {week.form:+.0f}{ratio}"


def easy_words(week: WeekSummary) -> str:
    """'78 % of 5 h 10 min judged (80/20: below the 80 % target)'."""
    share = week.easy_share
    if share is None:
        return "—"
    verdict = "meets" if share >= EASY_TARGET - 0.005 else "below"
    return f"{share * 100:.0f} % of {duration(week.easy_basis_s)} ({verdict} the 80/20 target of 80 % easy)"


def zone_words(seconds: tuple[float, ...]) -> str:
    """'Z1 42 min · Z2 1 h 10 · Z3 20 min · Z4 8 min · Z5 2 min'."""
    return " · ".join(f"Z{i} {duration(s)}" for i, s in enumerate(seconds, start=1))


ZONE_BASIS = {"lthr": "of LTHR", "max_hr": "of max HR"}


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
        ("Average pace", pace(week, units)),
        ("Runs", f"{week.runs} ({week.easy} easy, {week.moderate} moderate, {week.hard} hard)"),
        ("Strength sessions", str(week.strength)),
        ("Longest run", distance(week.longest_m, units) if week.longest_m else "—"),
        ("Training load", load_words(week)),
        ("Load curve", form_words(week)),
        ("Easy time", easy_words(week)),
    ]


def zone_rows(a: AthleteReport) -> list[tuple[str, str]]:
    week = a.week
    rows = []
    if week.hr_zones_s:
        rows.append(("HR zones", f"{zone_words(week.hr_zones_s)} ({ZONE_BASIS.get(a.hr_zone_basis or '', 'HR')})"))
    if week.pace_zones_s:
        rows.append(("Pace zones", f"{zone_words(week.pace_zones_s)} (of critical speed)"))
    return rows


def rows(a: AthleteReport) -> list[tuple[str, str]]:
    """The chosen week's figures, zones and change, (label, value) as the text and markdown reports show them."""
    changed = change(a)
    return [*figures(a.week, a.units), *zone_rows(a), *([("Change", changed)] if changed else []), *outlook_rows(a),
            *day_rows(a)]


def clock(seconds: float) -> str:
    """'21:40' or '1:38:05'."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def outlook_rows(a: AthleteReport) -> list[tuple[str, str]]:
    """'Race predictions': each race by the critical speed model and by Riegel; 'Predicted from': the efforts, their
    days, and the critical speed's trend over the chart's weeks."""
    o = a.outlook
    if o is None:
        return []
    races = "; ".join(f"{p.race} {clock(p.cs_s) + ' (CS) · ' if p.cs_s else ''}{clock(p.riegel_s)} (Riegel)"
                      for p in o.predictions)  # fmt: skip
    basis = [f"best 12 min {format_distance(o.best_12min.distance_m, a.units, 2)} ({o.best_12min.day:%d %b})"]
    if o.best_3min is not None:
        basis.insert(0, f"best 3 min {format_distance(o.best_3min.distance_m, a.units, 2)} ({o.best_3min.day:%d %b})")
    if o.cs_mps:
        known = [(day, cs) for day, cs in o.cs_trend if cs]
        trend = f" (was {format_pace(1000 / known[0][1], a.units)} on {known[0][0]:%d %b})" if len(known) > 1 else ""
        basis.append(f"critical speed {format_pace(1000 / o.cs_mps, a.units)}{trend}")
    return [("Race predictions", races), ("Predicted from", ", ".join(basis) + " (the 90 days to the week's end)")]


def earlier_findings(week: WeekSummary) -> list[str]:
    """An earlier week's findings that needed attention, alerts first: 'ALERT 3 hard days in 4'."""
    return [f"{f.finding.severity.upper()} {f.finding.title}" for f in week.findings_by_severity()]


def finding_line(item: ReportFinding) -> str:
    f = item.finding
    new = " NEW" if item.new else ""
    return f"[{f.severity}{new}] {f.title}. {f.message}"


def to_text(report: Report) -> str:
    out: list[str] = []
    if report.squad:
        out += ["Squad roll-up (who needs attention first)", ""]
        out += [f"  {rollup_line(a, a.units)}" for a in report.by_attention()] + [""]
    for athlete in report.by_attention() if report.squad else report.athletes:
        out += _athlete_text(athlete) + [""]
    return "\n".join(out).rstrip() + "\n"


def _athlete_text(a: AthleteReport) -> list[str]:
    units = a.units
    title = f"{a.name} — week of {week_range(a.week)}"
    lines = [title, "-" * len(title)]
    if a.note:  # nothing stored yet, or the report failed: no figures to show
        return [*lines, a.note]
    shown = rows(a)
    width = max(len(label) for label, _ in shown) + 2
    lines += [line for label, value in shown for line in textwrap.wrap(
        value, TEXT_WIDTH, initial_indent=f"{label + ':':<{width}}", subsequent_indent=" " * width)]
    lines += [wrapped for line in a.advice for wrapped in textwrap.wrap(f"Note: {line}", TEXT_WIDTH)]
    for section in a.listed_sections:
        lines += ["", f"{section.title}:"]
        lines += [f"  {i.day:%a %d %b}  {i.text}" + (f"  ({i.detail})" if i.detail else "") for i in section.lines]
    found = a.shown_findings
    lines += ["", "Findings:" if found else "Findings: none — the week follows the rules audited."]
    lines += [wrapped for f in found for wrapped in textwrap.wrap(finding_line(f), TEXT_WIDTH, initial_indent="  ",
                                                                  subsequent_indent="    ")]  # fmt: skip
    lines += ["", "Previous weeks:"]
    for w in reversed(a.previous):
        lines.append(f"  {w.start:%d %b}  {distance(w.distance_m, units):>9}  {w.runs} runs, {w.hard} hard, "
                     f"{w.strength} strength, load {w.load:.0f}")  # fmt: skip
        lines += [f"             {line}" for line in earlier_findings(w)]
    return lines


def to_markdown(report: Report) -> str:
    out: list[str] = []
    if report.squad:
        out += ["# Squad roll-up", ""] + [f"- {rollup_line(a, a.units)}" for a in report.by_attention()] + [""]
    for a in report.by_attention() if report.squad else report.athletes:
        out += _athlete_markdown(a) + [""]
    return "\n".join(out).rstrip() + "\n"


def _athlete_markdown(a: AthleteReport) -> list[str]:
    out = [f"## {_md(a.name)} — week of {week_range(a.week)}", ""]
    if a.note:  # nothing stored yet, or the report failed: no figures to show
        return [*out, f"_{_md(a.note)}_"]
    out += ["| | |", "|---|---|"]
    out += [f"| {label} | {value} |" for label, value in rows(a)]
    out += [f"\n_Note: {_md(line)}_" for line in a.advice]
    for section in a.listed_sections:
        out += ["", f"**{_md(section.title)}**", ""]
        for i in section.lines:
            name = f" — _{_md(i.detail)}_" if i.detail else ""
            out.append(f"- {i.day:%a %d %b}: {_md(i.text)}{name}")
    out += ["", "**Findings**", ""]
    found = a.shown_findings
    for item in found:
        new, f = "**NEW** " if item.new else "", item.finding
        out.append(f"- {new}**{f.severity}** {_md(f.title)}. {_md(f.message)}")
    if not found:
        out.append("- none")
    out += ["", "**Weeks before**", ""]
    for w in reversed(a.previous):
        found = "; ".join(_md(line) for line in earlier_findings(w)) or "no findings"
        out.append(f"- {w.start:%d %b}: {distance(w.distance_m, a.units)}, {w.runs} runs, {w.hard} hard — {found}")
    return out


def _md(text: str) -> str:
    """Markdown-inert user text (activity names): escape the characters that would become markup or HTML."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in text)


def to_json(report: Report) -> str:
    return json.dumps({"version": JSON_VERSION, "athletes": [_athlete_json(a) for a in report.athletes]}, indent=2)


def _athlete_json(a: AthleteReport) -> dict[str, Any]:
    found: dict[str, Any] = {"athlete": a.athlete, "name": a.name, "weeks": [_week_json(w) for w in a.weeks],
                             "units": a.units}  # fmt: skip
    if a.baseline is not None:
        found["distance_change"] = {"pct": round(a.change_pct, 1) if a.change_pct is not None else None,
                                    "baseline_m": round(a.baseline.mean_m, 1),
                                    "baseline_weeks": [w.isoformat() for w in a.baseline.weeks],
                                    "skipped_weeks": a.baseline.skipped}  # fmt: skip
    found["load_curve"] = [{"date": d.isoformat(), "fitness": fit, "fatigue": fat, "form": form}
                           for d, fit, fat, form in a.load_curve]  # fmt: skip
    if a.listed_sections:
        found["sections"] = [{"rule": s.rule, "title": s.title, "lines": [
            {"date": i.day.isoformat(), "text": i.text, "severity": i.severity, "detail": i.detail} for i in s.lines]}
            for s in a.listed_sections]  # fmt: skip
    if a.outlook is not None:
        found["race_predictions"] = _outlook_json(a.outlook)
    if a.wellness is not None:
        found["wellness"] = wellness_json(a.wellness)
    if a.plan is not None:
        found["plan"] = plan_json(a.plan)
    if a.advice:
        found["advice"] = list(a.advice)
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
        "moving_s": round(w.moving_s, 1),
        "load": round(w.load, 1),
        "load_basis": dict(w.load_bases),
        "fitness": _round(w.fitness),
        "fatigue": _round(w.fatigue),
        "form": _round(w.form),
        "acwr": _round(w.acwr, 2),
        "zones": {"hr_s": list(w.hr_zones_s) or None, "pace_s": list(w.pace_zones_s) or None},
        "easy_share": _round(w.easy_share, 3),
    }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _outlook_json(o: RaceOutlook) -> dict[str, Any]:
    best = lambda b: None if b is None else {"distance_m": round(b.distance_m, 1), "date": b.day.isoformat()}  # noqa: E731
    return {"as_of": o.as_of.isoformat(), "critical_speed_mps": _round(o.cs_mps, 3),
            "d_prime_m": _round(o.d_prime_m, 1), "best_3min": best(o.best_3min), "best_12min": best(o.best_12min),
            "races": [{"race": p.race, "distance_m": p.distance_m, "critical_speed_s": _round(p.cs_s, 0),
                       "riegel_s": round(p.riegel_s)} for p in o.predictions],
            "critical_speed_trend": [{"date": d.isoformat(), "mps": _round(cs, 3)}
                                     for d, cs in o.cs_trend]}  # fmt: skip
