"""runsync: sync runs from a watch and Strava into one local store, and audit the training.

The names a plugin author imports from here (`from runsync import Rule, hookimpl`) load when first used, so a
command that needs none of them (`runsync --help`, `runsync status`) does not pay for the rule API's imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "ExitStatus": "runsync.errors",
    "RunsyncError": "runsync.errors",
    "hookimpl": "runsync.hookspecs",
    "Finding": "runsync.model",
    "Lap": "runsync.model",
    "Session": "runsync.model",
    "Source": "runsync.model",
    "StrengthSet": "runsync.model",
    "Rule": "runsync.rules",
    "RuleContext": "runsync.rules",
    "ReportSection": "runsync.rules",
    "SectionLine": "runsync.rules",
}

__all__ = ["ExitStatus", "Finding", "Lap", "ReportSection", "Rule", "RuleContext", "RunsyncError", "SectionLine",
           "Session", "Source", "StrengthSet", "__version__", "hookimpl"]  # fmt: skip

if TYPE_CHECKING:
    from runsync.errors import ExitStatus, RunsyncError
    from runsync.hookspecs import hookimpl
    from runsync.model import Finding, Lap, Session, Source, StrengthSet
    from runsync.rules import ReportSection, Rule, RuleContext, SectionLine


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'runsync' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
