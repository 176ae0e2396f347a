"""The weekly report: `runsync report` to stdout or a file, or by mail (`--email`, `--dry-run` for the .eml)."""

from __future__ import annotations

import sys
from datetime import date
from email.generator import BytesGenerator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from runsync import report as report_lib
from runsync.app import App
from runsync.commands._common import choose_athletes, echo_verbose, end_with, needs_app, parse_date, write_output

if TYPE_CHECKING:  # the mail and HTML side loads when a report is made, not with every command
    from runsync.mail import Outgoing

FORMATS = ("html", "json", "markdown", "text")  # report_lib.RENDERERS' keys


@click.command()
@click.option("--athlete", "athlete_id", help="Only this athlete.")
@click.option("--all", "all_", is_flag=True, help="Every athlete, led by a roll-up (the coach's report).")
@click.option("--week", callback=parse_date, help="Any day of the week to report (default: the last complete one).")
@click.option("--weeks", type=click.IntRange(0, 52), default=report_lib.DEFAULT_WEEKS, show_default=True,
              help="How many weeks before it to show.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout.")
@click.option("--email", is_flag=True, help="Mail it: per athlete to their email, the --all roll-up to [email] to.")
@click.option("--to", "to", multiple=True, help="Mail the report to this address instead (repeatable).")
@click.option("--dry-run", is_flag=True, help="With --email: write the messages (.eml) to stdout, send nothing.")
@click.option("--for", "audience", type=click.Choice(["athlete", "coach"]), default=None,
              help="Who reads it (default: coach for --all, else the athlete). A coach's report leaves out "
                   "Strava-only sessions unless the athlete shares them (share_strava_with).")  # fmt: skip
@needs_app
def report(app: App, athlete_id: str | None, all_: bool, week: date | None, weeks: int, fmt: str,
           output: Path | None, email: bool, to: tuple[str, ...], dry_run: bool,
           audience: str | None) -> None:  # fmt: skip
    """The weekly report: distance, time, runs by intensity, strength, intervals, findings (new ones marked).

    \b
    Examples:
      runsync report --athlete ana --format html -o ana.html
      runsync sync -q && runsync report --all --email      # Monday's cron line
    """
    athletes = choose_athletes(app, athlete_id, all_)
    squad = not athlete_id and (all_ or len(athletes) > 1)
    from runsync.report.outbox import ReportRequest, deliver_reports

    request = ReportRequest(athletes, squad, week, weeks, audience or ("coach" if squad else "athlete"))
    if email or to or dry_run:
        result = deliver_reports(app, request, to=to, dry_run=dry_run)
        if dry_run:
            write_eml(result.messages)
        echo_verbose(app, f"{'composed' if dry_run else 'sent'} {len(result.messages)} reports")
    else:
        result = request.build(app, app.rules())
        text = report_lib.RENDERERS[fmt](result)
        if output:
            write_output(output, text)
        else:
            click.echo(text, nl=False)
    for line in result.problems():
        click.echo(f"runsync: {line}", err=True)
    end_with(result.exit_status())


def write_eml(messages: list[Outgoing]) -> None:
    """One message: a plain .eml; several: an mbox (each preceded by a 'From ' line)."""
    out = sys.stdout.buffer
    for item in messages:
        if len(messages) > 1:
            out.write(b"From runsync " + item.message["Date"].encode() + b"\n")
        BytesGenerator(out, mangle_from_=len(messages) > 1).flatten(item.message)
        out.write(b"\n")
    out.flush()


COMMANDS = (report,)
