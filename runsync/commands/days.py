"""The athlete's days beyond the sessions: `runsync wellness` and `runsync plan`."""

from __future__ import annotations

from datetime import date, timedelta

import click

from runsync.app import App
from runsync.commands._common import needs_app, parse_date, terminal
from runsync.config import Athlete

DEFAULT_DAYS = 28


def window(app: App, athlete: Athlete, since: date | None, until: date | None, ahead: int = 0) -> tuple[date, date]:
    """[since, until] with defaults: the DEFAULT_DAYS to the athlete's local today (and `ahead` days after it)."""
    today = app.now.astimezone(athlete.tz).date()
    last = until or today + timedelta(days=ahead)
    return since or today - timedelta(days=DEFAULT_DAYS - 1), last


def chosen(app: App, athlete_id: str | None) -> list[Athlete]:
    return [app.config.athlete(athlete_id)] if athlete_id else app.config.select_athletes()


@click.command()
@click.option("--athlete", "athlete_id", help="Only this athlete.")
@click.option("--since", callback=parse_date, help="First local date (YYYY-MM-DD; default: 28 days ago).")
@click.option("--until", callback=parse_date, help="Last local date (YYYY-MM-DD; default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@needs_app
def wellness(app: App, athlete_id: str | None, since: date | None, until: date | None, fmt: str) -> None:
    """List wellness days: resting HR, HRV (rMSSD), sleep, weight, how the athlete felt.

    Synced from intervals.icu (`intervals = "i..."`) and Garmin Connect's daily summaries (`garmin = true`); where
    both have a day, intervals.icu's values win and Garmin's fill the gaps.

    \b
    Example:
      runsync wellness --athlete ana --since 2026-10-01 --format json
    """
    from runsync.report import days as render

    found = []
    for athlete in chosen(app, athlete_id):
        first, last = window(app, athlete, since, until)
        found += app.store.wellness(athlete.id, since=first, until=last)
    found.sort(key=lambda d: (d.day, d.athlete))
    if fmt == "table":
        click.echo(render.wellness_table(found, **terminal()))
    else:
        click.echo((render.wellness_days_json if fmt == "json" else render.wellness_csv)(found))


@click.command()
@click.option("--athlete", "athlete_id", help="Only this athlete.")
@click.option("--since", callback=parse_date, help="First local date (YYYY-MM-DD; default: 28 days ago).")
@click.option("--until", callback=parse_date, help="Last local date (YYYY-MM-DD; default: 14 days ahead).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@needs_app
def plan(app: App, athlete_id: str | None, since: date | None, until: date | None, fmt: str) -> None:
    """List the planned workouts (intervals.icu's calendar) and the session that did each.

    \b
    Example:
      runsync plan --athlete ana --format json
    """
    from runsync.analysis.plan import match_planned
    from runsync.report import days as render

    rows = []
    for athlete in chosen(app, athlete_id):
        first, last = window(app, athlete, since, until, ahead=14)
        planned = app.store.planned(athlete.id, since=first, until=last)
        done = match_planned(planned, app.store.sessions(athlete.id, since=first, until=last))
        rows += render.plan_rows(planned, {p: s.id for p, s in done.items()})
    rows.sort(key=lambda r: (r["date"], r["athlete"]))
    if fmt == "table":
        click.echo(render.plan_table(rows, app.config.units, **terminal()))
    else:
        click.echo((render.plan_rows_json if fmt == "json" else render.plan_csv)(rows))


COMMANDS = (wellness, plan)
