"""Sessions as data for other programs: the JSON contract (DESIGN.md), CSV and a plain table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from runsync.model import Lap, Session, format_distance, format_pace

if TYPE_CHECKING:
    from rich.console import Console

JSON_VERSION = 1
TABLE_WIDTH = 200  # when stdout is not a terminal: wide enough that rows do not wrap
CSV_FIELDS = ("id", "athlete", "sport", "start", "local_date", "name", "distance_m", "elapsed_s", "moving_s",
              "avg_hr", "max_hr", "intensity", "laps", "sources", "intensity_basis")  # fmt: skip
Lookup = Callable[["Session"], str | None]


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


def session_to_dict(session: Session, intensity: str | None = None, basis: str | None = None) -> dict[str, Any]:
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
        "intensity_basis": basis,
    }


def sessions_json(sessions: list[Session], intensity: Lookup, basis: Lookup = lambda _s: None) -> str:
    """The DESIGN contract; `intensity_basis` says how each run's intensity was told (or that it could not be)."""
    payload = {"version": JSON_VERSION, "sessions": [session_to_dict(s, intensity(s), basis(s)) for s in sessions]}
    return json.dumps(payload, indent=2)


def sessions_csv(sessions: list[Session], intensity: Lookup, basis: Lookup = lambda _s: None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for session in sessions:
        row = session_to_dict(session, intensity(session), basis(session))
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


def sessions_table(sessions: list[Session], intensity: Callable[[Session], str | None],
                   units: Callable[[str], str] = lambda _athlete: "km", *, width: int | None = None,
                   colour: bool = False) -> str:  # fmt: skip
    """A table for people (rich): local date and time, athlete, sport, distance and pace in the athlete's units,
    moving time, average HR, intensity, name and the session id (what `audit` findings name)."""
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold" if colour else "")
    for name, justify in (("date", "left"), ("time", "left"), ("athlete", "left"), ("sport", "left"),
                          ("distance", "right"), ("moving", "right"), ("pace", "right"), ("hr", "right"),
                          ("intensity", "left"), ("name", "left"), ("id", "left")):  # fmt: skip
        table.add_column(name, justify=justify, no_wrap=name != "name", overflow="fold")  # type: ignore[arg-type]
    for s in sorted(sessions, key=lambda s: (s.local_start, s.athlete)):
        unit = units(s.athlete)
        pace = format_pace(s.moving_s / s.distance_m * 1000, unit) if s.is_run and s.distance_m and s.moving_s else "-"
        distance = format_distance(s.distance_m, unit, 2) if s.distance_m else "-"
        table.add_row(s.local_date.isoformat(), s.local_start.strftime("%H:%M"), s.athlete, s.sport, distance,
                      format_duration(s.moving_s), pace, f"{s.avg_hr:.0f}" if s.avg_hr else "-", intensity(s) or "-",
                      s.name or "", s.id)  # fmt: skip
    return rich_text(lambda console: console.print(table), width or TABLE_WIDTH, colour)


def rich_text(draw: Callable[[Console], None], width: int, colour: bool) -> str:
    """What `draw` prints on a rich console `width` columns wide, as text: with colour codes only when `colour`
    (a terminal), trailing spaces trimmed. One place for the sessions table and the audit's findings."""
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, force_terminal=colour, no_color=not colour,
                      color_system="standard" if colour else None, highlight=False, emoji=False)  # fmt: skip
    draw(console)
    lines = console.file.getvalue().rstrip("\n").split("\n")  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in lines)
