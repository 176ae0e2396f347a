"""The CLI commands, one module per area; each module lists its commands in COMMANDS."""

from __future__ import annotations

import click

from runsync.commands import audit, auth, core, report, team


def register_commands(group: click.Group) -> None:
    for module in (core, auth, audit, report, team):
        for command in module.COMMANDS:
            add_verbosity_options(command)
            group.add_command(command)


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: int | bool) -> None:
    if value:  # ctx.meta is shared by the whole command chain: `runsync sync -q` == `runsync -q sync`
        ctx.meta["verbose"] = -1 if param.name == "quiet" else value


def add_verbosity_options(command: click.Command) -> None:
    """Accept -v/-q after the command name too, as cron lines and habits write them."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_verbosity_options(sub)
        return
    command.params += [
        click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_set_verbosity,
                     help="Say what was done."),
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set_verbosity,
                     help="Print nothing but errors."),
    ]  # fmt: skip
