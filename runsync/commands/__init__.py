"""The CLI commands, one module per area; each module lists its commands in COMMANDS."""

from __future__ import annotations

import click

from runsync.commands import audit, auth, core


def register_commands(group: click.Group) -> None:
    for module in (core, auth, audit):
        for command in module.COMMANDS:
            group.add_command(command)
