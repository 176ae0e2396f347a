"""What every command shares: the App for this invocation, date options, progress on a TTY."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import click

from runsync.app import App
from runsync.config import Athlete
from runsync.errors import TemporaryError, UsageError
from runsync.sources.report import SyncReport


def app_of(ctx: click.Context) -> App:
    if not isinstance(ctx.obj, App):
        ctx.obj = App.load(ctx.meta["config_path"], verbose=ctx.meta["verbose"], now=ctx.meta.get("now"))
    return ctx.obj


def needs_app(f: Any) -> Any:
    """Decorator: call the command with the loaded App as its first argument."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(f, app_of(ctx), *args, **kwargs)

    return click.decorators.update_wrapper(wrapper, f)


def terminal() -> dict[str, Any]:
    """How text for stdout is laid out: the terminal's width and colour when stdout is one (and NO_COLOR is not
    set), else plain lines wrapped at the default width (cron mail, pipes, files)."""
    if not sys.stdout.isatty():
        return {"width": None, "colour": False}
    return {"width": shutil.get_terminal_size((100, 24)).columns, "colour": not os.environ.get("NO_COLOR")}


def choose_athletes(app: App, athlete_id: str | None, all_: bool) -> list[Athlete]:
    """--athlete ID or --all (the default: every configured athlete); both at once is a usage error."""
    if athlete_id and all_:
        raise UsageError("choose --athlete ID or --all, not both")
    return [app.config.athlete(athlete_id)] if athlete_id else app.config.select_athletes()


def parse_date(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date like 2026-10-12, got {value!r}", param=param) from None


@contextlib.contextmanager
def progress_line(app: App, label: str) -> Iterator[Callable[[SyncReport], None]]:
    """A callback drawing one line of counts on stderr as an import goes (only on a TTY, never under cron or -q):
    'importing: 1,204/16,276 files, 310 sessions, 12 skipped, 2 failed'."""
    shown = {"at": 0.0, "drawn": False}
    live = app.verbose >= 0 and sys.stderr.isatty()

    def draw(report: SyncReport) -> None:
        now = time.monotonic()
        if not live or now - shown["at"] < 0.1:
            return
        seen = len(report.imported) + report.unchanged + len(report.failed) + len(report.still_failing) + len(
            report.not_activities) + report.skipped  # fmt: skip
        total = f"/{report.total:,}" if report.total else ""
        parts = [f"{seen:,}{total} files", f"{report.sessions:,} sessions"]
        parts += [f"{n:,} {what}" for n, what in ((report.skipped, "skipped"), (len(report.failed), "failed")) if n]
        click.echo(f"\r{label}: {', '.join(parts)}\033[K", nl=False, err=True)
        shown.update(at=now, drawn=True)

    try:
        yield draw
    finally:
        if shown["drawn"]:
            click.echo("\r\033[K", nl=False, err=True)


@contextlib.contextmanager
def progress_bar(verbose: int, label: str) -> Iterator[Callable[[int, int], None]]:
    """A callback `advance(done, total)` drawing a bar on stderr when it is a TTY (nothing under cron or -q)."""
    state: dict[str, Any] = {}

    def advance(done: int, total: int) -> None:
        if verbose < 0 or not sys.stderr.isatty():
            return
        if done == 0 or "bar" not in state:  # a new batch (the next athlete): a new bar
            close()
            state["bar"] = click.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
            state["done"] = 0
        state["bar"].update(done - state["done"])
        state["done"] = done

    def close() -> None:
        if "bar" in state:
            state.pop("bar").__exit__(None, None, None)

    try:
        yield advance
    finally:
        close()


def write_output(path: Path, text: str) -> None:
    """Write a file the person named (-o): any OSError is one line naming the path (disk full: exit 5; a missing
    folder, a directory or no permission: exit 2, the argument is wrong)."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise TemporaryError(f"cannot write {path}: {reason}") from None
        raise UsageError(f"cannot write {path}: {reason}") from None


def echo_verbose(app: App, message: str) -> None:
    if app.verbose > 0:
        click.echo(message, err=True)


def end_with(status: int) -> None:
    """End the command with this exit status: a command's last line, `end_with(result.exit_status())` (0 returns,
    so a command invoked by another, as the demo invokes audit, carries on)."""
    if status:
        click.get_current_context().exit(int(status))
