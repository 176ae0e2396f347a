"""The CLI commands, one module per area; each module lists its commands in COMMANDS."""

from __future__ import annotations

import click

from runsync.commands import audit, core


def register_commands(group: click.Group) -> None:
    for module in (core, audit):
        for command in module.COMMANDS:
            group.add_command(command)
