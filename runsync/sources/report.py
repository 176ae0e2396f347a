"""What a sync or import did, for the person (one line per failure, a summary with -v) and for cron (the exit
status): files imported, unchanged, skipped and failed, calls per service, analyses brought up to date. Every
source adds to the same report; the pipeline (runsync.sync) and each source (runsync.sources.*) import it from
here, so neither imports the other."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from runsync.analysis.stats import RefreshStats
from runsync.errors import ExitStatus, RunsyncError


@dataclass
class SyncReport:
    imported: list[tuple[str, int]] = field(default_factory=list)  # (path, sessions)
    unchanged: int = 0
    not_activities: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path or athlete, reason)
    still_failing: list[tuple[str, str, str]] = field(default_factory=list)  # (path, reason, failing since)
    merged: int = 0
    skipped: int = 0  # archive members of a type runsync does not read
    total: int | None = None  # files to look at, when known up front (a progress bar's length)
    notes: list[str] = field(default_factory=list)
    errors: list[RunsyncError] = field(default_factory=list)  # auth, rate limit, network: a whole source stopped
    strava: dict[str, int] = field(default_factory=dict)  # saved, unchanged, calls
    garmin: dict[str, int] = field(default_factory=dict)  # calls, downloads, unchanged, matched a file
    intervals: dict[str, int] = field(default_factory=dict)  # calls, downloads, edited, wellness days, ...
    decoders: Counter[str] = field(default_factory=Counter)  # FIT files decoded per decoder (fast-1, fitdecode-1)
    analysis: RefreshStats = field(default_factory=RefreshStats)  # analyses brought up to date after the import
    changed_athletes: set[str] = field(default_factory=set)  # athletes with a session saved by this sync

    @property
    def sessions(self) -> int:
        return sum(n for _, n in self.imported)

    def summary(self) -> str:
        parts = [f"{len(self.imported)} files imported ({self.sessions} sessions)", f"{self.unchanged} unchanged"]
        if self.merged:
            parts.append(f"{self.merged} merged with another source")
        if self.not_activities:
            parts.append(f"{len(self.not_activities)} not activities")
        if self.skipped:
            parts.append(f"{self.skipped} other files skipped")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.still_failing:
            parts.append(f"{len(self.still_failing)} still failing")
        if self.decoders:
            parts.append("read by " + ", ".join(f"{what} {n}" for what, n in sorted(self.decoders.items())))
        for service, counts in (("strava", self.strava), ("garmin", self.garmin), ("intervals", self.intervals)):
            if counts:
                parts.append(f"{service}: " + ", ".join(f"{n} {what}" for what, n in sorted(counts.items())))
        if self.analysis.recomputed:
            parts.append(f"{self.analysis.recomputed} sessions analysed after the import")
        return ", ".join(parts)

    def exit_status(self) -> ExitStatus:
        """The status that needs a person most: config 3, auth 4, temporary 5, then partial 6."""
        partial = self.failed or self.still_failing
        statuses = [e.exit_status for e in self.errors] + ([ExitStatus.PARTIAL] if partial else [])
        return min(statuses, default=ExitStatus.OK)
