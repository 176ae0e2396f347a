"""The weekly report: `runsync report` to stdout or a file, or by mail (`--email`, `--dry-run` for the .eml)."""

from __future__ import annotations

import sys
from datetime import date
from email.generator import BytesGenerator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from runsync import audit as audit_lib
from runsync import report as report_lib
from runsync.app import App
from runsync.commands._common import choose_athletes, echo_verbose, needs_app, parse_date, write_output
from runsync.errors import ExitStatus

if TYPE_CHECKING:  # the mail and HTML side loads when a report is made, not with every command
    from runsync.mailer import Outgoing
    from runsync.report.outbox import Builder

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
    build = _builder(app, week, weeks, audience or ("coach" if squad else "athlete"))
    if email or to or dry_run:
        from runsync.report.outbox import deliver_reports

        delivery = deliver_reports(app.store, app.config, athletes, squad=squad, to=to, build=build, now=app.now,
                                   secrets=lambda: app.secrets, dry_run=dry_run)  # fmt: skip
        if dry_run:
            write_eml(delivery.messages)
        echo_verbose(app, f"{'composed' if dry_run else 'sent'} {len(delivery.messages)} reports")
        return exit_for(delivery.reports)
    built = build(athletes, None, squad)
    text = report_lib.RENDERERS[fmt](built)
    if output:
        write_output(output, text)
    else:
        click.echo(text, nl=False)
    exit_for([built])


def _builder(app: App, week: date | None, weeks: int, audience: str) -> Builder:
    """(athletes, recipient, squad) → Report, with the enabled rules and this run's `now`. A mail is for the athlete
    when it goes to the athlete's own address, else for a coach; printed, it is for `audience`."""
    rules = audit_lib.selected_rules(audit_lib.installed_checked(app.plugin_manager(), app.config), app.config)

    def build(athletes: list, recipient: str | None, squad: bool) -> report_lib.Report:
        own = len(athletes) == 1 and recipient in athletes[0].email
        reader = audience if recipient is None else "athlete" if own else "coach"
        return report_lib.build_report(app.store, app.config, athletes, rules, now=app.now, week=week, weeks=weeks,
                                       squad=squad, recipient=recipient, audience=reader)  # fmt: skip

    return build


def exit_for(reports: list[report_lib.Report]) -> None:
    """7 when a rule crashed (named), 6 when an athlete's report failed; the rest was printed or mailed."""
    crashed = sorted({c for r in reports for c in r.crashed})
    failed = sorted({a for r in reports for a in r.failed})
    if crashed:
        click.echo(f"runsync: rule crashed: {', '.join(crashed)}", err=True)
    if failed:
        click.echo(f"runsync: the report failed for {', '.join(failed)}; the others were built", err=True)
    if crashed or failed:
        click.get_current_context().exit(int(ExitStatus.PLUGIN if crashed else ExitStatus.PARTIAL))


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
