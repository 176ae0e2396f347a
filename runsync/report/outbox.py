"""Who gets which weekly report by mail, one message per recipient (each marks what is new to that reader).

Per-athlete reports go to `[athletes.<id>] email`; a coach's `--all` roll-up to `[email] to`; `--to` replaces the
recipients of the report asked for. A report is recorded as sent to a recipient only after the server accepted it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from runsync.config import Athlete, Config
from runsync.errors import ConfigError
from runsync.mailer import DEFAULT_SENDER, Outgoing, build_message, fetch_smtp_password, send_messages
from runsync.report.html import chart_cid, charts, to_html
from runsync.report.model import Report, subject
from runsync.report.render import to_text
from runsync.secrets import Secrets
from runsync.store import Store

# (athletes, recipient, squad?) → the report for that reader
Builder = Callable[[list[Athlete], str | None, bool], Report]


def recipients(
    config: Config, athletes: list[Athlete], squad: bool, to: tuple[str, ...]
) -> list[tuple[list[Athlete], str, bool]]:
    """(athletes, address, squad?) per message. With --to: the report asked for goes only there."""
    if to:
        return [(athletes, address, squad) for address in to]
    plan = [(athletes, address, True) for address in config.email.to] if squad else []
    plan += [([a], address, False) for a in athletes for address in a.email]
    if not plan:
        where = str(config.path) if config.path else "config"
        keys = "[email] to or " if squad else ""
        names = ", ".join(f"athletes.{a.id}.email" for a in athletes)
        raise ConfigError(f"{where}: nobody to mail the report to: set {keys}{names}, or pass --to ADDRESS")
    return plan


def compose(report: Report, recipient: str, sender: str | None, now: datetime) -> Outgoing:
    """The report as a mail to one recipient: text, HTML and the charts as CID images."""
    pngs = charts(report)
    html = to_html(report, {aid: f"cid:{chart_cid(aid)}" for aid in pngs})
    images = {chart_cid(aid): png for aid, png in pngs.items()}
    message = build_message(subject=subject(report), sender=sender or DEFAULT_SENDER, to=[recipient],
                            text=to_text(report), html=html, images=images, date=now.timestamp())  # fmt: skip
    return Outgoing(message, (recipient,), tuple(a.athlete for a in report.athletes))


@dataclass
class Delivery:
    """What deliver_reports did: the messages (sent, or only composed with dry_run) and the reports in them."""

    messages: list[Outgoing] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)


def deliver_reports(store: Store, config: Config, athletes: list[Athlete], *, squad: bool, to: tuple[str, ...],
                    build: Builder, now: datetime, secrets: Callable[[], Secrets], dry_run: bool = False
                    ) -> Delivery:  # fmt: skip
    """Build one report per recipient, compose the mails, send them over SMTP (unless `dry_run`) and record each
    one the server accepted. The one call cron, `runsync serve` and tests make to mail the weekly reports."""
    delivery, weeks = Delivery(), {}
    for chosen, address, as_squad in recipients(config, athletes, squad, to):
        report = build(chosen, address, as_squad)
        weeks.update({a.athlete: a.week.start for a in report.athletes})
        delivery.reports.append(report)
        delivery.messages.append(compose(report, address, config.email.sender, now))
    if not dry_run:
        password = fetch_smtp_password(config.email, secrets)
        send_messages(delivery.messages, config.email, password, on_sent=record_sent(store, weeks, now))
    return delivery


def record_sent(store: Store, weeks: dict[str, date], now: datetime) -> Callable[[Outgoing, tuple[str, ...]], None]:
    """The mailer's on_sent callback: each accepted recipient has now seen these athletes' reports."""

    def on_sent(item: Outgoing, accepted: tuple[str, ...]) -> None:
        with store.transaction():
            for address in accepted:
                for athlete in item.athletes:
                    store.save_report_sent(address, athlete, weeks[athlete], now)

    return on_sent
