"""The weekly report: `runsync report` to stdout or a file, or by mail (`--email`, `--dry-run` for the .eml)."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from email.generator import BytesGenerator
from pathlib import Path

import click

from runsync import audit as audit_lib
from runsync import report as report_lib
from runsync.app import App
from runsync.commands._common import choose_athletes, echo_verbose, needs_app, parse_date
from runsync.config import Athlete
from runsync.mailer import Outgoing, fetch_smtp_password, send_messages
from runsync.report.outbox import Builder, outbox, record_sent


def _athletes(app: App, athlete_id: str | None, all_: bool) -> tuple[list[Athlete], bool]:
    """The athletes and whether this is a squad report (--all, or no --athlete with several configured)."""
    chosen = choose_athletes(app, athlete_id, all_)
    return chosen, not athlete_id and (all_ or len(chosen) > 1)


@click.command()
@click.option("--athlete", "athlete_id", help="Only this athlete.")
@click.option("--all", "all_", is_flag=True, help="Every athlete, led by a roll-up (the coach's report).")
@click.option("--week", callback=parse_date, help="Any day of the week to report (default: the last complete one).")
@click.option("--weeks", type=click.IntRange(0, 52), default=report_lib.DEFAULT_WEEKS, show_default=True,
              help="How many weeks before it to show.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(sorted(report_lib.RENDERERS)), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE, not stdout.")
@click.option("--email", is_flag=True, help="Mail it: per athlete to their email, the --all roll-up to [email] to.")
@click.option("--to", "to", multiple=True, help="Mail the report to this address instead (repeatable).")
@click.option("--dry-run", is_flag=True, help="With --email: write the messages (.eml) to stdout, send nothing.")
@needs_app
def report(app: App, athlete_id: str | None, all_: bool, week: date | None, weeks: int, fmt: str,
           output: Path | None, email: bool, to: tuple[str, ...], dry_run: bool) -> None:  # fmt: skip
    """The weekly report: distance, time, runs by intensity, strength, intervals, findings (new ones marked).

    \b
    Examples:
      runsync report --athlete ana --format html -o ana.html
      runsync sync -q && runsync report --all --email      # Monday's cron line
    """
    athletes, squad = _athletes(app, athlete_id, all_)
    now = datetime.now(UTC)
    build = _builder(app, now, week, weeks)
    if email or to or dry_run:
        return mail_reports(app, athletes, squad, to, dry_run, build, now)
    text = report_lib.RENDERERS[fmt](build(athletes, None, squad))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _builder(app: App, now: datetime, week: date | None, weeks: int) -> Builder:
    """(athletes, recipient, squad) → Report, with the enabled rules and this run's `now`."""
    rules = audit_lib.selected_rules(audit_lib.installed_checked(app.plugin_manager(), app.config), app.config)

    def build(athletes: list[Athlete], recipient: str | None, squad: bool) -> report_lib.Report:
        return report_lib.build_report(app.store, app.config, athletes, rules, now=now, week=week, weeks=weeks,
                                       squad=squad, recipient=recipient)  # fmt: skip

    return build


def mail_reports(app: App, athletes: list[Athlete], squad: bool, to: tuple[str, ...], dry_run: bool, build: Builder,
                 now: datetime) -> None:  # fmt: skip
    """Send one message per recipient (or write them with --dry-run); record each one the server accepted."""
    messages, weeks = outbox(app.config, athletes, squad, to, build, now)
    if dry_run:
        return write_eml(messages)
    password = fetch_smtp_password(app.config.email, lambda: app.secrets)
    send_messages(messages, app.config.email, password, on_sent=record_sent(app.store, weeks, now))
    echo_verbose(app, f"sent {len(messages)} reports: {', '.join(r for m in messages for r in m.recipients)}")


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
