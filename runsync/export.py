"""Sessions as data for other programs: the JSON contract (DESIGN.md), CSV and a plain table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from runsync.model import Lap, Session

JSON_VERSION = 1
CSV_FIELDS = ("id", "athlete", "sport", "start", "local_date", "name", "distance_m", "elapsed_s", "moving_s",
              "avg_hr", "max_hr", "intensity", "laps", "sources")  # fmt: skip


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(float(value), digits)


def lap_to_dict(lap: Lap) -> dict[str, Any]:
    return {
        "start": iso_utc(lap.start),
        "elapsed_s": _round(lap.elapsed_s, 3),
        "timer_s": _round(lap.timer_s, 3),
        "distance_m": _round(lap.distance_m, 2),
        "avg_hr": _round(lap.avg_hr),
        "max_hr": _round(lap.max_hr),
        "avg_speed_mps": _round(lap.avg_speed_mps, 3),
        "intensity": lap.intensity,
        "trigger": lap.trigger,
    }


def session_to_dict(session: Session, intensity: str | None = None) -> dict[str, Any]:
    return {
        "id": session.id,
        "athlete": session.athlete,
        "sport": session.sport,
        "start": iso_utc(session.start),
        "local_date": session.local_date.isoformat(),
        "name": session.name,
        "distance_m": _round(session.distance_m, 2),
        "elapsed_s": _round(session.elapsed_s, 3),
        "moving_s": _round(session.moving_s, 3),
        "avg_hr": _round(session.avg_hr),
        "max_hr": _round(session.max_hr),
        "intensity": intensity,
        "laps": [lap_to_dict(lap) for lap in session.laps],
        "sources": [{"kind": s.kind, "id": s.id, "name": s.name} for s in session.sources],
    }


def sessions_json(sessions: list[Session], intensity: Callable[[Session], str | None]) -> str:
    payload = {"version": JSON_VERSION, "sessions": [session_to_dict(s, intensity(s)) for s in sessions]}
    return json.dumps(payload, indent=2)


def sessions_csv(sessions: list[Session], intensity: Callable[[Session], str | None]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for session in sessions:
        row = session_to_dict(session, intensity(session))
        row["laps"] = len(session.laps)
        row["sources"] = " ".join(f"{s.kind}:{s.id}" for s in session.sources)
        writer.writerow(row)
    return out.getvalue().rstrip("\n")


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def sessions_table(sessions: list[Session], intensity: Callable[[Session], str | None]) -> str:
    rows = [("date", "time", "athlete", "sport", "km", "moving", "hr", "intensity", "name")]
    for s in sorted(sessions, key=lambda s: (s.local_start, s.athlete)):
        km = f"{s.distance_m / 1000:.2f}" if s.distance_m else "-"
        hr = f"{s.avg_hr:.0f}" if s.avg_hr else "-"
        rows.append((s.local_date.isoformat(), s.local_start.strftime("%H:%M"), s.athlete, s.sport, km,
                     format_duration(s.moving_s), hr, intensity(s) or "-", s.name or ""))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows)
