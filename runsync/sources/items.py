"""What sources hand the import pipeline (runsync.sync): files to decode (from a folder, or an archive member read
when its turn comes), sessions already made (an export's activity without a file), members named as unreadable,
and members of a type runsync does not read (counted, skipped quietly)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from runsync.config import Athlete
from runsync.model import Session, Source


@dataclass(frozen=True)
class Provenance:
    """What an archive knows of a file beyond its bytes: the service's id for it, its name, its sport."""

    source: Source | None = None  # e.g. strava:<activity id> (a later API sync then knows the activity)
    name: str | None = None
    sport: str | None = None  # the service's sport: it wins over a GPX/TCX file's guess


@dataclass
class FileItem:
    name: str  # how messages name it: a path, or "export.zip:activities/123.fit.gz"
    athlete: Athlete
    path: str | None = None  # a file on disk (its size and mtime are remembered)
    load: Callable[[], bytes] | None = None  # an archive member: read in the main process when its turn comes
    provenance: Provenance | None = None
    identify: Callable[[Session], Provenance | None] | None = None  # provenance found from the session itself
    size: int | None = None  # an archive member's unpacked size, as the archive declares it (checked before reading)


@dataclass(frozen=True)
class Problem:
    name: str
    reason: str


@dataclass(frozen=True)
class Skipped:
    name: str  # a member of a type runsync does not read


ImportItem = FileItem | Session | Problem | Skipped
