"""runsync: sync runs from a watch and Strava into one local store, and audit the training."""

from runsync.errors import ExitStatus, RunsyncError
from runsync.hookspecs import hookimpl
from runsync.model import Finding, Lap, Session, Source, StrengthSet
from runsync.rules import Rule, RuleContext

__version__ = "0.1.0"

__all__ = [
    "ExitStatus",
    "Finding",
    "Lap",
    "Rule",
    "RuleContext",
    "RunsyncError",
    "Session",
    "Source",
    "StrengthSet",
    "__version__",
    "hookimpl",
]
