"""The hooks a runsync plugin can implement (pluggy). A plugin is a module or object with `@hookimpl` functions,
registered by the `runsync` entry-point group:

    [project.entry-points.runsync]
    my_rules = "my_package.rules"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from runsync.rules import Rule

hookspec = pluggy.HookspecMarker("runsync")
hookimpl = pluggy.HookimplMarker("runsync")


@hookspec
def register_rules() -> list[type[Rule] | Rule]:
    """Return the rules this plugin provides (Rule subclasses or instances)."""
    raise NotImplementedError


@hookspec
def register_connectors() -> dict[str, Any]:
    """Return {kind: connector} for new activity sources (reserved: no host calls it yet)."""
    raise NotImplementedError


@hookspec
def register_report_formats() -> dict[str, Callable[..., str]]:
    """Return {format name: render function} for `runsync report --format` (reserved for the report command)."""
    raise NotImplementedError
