"""The plugin manager: the built-in rules (runsync_plugins, by module name), then third-party plugins from the
`runsync` entry-point group, one at a time. A plugin that fails to load or register is a warning on stderr and
the rest still run; with strict=True it is a PluginError (exit 7)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

import pluggy

from runsync import hookspecs
from runsync.errors import PluginError
from runsync.rules import Rule

ENTRY_POINT_GROUP = "runsync"
BUILTIN_PLUGINS = (
    "runsync_plugins.missing_easy_days",
    "runsync_plugins.interval_sessions",
    "runsync_plugins.mileage_ramp",
    "runsync_plugins.training_monotony",
    "runsync_plugins.strength_frequency",
    "runsync_plugins.return_after_break",
    "runsync_plugins.intensity_distribution",
    "runsync_plugins.aerobic_decoupling",
    "runsync_plugins.readiness",
    "runsync_plugins.plan_compliance",
)


class PluginManager(pluggy.PluginManager):
    """pluggy's manager plus the problems met while loading (each already warned about)."""

    def __init__(self, strict: bool = False, warn: Callable[[str], None] | None = None) -> None:
        super().__init__("runsync")
        self.add_hookspecs(hookspecs)
        self.strict = strict
        self.problems: list[str] = []
        self._warn = warn or (lambda message: print(f"runsync: warning: {message}", file=sys.stderr))

    def problem(self, message: str) -> None:
        if self.strict:
            raise PluginError(message)
        self.problems.append(message)
        self._warn(message)


@dataclass(frozen=True)
class InstalledRule:
    rule: Rule
    plugin: str


def get_plugin_manager(strict: bool = False, warn: Callable[[str], None] | None = None) -> PluginManager:
    pm = PluginManager(strict, warn)
    for module in BUILTIN_PLUGINS:
        _register(pm, module, lambda module=module: importlib.import_module(module))
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        _register(pm, entry.name, entry.load)
    return pm


def _register(pm: PluginManager, name: str, load: Callable[[], Any]) -> None:
    if pm.has_plugin(name):
        return
    try:
        pm.register(load(), name=name)
    except Exception as exc:  # a broken plugin must not take the others down
        pm.problem(f"plugin {name} could not be loaded: {type(exc).__name__}: {exc}")


def installed_rules(pm: PluginManager) -> list[InstalledRule]:
    """Every rule the plugins register, in registration order; a bad one is a problem, a duplicate id too."""
    found: dict[str, InstalledRule] = {}
    for impl in pm.hook.register_rules.get_hookimpls():  # in registration order
        try:
            provided = list(impl.function() or ())
        except Exception as exc:
            pm.problem(f"plugin {impl.plugin_name}: register_rules failed: {type(exc).__name__}: {exc}")
            continue
        for item in provided:
            _add_rule(pm, found, item, impl.plugin_name)
    return list(found.values())


def _add_rule(pm: PluginManager, found: dict[str, InstalledRule], item: Any, plugin: str) -> None:
    try:
        rule = item() if isinstance(item, type) else item
    except Exception as exc:
        pm.problem(f"plugin {plugin}: rule {item!r} could not be created: {exc}")
        return
    if not isinstance(rule, Rule) or not rule.id:
        pm.problem(f"plugin {plugin}: {item!r} is not a runsync.Rule with an id")
    elif rule.id in found:
        pm.problem(f"plugin {plugin}: rule id {rule.id!r} is already provided by {found[rule.id].plugin}")
    else:
        found[rule.id] = InstalledRule(rule, plugin)
