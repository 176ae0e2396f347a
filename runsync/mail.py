"""Mail: build_message() (plain text + HTML with the charts as related CID images) and SMTP send.

The password comes from RUNSYNC_SMTP_PASSWORD or the secrets store (key `smtp:<username>`), never from the config
file, and is never logged. A failure names the server or the recipient: connection refused or a timeout is a
MailError (exit 5, retry next tick), a refused login an AuthError (exit 4), a refused recipient a MailError
(exit 3 for a permanent 5xx refusal: fix the address; exit 5 for a temporary 4xx one).
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from runsync.config import EmailSettings
from runsync.config.secrets import Secrets
from runsync.errors import AuthError, ExitStatus, MailError

PASSWORD_ENV = "RUNSYNC_SMTP_PASSWORD"
DEFAULT_SENDER = "runsync@localhost"


def password_key(username: str) -> str:
    return f"smtp:{username}"


@dataclass(frozen=True)
class Outgoing:
    """One message and who it is for; `athletes` are the reports it carries (recorded as sent on success)."""

    message: EmailMessage
    recipients: tuple[str, ...]
    athletes: tuple[str, ...]


def build_message(
    *,
    subject: str,
    sender: str,
    to: Iterable[str],
    text: str,
    html: str,
    images: Mapping[str, bytes] = {},  # noqa: B006 - read only: Content-ID (without <>) → PNG
    date: float | None = None,
) -> EmailMessage:
    """multipart/alternative: text/plain, then multipart/related (text/html + the PNGs it shows by cid:)."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(date, localtime=False)
    message["Message-ID"] = make_msgid("runsync")
    message.set_content(text, cte="quoted-printable")  # readable in the raw message (--dry-run), safe over any SMTP
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    html_part = message.get_payload()[1]
    for cid, png in images.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>", filename=f"{cid.split('@')[0]}.png")
    return message


def fetch_smtp_password(
    settings: EmailSettings, secrets: Callable[[], Secrets], env: Mapping[str, str] | None = None
) -> str | None:
    """RUNSYNC_SMTP_PASSWORD, else the secrets store's `smtp:<username>`; None when no username is configured."""
    env = os.environ if env is None else env
    if env.get(PASSWORD_ENV):
        return env[PASSWORD_ENV]
    if not settings.username:
        return None
    found = secrets().get(password_key(settings.username))
    if not found:
        raise AuthError(f"no SMTP password for {settings.username}: set {PASSWORD_ENV}, or store it with "
                        f"`keyring set runsync {password_key(settings.username)}`")  # fmt: skip
    return found


def send_messages(
    outgoing: list[Outgoing],
    settings: EmailSettings,
    password: str | None,
    *,
    on_sent: Callable[[Outgoing, tuple[str, ...]], None],
    context: ssl.SSLContext | None = None,
) -> None:
    """Send each message over one connection; `on_sent(item, accepted recipients)` after each accepted one.
    Refused recipients are collected and raised after the others were tried; connection and login errors at once."""
    refused: list[str] = []
    permanent = False
    with smtp_connection(settings, password, context) as smtp:
        for item in outgoing:
            try:
                rejected = smtp.send_message(item.message, to_addrs=list(item.recipients))
            except smtplib.SMTPRecipientsRefused as exc:
                rejected = exc.recipients
            except smtplib.SMTPSenderRefused as exc:
                raise MailError(f"{_where(settings)} refused the sender {exc.sender}: {_reply(exc)}") from None
            except (smtplib.SMTPException, OSError) as exc:
                raise MailError(
                    f"sending to {', '.join(item.recipients)} via {_where(settings)} failed: {exc}"
                ) from None
            accepted = tuple(r for r in item.recipients if r not in rejected)
            if accepted:
                on_sent(item, accepted)
            refused += [f"{r} ({code} {_text(reply)})" for r, (code, reply) in rejected.items()]
            permanent = permanent or any(code >= 500 for code, _ in rejected.values())
    if refused:
        error = MailError(f"{_where(settings)} refused recipient {'; '.join(refused)}; the other messages were sent")
        error.exit_status = ExitStatus.CONFIG if permanent else ExitStatus.TEMPORARY
        raise error


@contextmanager
def smtp_connection(
    settings: EmailSettings, password: str | None, context: ssl.SSLContext | None = None
) -> Iterator[smtplib.SMTP]:
    """A connected, logged-in SMTP session (starttls | ssl | none); errors name the server."""
    context = context or ssl.create_default_context()
    try:
        if settings.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout_s, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
        if settings.security == "starttls":
            smtp.starttls(context=context)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(
            f"cannot reach the SMTP server {_where(settings)} ([email] host, port, security): {exc}"
        ) from None
    try:
        _login(smtp, settings, password)
        yield smtp
    finally:
        _quit(smtp)


def _login(smtp: smtplib.SMTP, settings: EmailSettings, password: str | None) -> None:
    if not settings.username:
        return
    try:
        smtp.login(settings.username, password or "")
    except smtplib.SMTPAuthenticationError as exc:
        raise AuthError(f"{_where(settings)} refused the login of {settings.username} ({exc.smtp_code} "
                        f"{_text(exc.smtp_error)}): check the password ({PASSWORD_ENV} or the keyring entry "
                        f"runsync {password_key(settings.username)})") from None  # fmt: skip
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"login to {_where(settings)} as {settings.username} failed: {exc}") from None


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _where(settings: EmailSettings) -> str:
    return f"{settings.host}:{settings.port}"


def _reply(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}"


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
