"""Core commands: init, demo, sync, import, sessions, athletes."""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from runsync.app import App
from runsync.commands._common import (
    app_of,
    echo_verbose,
    end_with,
    needs_app,
    parse_date,
    progress_bar,
    progress_line,
    terminal,
)
from runsync.config import Athlete, find_config_path
from runsync.errors import UsageError
from runsync.model import Session

if TYPE_CHECKING:  # the pipeline, the analysis and the writers load with the command that uses them
    from runsync.analysis import SessionAnalysis
    from runsync.sources.report import SyncReport


@click.command()
@click.option("--athlete", "athlete_id", default="me", show_default=True, help="Id of the first athlete.")
@click.option("--name", help="The athlete's name.")
@click.option("--timezone", help="IANA timezone, e.g. Europe/London (default: this machine's).")
@click.option("--fit-dir", "fit_dirs", multiple=True, type=click.Path(file_okay=False), help="Watch folder.")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.pass_context
def init(ctx: click.Context, athlete_id: str, name: str | None, timezone: str | None, fit_dirs: tuple[str, ...],
         force: bool) -> None:  # fmt: skip
    """Write a starter config file.

    \b
    Example:
      runsync init --athlete ana --timezone Europe/Madrid --fit-dir /media/GARMIN/Garmin/Activity
    """
    path = find_config_path(ctx.meta["config_path"])
    from runsync.config.starter import missing_folders, write_starter_config

    write_starter_config(path, athlete_id, name=name, timezone=timezone, fit_dirs=fit_dirs, force=force)
    for folder in missing_folders(fit_dirs):
        click.echo(f"warning: watch folder {folder} does not exist (yet): plug the watch in, or fix "
                   f"athletes.{athlete_id}.fit_dirs in {path}", err=True)  # fmt: skip
    click.echo(f"wrote {path}; next: runsync sync", err=True)


STILL_FAILING_LISTED = 3  # files that failed on an earlier run are listed one per line up to this many
FAILED_LISTED = 20  # failures of this run listed one per line; past that one line counts the rest


def report_sync(app: App, report: SyncReport) -> None:
    """Failures always go to stderr (one line each, the first FAILED_LISTED of them, then one line counting the
    rest); the summary only with -v."""
    for path, reason in report.failed[:FAILED_LISTED]:
        click.echo(f"skipped {path}: {reason}", err=True)
    if len(report.failed) > FAILED_LISTED:
        rest = report.failed[FAILED_LISTED:]
        reasons = Counter(reason.split(" (")[0] for _, reason in rest).most_common(3)
        common = "; ".join(f"{n} × {why}" for why, n in reasons)
        click.echo(f"skipped {len(rest)} more ({common}); `runsync status` lists every failing file", err=True)
    still = report.still_failing
    if 0 < len(still) <= STILL_FAILING_LISTED:
        for path, reason, since in still:
            click.echo(f"still failing since {since}: {path}: {reason}", err=True)
    elif still:
        oldest = min(since for _, _, since in still)
        click.echo(f"{len(still)} files still fail to import (the oldest since {oldest}); `runsync status` lists "
                   "them", err=True)  # fmt: skip
    for note in report.notes:
        echo_verbose(app, note)
    for error in report.errors:
        click.echo(f"runsync: {error}", err=True)
    if report.failed or report.still_failing:
        click.echo(f"{len(report.failed) + len(still)} failed; {report.summary()}", err=True)
    else:
        echo_verbose(app, report.summary())


@click.command(name="sync")
@click.option("--athlete", "athletes", multiple=True, help="Only this athlete (repeatable).")
@click.option("--fit-dir", "fit_dirs", multiple=True, type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Also import this folder of activity files (for the one athlete chosen).")  # fmt: skip
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes decoding files (default: one per core; 1: no worker processes).")  # fmt: skip
@click.option("--wait", is_flag=True, help="PostgreSQL store: also run the queued jobs here and wait for them.")
@click.option("--all", "all_", is_flag=True, help="Every configured athlete (the default without --athlete).")
@needs_app
def sync_command(app: App, athletes: tuple[str, ...], fit_dirs: tuple[Path, ...], workers: int | None,
                 wait: bool, all_: bool) -> None:  # fmt: skip
    """Import new activities from every configured source.

    On a PostgreSQL store ([storage] url) this queues one job per athlete and source for `runsync worker`
    processes and returns; --wait runs them here too and waits until they are done.

    \b
    Example (nightly from cron):
      runsync sync -q
    """
    if athletes and all_:
        raise UsageError("choose --athlete ID or --all, not both")
    chosen = app.config.select_athletes(athletes)
    if fit_dirs and len(chosen) > 1:
        raise UsageError("--fit-dir needs one athlete: add --athlete ID")
    if app.store.shared and not fit_dirs:
        return sync_jobs(app, [a.id for a in chosen], wait=wait)
    from runsync.sync import run_sync

    with progress_line(app, "syncing") as progress:
        report = run_sync(app.store, chosen, extra_fit_dirs=fit_dirs, config=app.config, workers=workers, now=app.now,
                          on_item=progress)  # fmt: skip
    finish(app, report)


def sync_jobs(app: App, athletes: list[str], *, wait: bool) -> None:
    """Queue the athletes' sync jobs; with `wait`, work them here and report how they ended."""
    from runsync.sync.worker import enqueue_syncs, wait_for

    ids = enqueue_syncs(app, athletes)
    if not wait:
        echo_verbose(app, f"queued {len(ids)} sync jobs for {len(athletes)} athletes; `runsync worker` runs them")
        return
    waited = wait_for(app, ids)
    for line in waited.problems():
        click.echo(f"runsync: {line}", err=True)
    echo_verbose(app, waited.summary())
    end_with(waited.exit_status())


@click.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--athlete", "athlete_id", help="Whose activities these are (needed when several are configured).")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Processes (default: one per core).")
@needs_app
def import_command(app: App, paths: tuple[Path, ...], athlete_id: str | None, workers: int | None) -> None:
    """Import activity files (FIT, GPX, TCX, also gzipped), folders of them, or a Strava or Garmin export archive.

    \b
    Examples:
      runsync import --athlete ana ~/Downloads/*.fit ~/Downloads/*.gpx.gz
      runsync import --athlete ana ~/Downloads/export_12345.zip      # Strava's bulk export
      runsync import --athlete ana ~/Downloads/garmin-export.zip     # Garmin Connect's data export
    """
    from runsync.sync import import_paths

    athlete = app.config.athlete(athlete_id) if athlete_id else app.config.default_athlete()
    with app.store.lock([athlete.id]), progress_line(app, "importing") as progress:
        report = import_paths(app.store, paths, athlete, config=app.config, workers=workers, on_item=progress)
    finish(app, report)


def finish(app: App, report: SyncReport) -> None:
    report_sync(app, report)
    end_with(report.exit_status())


@click.command()
@click.option("--athlete", "athlete_id", help="Only this athlete.")
@click.option("--since", callback=parse_date, help="First local date (YYYY-MM-DD).")
@click.option("--until", callback=parse_date, help="Last local date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@needs_app
def sessions(app: App, athlete_id: str | None, since: date | None, until: date | None, fmt: str) -> None:
    """List sessions by the athlete's local date.

    \b
    Example:
      runsync sessions --athlete ana --since 2026-10-01 --format json
    """
    from runsync.report import export

    if athlete_id:
        app.config.athlete(athlete_id)
    found = app.store.sessions(athlete_id, since=since, until=until)
    analyses = analyses_named(app, found)
    lookup = intensity_lookup(analyses)
    if fmt == "table":
        click.echo(export.sessions_table(found, lookup, units_lookup(app), **terminal()))
    else:
        basis = lambda s: intensity_basis_of(analyses.get(s.id), s)  # noqa: E731
        click.echo((export.sessions_json if fmt == "json" else export.sessions_csv)(found, lookup, basis))


def units_lookup(app: App) -> Callable[[str], str]:
    """athlete id → km or mi (an athlete no longer configured: [report] units)."""
    return lambda athlete: a.units if (a := app.config.athletes.get(athlete)) else app.config.units


def analyses_named(app: App, sessions: list[Session]) -> dict[str, SessionAnalysis]:
    """The sessions' stored analyses; a session whose analysis failed is named."""
    analyses = app.analyses_of(sessions)
    for session in sessions:
        if (found := analyses.get(session.id)) is not None and found.error:
            click.echo(f"warning: intensity unknown for {session.id} ({session.local_date}): {found.error}", err=True)
    return analyses


def strava_capacity_advice(app: App) -> list[str]:
    """A warning before the Strava app's athlete limit bites: the config names more Strava athletes than the app
    may connect, or the app is full (from the capacity Strava reported on the last sync)."""
    wanted = [a.id for a in app.config.athletes.values() if a.strava]
    if not wanted:
        return []
    from runsync.sources.strava.sync import APP_WIDE, CAPACITY, SOURCE

    known = app.store.state(APP_WIDE, SOURCE, CAPACITY)
    from runsync.sources.strava.refusal import STANDARD_TIER_ATHLETES, TIERS_PAGE

    connected, limit = known if known else (None, STANDARD_TIER_ATHLETES)
    if len(wanted) > limit:
        return [f"{len(wanted)} athletes use Strava in the config, but the Strava app may connect {limit} "
                f"(Standard tier; more needs Extended Access: {TIERS_PAGE}); the others will be refused (exit 4)"]
    if connected is not None and connected >= limit:
        return [f"the Strava app is full ({connected} of {limit} athletes connected): a new athlete will be refused"]
    return []


def unjudged_runs_advice(app: App, athlete: Athlete) -> list[str]:
    """A line naming the config key when some of the athlete's runs have no intensity reference."""
    from runsync.analysis.refresh import fresh_analyses
    from runsync.analysis.session import NO_REFERENCE, no_reference_advice

    analyses = fresh_analyses(app.store, app.config, athlete)
    unjudged = sum(1 for a in analyses.values() if a.intensity_basis == NO_REFERENCE)
    return [no_reference_advice(athlete, unjudged)] if unjudged else []


def intensity_lookup(analyses: dict[str, SessionAnalysis]) -> Callable[[Session], str | None]:
    """Session → easy | moderate | hard from its analysis (None: unknown)."""
    return lambda s: a.intensity.level if (a := analyses.get(s.id)) is not None and a.intensity else None


def intensity_basis_of(analysis: SessionAnalysis | None, session: Session) -> str | None:
    if analysis is None or not session.is_run:
        return None
    return f"unknown: the analysis failed ({analysis.error})" if analysis.error else analysis.intensity_basis


@click.command()
@needs_app
def athletes(app: App) -> None:
    """List configured athletes, their sources and what is stored.

    \b
    Example:
      runsync athletes
    """
    from runsync.sync.status import source_line, source_states

    counts = app.store.athletes_with_sessions()
    advice = []
    for athlete in app.config.athletes.values():
        sources = [source_line(src) for src in source_states(app.store, athlete, lambda: app.secrets, app.now)]
        line = f"{athlete.id}\t{athlete.name}\t{athlete.timezone}\t{counts.get(athlete.id, 0)} sessions"
        click.echo(line + "\t" + ("; ".join(sources) or "no sources"))
        advice += unjudged_runs_advice(app, athlete) if counts.get(athlete.id) else []
    advice += strava_capacity_advice(app)
    for line in advice:
        click.echo(f"note: {line}", err=True)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@needs_app
def status(app: App, fmt: str) -> None:
    """Show per athlete and source the last sync, files that still fail, token state, and the writer lock.

    \b
    Example:
      runsync status --format json
    """
    from runsync.sync.status import collect_status, status_json, status_text

    found = collect_status(app.store, app.config, lambda: app.secrets, app.now)
    click.echo(status_json(found) if fmt == "json" else status_text(found))


@click.command()
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the demo config, FIT files and database.")  # fmt: skip
@click.pass_context
def demo(ctx: click.Context, folder: Path | None) -> None:
    """Write six weeks of sample watch files for a demo squad, sync them, show the sessions and audit them.

    \b
    Example:
      runsync demo && runsync --config ~/.local/share/runsync/demo/config.toml report --all
    """
    from runsync.demo import setup_demo

    with progress_bar(ctx.meta["verbose"], "writing demo files") as advance:
        config_path, first_day = setup_demo(folder, now=ctx.meta["now"], on_progress=advance)
    ctx.meta["config_path"] = str(config_path)
    app = app_of(ctx)
    from runsync.report import export
    from runsync.sync import run_sync

    with progress_line(app, "importing demo") as progress:
        report = run_sync(app.store, app.config.select_athletes(), config=app.config, now=app.now, on_item=progress)
    report_sync(app, report)
    found = app.store.sessions()[-14:]
    lookup = intensity_lookup(analyses_named(app, found))
    click.echo(export.sessions_table(found, lookup, units_lookup(app), **terminal()))
    click.echo("\nAudit of the demo weeks:")
    from runsync.commands.audit import audit

    ctx.invoke(audit, athlete_id=None, all_=True, since=first_day, until=None, rule_ids=(), fmt="text", fail_on=None,
               strict=False)  # fmt: skip
    click.echo(f"\n{report.sessions} sessions imported for the demo squad ({', '.join(app.config.athletes)}).",
               err=True)  # fmt: skip
    clock = ""  # a demo planted around --now is read around it too
    if ctx.find_root().get_parameter_source("now") is click.core.ParameterSource.COMMANDLINE:
        clock = f" --now {ctx.meta['now'].isoformat().replace('+00:00', 'Z')}"
    for command in ("audit --all --format json", "report --all", "report --all --format html -o report.html"):
        click.echo(f"Try: runsync --config {shlex.quote(str(config_path))}{clock} {command}", err=True)


COMMANDS = (init, demo, sync_command, import_command, sessions, athletes, status)
