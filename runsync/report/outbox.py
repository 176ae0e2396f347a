"""Who gets which weekly report by mail, one message per recipient (each marks what is new to that reader).

Per-athlete reports go to `[athletes.<id>] email`; a coach's `--all` roll-up to `[email] to`; `--to` replaces the
recipients of the report asked for. A report is recorded as sent to a recipient only after the server accepted it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from runsync.config import Athlete, Config
from runsync.errors import ConfigError, ExitStatus
from runsync.mail import DEFAULT_SENDER, Outgoing, build_message, fetch_smtp_password, send_messages
from runsync.report.build import DEFAULT_WEEKS, build_report
from runsync.report.html import chart_cid, charts, to_html
from runsync.report.model import Report, subject
from runsync.report.render import to_text
from runsync.store import Store

if TYPE_CHECKING:
    from runsync.app import App
    from runsync.rules import Rule


@dataclass(frozen=True)
class ReportRequest:
    """Which report: the athletes, a roll-up for a coach (`squad`), the week (any day in it; default each athlete's
    last complete one) and how many weeks before it, and who reads it when printed (a mail's reader is told by its
    address: the athlete's own, else a coach)."""

    athletes: list[Athlete]
    squad: bool = False
    week: date | None = None
    weeks: int = DEFAULT_WEEKS
    audience: str = "athlete"

    def build(self, app: App, rules: list[Rule], recipient: str | None = None,
              athletes: list[Athlete] | None = None, squad: bool | None = None) -> Report:  # fmt: skip
        """The report for `recipient` (None: printed) over `athletes` (default: the request's)."""
        chosen = self.athletes if athletes is None else athletes
        own = recipient is not None and len(chosen) == 1 and recipient in chosen[0].email
        reader = self.audience if recipient is None else "athlete" if own else "coach"
        return build_report(app.store, app.config, chosen, rules, now=app.now, week=self.week, weeks=self.weeks,
                            squad=self.squad if squad is None else squad, recipient=recipient,
                            audience=reader)  # fmt: skip


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

    def problems(self) -> list[str]:
        return list(dict.fromkeys(line for r in self.reports for line in r.problems()))

    def exit_status(self) -> ExitStatus:
        """The most urgent of the reports' statuses (a rule crashed: 7; an athlete's report failed: 6)."""
        return min((s for r in self.reports if (s := r.exit_status())), default=ExitStatus.OK)


def deliver_reports(app: App, request: ReportRequest, *, to: tuple[str, ...] = (), dry_run: bool = False,
                    rules: list[Rule] | None = None, unsent_only: bool = False) -> Delivery:  # fmt: skip
    """Build one report per recipient (with the enabled rules, or `rules`), compose the mails, send them over SMTP
    (unless `dry_run`) and record each one the server accepted. The one call cron, `runsync serve` and tests make to
    mail the weekly reports. `unsent_only` (a scheduled mail, retried): a recipient who already has the request's
    week of every athlete in the message is skipped."""
    config, rules = app.config, app.rules() if rules is None else rules
    delivery, weeks = Delivery(), {}
    for chosen, address, as_squad in recipients(config, request.athletes, request.squad, to):
        if unsent_only and request.week and all(app.store.report_was_sent(address, a.id, request.week) for a in chosen):
            continue
        report = request.build(app, rules, address, chosen, as_squad)
        weeks.update({a.athlete: a.week.start for a in report.athletes})
        delivery.reports.append(report)
        delivery.messages.append(compose(report, address, config.email.sender, app.now))
    if not dry_run:
        password = fetch_smtp_password(config.email, lambda: app.secrets)
        send_messages(delivery.messages, config.email, password, on_sent=record_sent(app.store, weeks, app.now))
    return delivery


def record_sent(store: Store, weeks: dict[str, date], now: datetime) -> Callable[[Outgoing, tuple[str, ...]], None]:
    """The mailer's on_sent callback: each accepted recipient has now seen these athletes' reports."""

    def on_sent(item: Outgoing, accepted: tuple[str, ...]) -> None:
        with store.transaction():
            for address in accepted:
                for athlete in item.athletes:
                    store.save_report_sent(address, athlete, weeks[athlete], now)

    return on_sent
