"""The command line: each command is a few lines over the library. Errors map to exit statuses in one place."""

from __future__ import annotations

from typing import Any

import click

from runsync import __version__
from runsync.app import App
from runsync.commands import register_commands
from runsync.errors import ExitStatus, RunsyncError


class RunsyncGroup(click.Group):
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
        finally:
            app = ctx.obj
            if isinstance(app, App):
                app.close()


@click.group(cls=RunsyncGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="RUNSYNC_CONFIG",
              help="Config file (default: RUNSYNC_CONFIG, then the platform config dir).")  # fmt: skip
@click.option("-v", "--verbose", count=True, help="Say what was done (cron stays silent without it).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.version_option(__version__, prog_name="runsync")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: int, quiet: bool) -> None:
    """Sync runs from your watch and Strava, and audit the training.

    \b
    Example:
      runsync sync && runsync audit --all
    """
    ctx.meta["config_path"] = config_path
    ctx.meta["verbose"] = -1 if quiet else verbose


def main() -> None:
    cli(prog_name="runsync")


register_commands(cli)
