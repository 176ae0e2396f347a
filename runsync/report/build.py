"""Build the Report from the store: audit the weeks (findings saved, so first_seen is known), weekly figures by the
athlete's local calendar, the week's interval sessions, and which findings are new to the recipient."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pandas as pd

from runsync.analysis import week_start_of
from runsync.analysis.calendar import fitness_fatigue
from runsync.analysis.plan import PlanWeek, plan_week
from runsync.analysis.predict import WINDOW_DAYS, RaceOutlook, race_outlook
from runsync.analysis.session import NO_REFERENCE, no_reference_advice
from runsync.analysis.wellness import wellness_week
from runsync.audit import HISTORY_DAYS, audit_stored
from runsync.config import Athlete, Config
from runsync.errors import RunsyncError
from runsync.model import RUN_SPORTS, Finding, Session
from runsync.report.model import AthleteReport, Report, ReportFinding, WeekSummary
from runsync.rules import ReportSection, Rule, RuleContext, rule_config
from runsync.sources.strava.revoke import strava_only
from runsync.store import Store

DEFAULT_WEEKS = 4  # weeks shown before the chosen one
CHART_WEEKS = 12  # weekly distances in the chart, ending with the chosen week ...
MIN_CHART_WEEKS = 8  # ... less the empty weeks before the athlete's first run, down to this many
LOAD_BASES = ("hr", "pace", "rpe", "none")
NO_SESSIONS = "Nothing to report yet: no sessions are stored for {name}. Run `runsync sync` (or `runsync import`)."


def last_complete_week(athlete: Athlete, now: datetime, week_start: int = 0) -> date:
    """The first day of the last local week that has ended for this athlete."""
    today = now.astimezone(athlete.tz).date()
    return week_start_of(today, week_start) - timedelta(days=7)


def build_report(
    store: Store,
    config: Config,
    athletes: list[Athlete],
    rules: list[Rule],
    *,
    now: datetime,
    week: date | None = None,
    weeks: int = DEFAULT_WEEKS,
    squad: bool = False,
    recipient: str | None = None,
    audience: str = "athlete",
) -> Report:
    """One report over `athletes`; `week` (any day in it) defaults to each athlete's last complete local week.
    Findings count as new when first seen after the last report on that athlete sent to `recipient`
    (to anyone when None). `audience`: who reads it, "athlete" (their own) or "coach" (anyone else: Strava's API
    Agreement lets an app show a user's Strava data only to that user, so sessions whose only source is Strava are
    left out, and counted, unless the athlete's `share_strava_with` names "coach")."""
    built = []
    for athlete in athletes:
        chosen = week_start_of(week, config.week_start) if week else last_complete_week(athlete, now, config.week_start)
        try:
            built.append(build_athlete(store, config, athlete, rules, now=now, week=chosen, weeks=weeks,
                                       recipient=recipient, audience=audience))  # fmt: skip
        except RunsyncError:
            raise  # the store or the config: every athlete would meet it
        except Exception as exc:  # one athlete's failure never stops the others' reports
            built.append(failed_athlete(athlete, chosen, exc))
    return Report(tuple(built), units=config.units, squad=squad)


def failed_athlete(athlete: Athlete, week: date, exc: Exception) -> AthleteReport:
    note = f"The report for {athlete.name} could not be built ({type(exc).__name__}: {exc}); the others were."
    return AthleteReport(athlete.id, athlete.name, weeks=(WeekSummary(week),), chart=(), recipients=athlete.email,
                         note=note, failed=True, units=athlete.units)  # fmt: skip


def build_athlete(
    store: Store,
    config: Config,
    athlete: Athlete,
    rules: list[Rule],
    *,
    now: datetime,
    week: date,
    weeks: int,
    recipient: str | None,
    audience: str = "athlete",
) -> AthleteReport:
    first, last = week - timedelta(weeks=weeks), week + timedelta(days=6)
    since = min(first, week - timedelta(weeks=CHART_WEEKS - 1))
    hidden: list[Session] = []
    shown = None if audience == "athlete" or "coach" in athlete.share_strava_with else _visible(hidden)
    audited = audit_stored(store, config, athlete, rules, now=now, first=first, last=last,
                           history_days=(first - since).days + HISTORY_DAYS, shown=shown, save=True)  # fmt: skip
    findings, ctx = audited.findings, audited.context
    marked = mark_new(store, athlete.id, findings, since=first, until=last, recipient=recipient)
    starts = [week - timedelta(weeks=n) for n in range(max(weeks, CHART_WEEKS - 1), -1, -1)]
    frame = ctx.weeks.reindex(pd.Index(starts, dtype=object), fill_value=0)
    by_week = [(week_start_of(min(f.finding.end, last), config.week_start), f) for f in marked]
    curves = load_curves(ctx.days, config)
    bases = load_bases(ctx, config.week_start)
    summaries = [_summary(day, frame.loc[day], tuple(f for w, f in by_week if w == day), curves, bases.get(day, ()))
                 for day in starts if day >= first]  # fmt: skip
    sections, broken = rule_sections(ctx, config, rules, week, [f.finding for f in summaries[-1].findings])
    chart = chart_weeks(frame["distance_m"], starts[-CHART_WEEKS:])
    shown = curves.loc[chart[0][0] : last] if chart and not curves.empty else curves.iloc[0:0]
    return AthleteReport(
        athlete=athlete.id,
        name=athlete.name,
        weeks=tuple(summaries),
        chart=chart,
        sections=sections,
        recipients=athlete.email,
        note=None if ctx.session_list or store.has_sessions(athlete.id) else NO_SESSIONS.format(name=athlete.name),
        crashed=tuple(audited.crashed) + tuple(f"{rule} ({athlete.id})" for rule in broken),
        units=athlete.units,
        baseline=next((s.baseline for s in sections if s.baseline is not None), None) or ctx.distance_baseline(week),
        load_curve=tuple((day, *(round(float(v), 1) for v in row)) for day, row in
                         zip(shown.index, shown[["fitness", "fatigue", "form"]].to_numpy(), strict=True)),  # fmt: skip
        hr_zone_basis="lthr" if athlete.lthr else "max_hr" if athlete.max_hr else None,
        advice=reference_advice(athlete, ctx, since=first) + strava_advice(athlete, hidden, since=first),
        outlook=race_outlook_of(store, athlete, week, coach_view=shown is not None),
        wellness=wellness_week(ctx.wellness, week),
        plan=plan_of(store, ctx, week, now),
    )


def plan_of(store: Store, ctx: RuleContext, week: date, now: datetime) -> PlanWeek | None:
    """The week's planned workouts against its sessions (load: intervals.icu's, from the activities it sent)."""
    last = week + timedelta(days=6)
    planned = [w for w in ctx.planned if week <= w.day <= last]
    if not planned:
        return None

    def service_load(session: Session) -> float | None:
        for source in session.sources:
            if source.kind == "intervals":
                payload = store.raw_payload("intervals", source.id, "summary")
                load = json.loads(payload).get("icu_training_load") if payload else None
                return float(load) if isinstance(load, int | float) and not isinstance(load, bool) else None
        return None

    sessions = [s for s in ctx.session_list if week <= s.local_date <= last]
    return plan_week(week, planned, sessions, today=now.astimezone(ctx.athlete.tz).date(), level=ctx.intensity_level,
                     service_load=service_load)  # fmt: skip


def race_outlook_of(store: Store, athlete: Athlete, week: date, *, coach_view: bool) -> RaceOutlook | None:
    """Race predictions as of the week's last day, and critical speed at the end of each chart week, from the stored
    best efforts (the window each needs, 90 days, read from the store; a coach's view leaves Strava-only runs out)."""
    last = week + timedelta(days=6)
    first = week - timedelta(weeks=CHART_WEEKS - 1, days=WINDOW_DAYS)
    rows = [r for r in store.analysis_rows(athlete.id, since=first, until=last) if r.sport in RUN_SPORTS]
    if coach_view:
        visible = {s.id for s in store.sessions(athlete.id, since=first, until=last) if not strava_only(s)}
        rows = [r for r in rows if r.session_id in visible]
    trend = [last - timedelta(weeks=n) for n in range(CHART_WEEKS - 1, -1, -1)]
    return race_outlook([(r.local_date, r.best_3min_m, r.best_12min_m) for r in rows], last, trend)


def _visible(hidden: list[Session]) -> Callable[[Session], bool]:
    """Whether a session may be shown to someone other than the athlete; the Strava-only ones are kept in `hidden`."""

    def shown(session: Session) -> bool:
        if strava_only(session):
            hidden.append(session)
            return False
        return True

    return shown


def strava_advice(athlete: Athlete, hidden: list[Session], since: date) -> tuple[str, ...]:
    count = sum(1 for s in hidden if s.local_date >= since)
    if not count:
        return ()
    return (f"{count} Strava-only {'activity' if count == 1 else 'activities'} of {athlete.name} not shown (Strava "
            "lets an app show them only to the athlete): add the watch folder, Garmin or an export for them, or the "
            f'athlete may set athletes.{athlete.id}.share_strava_with = ["coach"].',)  # fmt: skip


def reference_advice(athlete: Athlete, ctx: RuleContext, since: date | None = None) -> tuple[str, ...]:
    """One line when runs (since `since`) could not be judged easy, moderate or hard for want of a reference."""
    unjudged = [s for s in ctx.session_list if s.is_run and (since is None or s.local_date >= since)
                and (a := ctx.analysis(s)) is not None and a.intensity_basis == NO_REFERENCE]  # fmt: skip
    if not unjudged:
        return ()
    return (no_reference_advice(athlete, len(unjudged)),)


def load_curves(days: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Per local day: fitness, fatigue, form and the acute:chronic ratio of the training load (config [load])."""
    fitness, fatigue, form, ratio = fitness_fatigue(days["training_load"].to_numpy(dtype=float), config.fitness_days,
                                                    config.fatigue_days)  # fmt: skip
    return pd.DataFrame({"fitness": fitness, "fatigue": fatigue, "form": form, "acwr": ratio}, index=days.index)


def load_bases(ctx: RuleContext, week_start: int) -> dict[date, tuple[tuple[str, int], ...]]:
    """Per week start: how many sessions had their load from heart rate, pace, RPE, or none."""
    counted: dict[date, dict[str, int]] = {}
    for day, basis in zip(ctx.sessions.index, ctx.sessions["load_basis"], strict=True):
        week = counted.setdefault(week_start_of(day, week_start), {})
        key = basis if isinstance(basis, str) and basis in LOAD_BASES else "none"  # pandas may hand None as nan
        week[key] = week.get(key, 0) + 1
    return {w: tuple(sorted(c.items(), key=lambda kv: LOAD_BASES.index(kv[0]))) for w, c in counted.items()}


def rule_sections(ctx: RuleContext, config: Config, rules: list[Rule], week: date,
                  findings: list[Finding]) -> tuple[tuple[ReportSection, ...], list[str]]:  # fmt: skip
    """What each rule adds to the report of `week` (Rule.report_section, with its own config and the findings it
    made that end in the week), and the ids of the rules that raised doing it (their findings still show)."""
    sections, broken = [], []
    for rule in rules:
        try:
            section = rule.report_section(ctx.for_rule(rule_config(rule, config)), week,
                                          [f for f in findings if f.rule == rule.id])  # fmt: skip
        except Exception:  # a broken rule must not cost the athlete the report
            broken.append(rule.id)
            continue
        if section is not None:
            sections.append(section)
    return tuple(sections), broken


def mark_new(
    store: Store,
    athlete: str,
    findings: list[Finding],
    *,
    since: date,
    until: date,
    recipient: str | None,
) -> list[ReportFinding]:
    """The findings (saved by the audit), those first seen after the last report to `recipient` marked new."""
    first_seen = {s.finding.key: s.first_seen for s in store.findings(athlete, since=since, until=until)}
    last_sent = store.last_report_sent(athlete, recipient)
    return [ReportFinding(f, last_sent is None or f.key not in first_seen or first_seen[f.key] > last_sent)
            for f in findings]  # fmt: skip


def _summary(day: date, row: pd.Series, findings: tuple[ReportFinding, ...], curves: pd.DataFrame,
             bases: tuple[tuple[str, int], ...]) -> WeekSummary:  # fmt: skip
    """One week's figures from the weekly frame's row, with the findings that ended in it and the load curves at
    its last day (or the last day there is)."""
    end = day + timedelta(days=6)
    known = curves.loc[:end]
    at = known.iloc[-1] if not known.empty else None
    hr = tuple(float(row[f"hr_z{i}_s"]) for i in range(1, 6))
    pace = tuple(float(row[f"pace_z{i}_s"]) for i in range(1, 6))
    return WeekSummary(
        start=day,
        distance_m=float(row["distance_m"]),
        moving_s=float(row["moving_s"]),
        **{key: int(row[key]) for key in ("runs", "easy", "moderate", "hard", "strength")},
        longest_m=float(row["longest_m"]),
        findings=findings,
        load=float(row["training_load"]),
        load_bases=bases,
        fitness=_value(at, "fitness"),
        fatigue=_value(at, "fatigue"),
        form=_value(at, "form"),
        acwr=_value(at, "acwr"),
        hr_zones_s=hr if any(hr) else (),
        pace_zones_s=pace if any(pace) else (),
        easy_s=float(row["easy_s"]),
        easy_basis_s=float(row["easy_basis_s"]),
    )


def _value(row: pd.Series | None, column: str) -> float | None:
    if row is None or not math.isfinite(float(row[column])):
        return None
    return float(row[column])


def chart_weeks(distances: pd.Series, starts: list[date]) -> tuple[tuple[date, float], ...]:
    """(week start, distance m) for the chart, without the empty weeks before the first run (at least 8 weeks)."""
    points = [(day, float(distances.loc[day])) for day in starts]
    while len(points) > MIN_CHART_WEEKS and points[0][1] == 0:
        points.pop(0)
    return tuple(points)
