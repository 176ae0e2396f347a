"""runsync: sync runs from a watch and Strava into one local store, and audit the training.

The names a plugin author imports from here (`from runsync import Rule, hookimpl`) load when first used, so a
command that needs none of them (`runsync --help`, `runsync status`) does not pay for the rule API's imports.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "ExitStatus": "errors",
    "RunsyncError": "errors",
    "hookimpl": "hookspecs",
    "Finding": "model",
    "Lap": "model",
    "Session": "model",
    "Source": "model",
    "StrengthSet": "model",
    "Rule": "rules",
    "RuleContext": "rules",
    "ReportSection": "rules",
    "SectionLine": "rules",
}

__all__ = ["ExitStatus", "Finding", "Lap", "ReportSection", "Rule", "RuleContext", "RunsyncError", "SectionLine",
           "Session", "Source", "StrengthSet", "__version__", "hookimpl"]  # fmt: skip

if TYPE_CHECKING:
    from runsync.errors import ExitStatus, RunsyncError
    from runsync.hookspecs import hookimpl
    from runsync.model import Finding, Lap, Session, Source, StrengthSet
    from runsync.rules import ReportSection, Rule, RuleContext, SectionLine


def lazy_exports(package: str, where: dict[str, str]) -> Callable[[str], Any]:
    """A package's module `__getattr__` (PEP 562): each name in `where` is imported from its module in the package
    (`where[name]`) when first asked for, and kept; any other name is an AttributeError."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        namespace[name] = value
        return value

    return __getattr__


__getattr__ = lazy_exports(__name__, _LAZY)
