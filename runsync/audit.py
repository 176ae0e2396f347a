"""The audit: run each enabled rule in isolation over one athlete's sessions, keep what it found.

A rule that raises becomes one alert finding saying so (and the command exits 7); the other rules still report.
Rules see HISTORY_DAYS of sessions before `since`, so a ramp or a hard-day streak that started earlier is judged
whole; only findings that overlap [since, until] are kept. Rules read each session's stored analysis, brought up to
date first (runsync.analysis.refresh): samples are read only for a session whose analysis is stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from runsync.analysis import SessionAnalysis, analysis_settings
from runsync.analysis.refresh import fresh_analyses
from runsync.config import Athlete, Config
from runsync.errors import ExitStatus, UsageError
from runsync.model import SEVERITIES, Finding, PlannedWorkout, Session, WellnessDay
from runsync.plugins import InstalledRule, PluginManager, installed_rules
from runsync.rules import Rule, RuleContext, ensure_rule_sections_known, is_enabled, rule_config
from runsync.store import Store

HISTORY_DAYS = 42  # sessions loaded before `since`: six weeks, enough for the ramp baseline and 28-day load
DEFAULT_DAYS = 42  # the default audit window ends today and starts this many days before
WELLNESS_BASELINE_DAYS = 60  # wellness days loaded before the sessions' history: a resting-HR baseline's span


@dataclass
class AuditResult:
    findings: list[Finding] = field(default_factory=list)
    new: list[Finding] = field(default_factory=list)  # first seen by this audit (when it saved them)
    crashed: list[str] = field(default_factory=list)  # "rule-id (athlete)" for each rule that raised
    degraded: list[str] = field(default_factory=list)  # "session (athlete, date): why its analysis failed"
    context: RuleContext | None = None  # what the rules saw (one athlete's audit): the report reuses it

    def extend(self, other: AuditResult) -> None:
        self.findings += other.findings
        self.new += other.new
        self.crashed += other.crashed
        self.degraded += other.degraded

    def reaches(self, severity: str) -> bool:
        floor = SEVERITIES.index(severity)
        return any(SEVERITIES.index(f.severity) >= floor for f in self.findings)

    def exit_status(self, fail_on: str | None = None) -> ExitStatus:
        """7 when a rule crashed; 10 when a finding is at least `fail_on` severe; else 0."""
        if self.crashed:
            return ExitStatus.PLUGIN
        return ExitStatus.FINDINGS if fail_on and self.reaches(fail_on) else ExitStatus.OK


def installed_checked(pm: PluginManager, config: Config) -> list[InstalledRule]:
    """The installed rules, after checking every [rules.<id>] names one of them (unless a plugin failed to load:
    then its section cannot be told from a typo, and the load failure was already reported)."""
    installed = installed_rules(pm)
    if not pm.problems:
        ensure_rule_sections_known((r.rule.id for r in installed), config)
    return installed


def selected_rules(installed: list[InstalledRule], config: Config, only: Iterable[str] = ()) -> list[Rule]:
    """Enabled rules, or exactly those named in `only` (named ones run even when disabled in the config)."""
    wanted = list(only)
    known = {r.rule.id: r.rule for r in installed}
    for rule_id in wanted:
        if rule_id not in known:
            raise UsageError(f"no rule {rule_id!r} (installed: {', '.join(sorted(known))}); see `runsync rules`")
    if wanted:
        return [known[r] for r in wanted]
    return [r.rule for r in installed if is_enabled(r.rule, config)]


def audit_sessions(
    athlete: Athlete,
    sessions: list[Session],
    rules: list[Rule],
    config: Config,
    *,
    now: datetime,
    since: date | None = None,
    until: date | None = None,
    analyses: dict[str, SessionAnalysis] | None = None,
    load_samples: Callable[[str], pd.DataFrame | None] | None = None,
    wellness: list[WellnessDay] | None = None,
    planned: list[PlannedWorkout] | None = None,
) -> AuditResult:
    """Pure: run every rule over the sessions (with their `analyses`; computed from the sessions' samples when not
    given); findings overlapping [since, until], ordered by date."""
    base = RuleContext(athlete, sessions, now=now, week_start=config.week_start, analyses=analyses,
                       settings=analysis_settings(config, athlete), load_samples=load_samples,
                       wellness=list(wellness or ()), planned=list(planned or ()))  # fmt: skip
    result = AuditResult(context=base, degraded=degraded(base, since, until))
    for rule in rules:
        found, crashed = run_rule_isolated(rule, base.for_rule(rule_config(rule, config)))
        result.findings += found if crashed else [f for f in found if _overlaps(f, since, until)]
        if crashed:
            result.crashed.append(f"{rule.id} ({athlete.id})")
    result.findings.sort(key=lambda f: (f.start, f.end, f.rule))
    return result


def degraded(ctx: RuleContext, since: date | None, until: date | None) -> list[str]:
    """The sessions in [since, until] whose analysis failed: named, with why (their intensity is unknown)."""
    return [f"{s.id} ({s.athlete}, {s.local_date}): {a.error}" for s in ctx.session_list
            if (a := ctx.analysis(s)) is not None and a.error and (since is None or s.local_date >= since)
            and (until is None or s.local_date <= until)]  # fmt: skip


def run_rule_isolated(rule: Rule, ctx: RuleContext) -> tuple[list[Finding], bool]:
    """The rule's findings, or one alert finding saying it crashed (and True)."""
    try:
        return list(rule.check(ctx)), False
    except Exception as exc:  # a broken rule must not silence the others
        day = ctx.now.date() if ctx.now else date.today()
        crash = Finding(rule=rule.id, severity="alert", athlete=ctx.athlete.id, start=day, end=day,
                        title=f"rule {rule.id} crashed", message=f"{type(exc).__name__}: {exc}",
                        basis=("error",))  # fmt: skip
        return [crash], True


def _overlaps(finding: Finding, since: date | None, until: date | None) -> bool:
    return (since is None or finding.end >= since) and (until is None or finding.start <= until)


def audit_window(athlete: Athlete, now: datetime, since: date | None, until: date | None) -> tuple[date, date]:
    """[since, until] with defaults: until = the athlete's local today, since = DEFAULT_DAYS before it."""
    until = until or now.astimezone(athlete.tz).date()
    return since or until - timedelta(days=DEFAULT_DAYS - 1), until


def run_audit(
    store: Store,
    config: Config,
    athletes: list[Athlete],
    rules: list[Rule],
    *,
    now: datetime,
    since: date | None = None,
    until: date | None = None,
    save: bool = True,
    workers: int | None = None,
) -> AuditResult:
    """Audit each athlete over [since, until] from the store; with `save`, store the findings (not crash
    findings) and list in `new` those first seen now."""
    result = AuditResult()
    for athlete in athletes:
        first, last = audit_window(athlete, now, since, until)
        result.extend(audit_stored(store, config, athlete, rules, now=now, first=first, last=last, workers=workers,
                                   save=save))  # fmt: skip
    return result


def audit_stored(store: Store, config: Config, athlete: Athlete, rules: list[Rule], *, now: datetime, first: date,
                 last: date, history_days: int = HISTORY_DAYS, workers: int | None = None,
                 shown: Callable[[Session], bool] | None = None, save: bool = False) -> AuditResult:  # fmt: skip
    """One athlete's audit over [first, last] from the store: the sessions from `history_days` before (those
    `shown` keeps, when given), without samples, with their analyses brought up to date. With `save`, the findings
    are stored (the one place they are: a known finding keeps its first_seen; a rule's crash is not stored) and
    those first seen now are listed in `new`."""
    since = first - timedelta(days=history_days)
    analyses = fresh_analyses(store, config, athlete, since=since, until=last, workers=workers)
    sessions = store.sessions(athlete.id, since=since, until=last)
    if shown is not None:
        sessions = [s for s in sessions if shown(s)]
    wellness = store.wellness(athlete.id, since=since - timedelta(days=WELLNESS_BASELINE_DAYS), until=last)
    result = audit_sessions(athlete, sessions, rules, config, now=now, since=first, until=last, analyses=analyses,
                            load_samples=store.samples_of, wellness=wellness,
                            planned=store.planned(athlete.id, since=since, until=last))  # fmt: skip
    if save:
        result.new = store.save_findings([f for f in result.findings if "error" not in f.basis], now)
    return result
