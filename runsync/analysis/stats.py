"""What bringing the stored analyses up to date did (runsync.analysis.refresh), reported with a sync."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RefreshStats:
    checked: int = 0
    recomputed: int = 0
    efforts: int = 0
    degraded: list[tuple[str, str]] = field(default_factory=list)  # (session id, why its analysis failed)
