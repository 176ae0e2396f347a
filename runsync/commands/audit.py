"""Audit commands: audit, rules, log strength."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from runsync import audit as audit_lib
from runsync.app import App
from runsync.commands._common import (
    choose_athletes,
    echo_verbose,
    end_with,
    needs_app,
    parse_date,
    progress_bar,
    terminal,
)
from runsync.errors import UsageError
from runsync.model import SEVERITIES
from runsync.report.findings import RENDERERS, findings_json, findings_text
from runsync.rules import is_enabled, rule_config
from runsync.sources.manual import StrengthEntry, manual_strength_session, parse_strength_csv


@click.command()
@click.option("--athlete", "athlete_id", help="Only this athlete.")
@click.option("--all", "all_", is_flag=True, help="Every configured athlete (the default).")
@click.option("--since", callback=parse_date, help="First local date (default: 6 weeks before --until).")
@click.option("--until", callback=parse_date, help="Last local date (default: today).")
@click.option("--rule", "rule_ids", multiple=True, help="Only this rule (repeatable); see `runsync rules`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(SEVERITIES), help="Exit 10 when a finding is at least this severe.")
@click.option("--strict", is_flag=True, help="A plugin that fails to load is an error (exit 7), not a warning.")
@needs_app
def audit(app: App, athlete_id: str | None, all_: bool, since: date | None, until: date | None,
          rule_ids: tuple[str, ...], fmt: str, fail_on: str | None, strict: bool) -> None:  # fmt: skip
    """Audit the training: easy days, interval sessions, mileage ramp (and any plugin's rules).

    \b
    Example (a coach on Monday morning):
      runsync audit --all --since 2026-10-05 --fail-on warning
    """
    rules = app.rules(rule_ids, strict=strict)
    result = audit_lib.run_audit(app.store, app.config, choose_athletes(app, athlete_id, all_), rules,
                                 now=app.now, since=since, until=until)  # fmt: skip
    new = {f.key for f in result.new}
    if fmt == "text":
        click.echo(findings_text(result.findings, new, **terminal()))
    else:
        click.echo(findings_json(result.findings) if fmt == "json" else RENDERERS[fmt](result.findings, new))
    echo_verbose(app, f"{len(result.findings)} findings, {len(result.new)} new, {len(rules)} rules")
    if result.crashed:
        click.echo(f"runsync: rule crashed: {', '.join(result.crashed)}", err=True)
    end_with(result.exit_status(fail_on))


@click.command()
@click.option("--strict", is_flag=True, help="A plugin that fails to load is an error (exit 7).")
@needs_app
def rules(app: App, strict: bool) -> None:
    """List the installed rules: id, plugin, enabled, effective config.

    \b
    Example:
      runsync rules
    """
    for installed in app.installed_rules(strict):
        rule = installed.rule
        state = "enabled" if is_enabled(rule, app.config) else "disabled"
        click.echo(f"{rule.id}\t{state}\t{installed.plugin}\t{rule.description}")
        for key, value in rule_config(rule, app.config).items():
            click.echo(f"    {key} = {_toml(value)}")
        for what in rule.needs:
            if not app.store.holds(what):
                click.echo(f"    (silent: {NEEDS.get(what, what)})")


NEEDS = {"wellness": "no wellness days are stored; they come from intervals.icu (athletes.<id>.intervals) or Garmin "
                     "Connect (garmin = true)",
         "planned": "no planned workouts are stored; they come from intervals.icu's calendar (athletes.<id>.intervals)"}


def _toml(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else repr(value) if isinstance(value, str) else str(value)


@click.group()
def log() -> None:
    """Log training done without a watch.

    \b
    Example:
      runsync log strength --athlete ana --date 2026-10-12 --minutes 30 --note "squats, lunges"
    """


@log.command()
@click.option("--athlete", "athlete_id", help="Whose session (needed when several are configured).")
@click.option("--date", "day", callback=parse_date, help="Local date (YYYY-MM-DD).")
@click.option("--minutes", type=click.FloatRange(1, 600), help="How long.")
@click.option("--note", help="What was done.")
@click.option("--rpe", type=click.FloatRange(1, 10), help="How hard it was, 1-10 (its training load: RPE × minutes).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Log many: a CSV file with columns date,minutes,note[,rpe].")  # fmt: skip
@needs_app
def strength(app: App, athlete_id: str | None, day: date | None, minutes: float | None, note: str | None,
             rpe: float | None, csv_path: Path | None) -> None:  # fmt: skip
    """Log a strength session (it counts as strength work for the mileage-ramp audit).

    \b
    Example:
      runsync log strength --athlete ana --date 2026-10-12 --minutes 30 --note "squats, lunges" --rpe 6
      runsync log strength --athlete ana --csv gym.csv
    """
    athlete = app.config.athlete(athlete_id) if athlete_id else app.config.default_athlete()
    if csv_path is not None:
        entries = parse_strength_csv(csv_path.read_text(encoding="utf-8"), str(csv_path))
    elif day is None or minutes is None:
        raise UsageError("log strength needs --date and --minutes (or --csv FILE)")
    else:
        entries = [StrengthEntry(day, minutes, note, rpe)]
    with app.store.transaction():
        for entry in entries:
            app.store.save_session(manual_strength_session(athlete, entry))
    echo_verbose(app, f"logged {len(entries)} strength sessions for {athlete.id}")


@click.command()
@click.option("--athlete", "athletes", multiple=True, help="Only this athlete (repeatable; default: every one).")
@click.option("--force", is_flag=True, help="Recompute every analysis, not only the stale ones.")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Processes (default: one per core).")
@needs_app
def reanalyse(app: App, athletes: tuple[str, ...], force: bool, workers: int | None) -> None:
    """Bring every stored session analysis up to date (or recompute all with --force).

    Analyses are computed when sessions are stored and recomputed by themselves when what they depend on changes
    (thresholds in the config, the analysis code); this does it for the whole history now, in parallel.

    \b
    Example (after changing max_hr or lthr in the config):
      runsync reanalyse --athlete ana
    """
    from runsync.analysis.refresh import refresh_athletes

    with progress_bar(app.verbose, "analysing") as advance:
        stats = refresh_athletes(app.store, app.config, app.config.select_athletes(athletes), workers=workers,
                                 on_progress=advance, force=force)  # fmt: skip
    for session_id, reason in stats.degraded:
        click.echo(f"warning: the analysis of {session_id} failed: {reason} (its intensity is unknown)", err=True)
    echo_verbose(app, f"{stats.checked} sessions checked, {stats.recomputed} analysed, {stats.efforts} best efforts")


COMMANDS = (audit, rules, log, reanalyse)
