"""Strength work: FIT strength sessions, Strava strength-type activities (both normalised to sport "strength")
and sessions logged by hand with `runsync log strength` (for work done without a watch)."""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from runsync.config import Athlete
from runsync.errors import UsageError
from runsync.model import Session, Source

MANUAL_START = time(12, 0)  # a logged session has a date, not a time: noon local


def is_strength(session: Session) -> bool:
    return session.sport == "strength"


@dataclass(frozen=True)
class StrengthEntry:
    day: date
    minutes: float
    note: str | None = None
    rpe: float | None = None  # session RPE, 1-10 (Foster's CR-10): its load is RPE × minutes


def manual_strength_session(athlete: Athlete, entry: StrengthEntry) -> Session:
    """A logged strength session; the id is stable, so logging the same entry twice stores it once."""
    local = datetime.combine(entry.day, MANUAL_START, tzinfo=athlete.tz)
    offset = local.utcoffset()
    digest = hashlib.sha256(f"{athlete.id}|{entry.day}|{entry.minutes}|{entry.note or ''}".encode()).hexdigest()
    # the id leaves the RPE out: logging the same session again with an RPE updates it
    return Session(
        id=f"manual-{digest[:16]}",
        athlete=athlete.id,
        sport="strength",
        start=local.astimezone(UTC),
        utc_offset_s=int(offset.total_seconds()) if offset else 0,
        timezone=athlete.timezone,
        name=entry.note or "Strength (logged)",
        elapsed_s=entry.minutes * 60,
        moving_s=entry.minutes * 60,
        rpe=entry.rpe,
        sources=(Source("manual", digest[:16], entry.note),),
    )


def parse_strength_csv(text: str, where: str) -> list[StrengthEntry]:
    """Rows of date,minutes,note (a header row is optional); a bad row is an error naming its line."""
    entries = []
    for line_no, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or (line_no == 1 and row[0].strip().lower() == "date"):
            continue
        entries.append(_entry(row, f"{where}: line {line_no}"))
    return entries


def _entry(row: list[str], where: str) -> StrengthEntry:
    if len(row) < 2:
        raise UsageError(f"{where}: expected date,minutes[,note[,rpe]], got {','.join(row)!r}")
    try:
        day = date.fromisoformat(row[0].strip())
    except ValueError:
        raise UsageError(f"{where}: expected a date like 2026-10-12, got {row[0]!r}") from None
    try:
        minutes = float(row[1])
    except ValueError:
        raise UsageError(f"{where}: minutes: expected a number, got {row[1]!r}") from None
    if not 0 < minutes <= 600:
        raise UsageError(f"{where}: minutes: expected 1-600, got {row[1]!r}")
    rpe = _number(row[-1]) if len(row) >= 4 else None  # a last field that is not a number is part of the note
    if rpe is not None:
        if not 1 <= rpe <= 10:
            raise UsageError(f"{where}: rpe: expected a number from 1 to 10, got {row[-1]!r}")
        row = row[:-1]
    note = ",".join(row[2:]).strip() or None
    return StrengthEntry(day, minutes, note, rpe)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
