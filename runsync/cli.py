"""The command line: each command is a few lines over the library. Errors map to exit statuses in one place."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import click

from runsync import __version__
from runsync.commands import LazyCommands
from runsync.errors import ExitStatus, RunsyncError, save_crash_report


def parse_now(_ctx: click.Context, param: click.Parameter, value: str | None) -> datetime:
    """--now / RUNSYNC_NOW as an aware UTC moment (a naive one is UTC); the real clock when not given."""
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"expected a time like 2026-12-07T09:00:00Z, got {value!r}", param=param) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


class RunsyncGroup(LazyCommands):
    """Maps RunsyncError subclasses to exit statuses once, for every command (beets' main())."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RunsyncError as exc:
            click.echo(f"runsync: {exc}", err=True)
            ctx.exit(int(exc.exit_status))
        except KeyboardInterrupt:
            click.echo("runsync: interrupted", err=True)
            ctx.exit(int(ExitStatus.INTERRUPTED))
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: one line for the person, the traceback in a file for the report
            if os.environ.get("RUNSYNC_DEBUG"):
                raise
            click.echo(f"runsync: internal error: {type(exc).__name__}: {exc} ({save_crash_report(exc)})", err=True)
            ctx.exit(int(ExitStatus.INTERNAL))
        finally:
            close = getattr(ctx.obj, "close", None)  # the command's App, when it opened one
            if close is not None:
                close()


@click.group(cls=RunsyncGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", envvar="RUNSYNC_CONFIG",
              help="Config file (default: RUNSYNC_CONFIG, then the platform config dir).")  # fmt: skip
@click.option("--now", "now", envvar="RUNSYNC_NOW", callback=parse_now, metavar="TIME",
              help="Act as if it were this moment (ISO 8601, UTC unless it says otherwise): re-run a past "
                   "report, or pin the clock in tests.")  # fmt: skip
@click.option("-v", "--verbose", count=True, help="Say what was done (cron stays silent without it).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.version_option(__version__, prog_name="runsync")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, now: datetime, verbose: int, quiet: bool) -> None:
    """Sync runs from your watch and Strava, and audit the training.

    \b
    Example:
      runsync sync && runsync audit --all
    """
    ctx.meta["config_path"] = config_path
    ctx.meta["now"] = now
    ctx.meta["verbose"] = -1 if quiet else verbose


def main() -> None:
    cli(prog_name="runsync")

