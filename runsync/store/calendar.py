"""What the store keeps of the athlete's days beyond the sessions: wellness (one row per athlete, day and source,
merged when read: intervals.icu's value wins, Garmin Connect's fills the gaps) and the workouts planned on their
calendar (replaced window by window, so a workout moved or deleted on the service is moved or gone here too)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Protocol

from runsync.model import WELLNESS_FIELDS, PlannedWorkout, WellnessDay
from runsync.store.rows import now_iso

WELLNESS_SOURCES = ("intervals", "garmin")  # the order their values win in
PLANNED_COLUMNS = "athlete, source, id, day, sport, name, description, moving_s, distance_m, load, intensity, key, done"


class _Db(Protocol):
    def execute(self, sql: str, args: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any: ...
    def rows(self, sql: str, args: Sequence[Any] = ...) -> Any: ...


class CalendarRows:
    db: _Db

    def save_wellness(self, source: str, days: Iterable[WellnessDay]) -> int:
        """Record (or replace) each day's values from `source`; a day with no value at all is not stored."""
        rows = [(d.athlete, d.day.isoformat(), source, *(getattr(d, k) for k in WELLNESS_FIELDS), now_iso())
                for d in days if d.values()]  # fmt: skip
        names = ", ".join(WELLNESS_FIELDS)
        marks = ", ".join("?" for _ in range(len(WELLNESS_FIELDS) + 4))
        updates = ", ".join(f"{k} = excluded.{k}" for k in (*WELLNESS_FIELDS, "updated_at"))
        self.db.executemany(f"INSERT INTO wellness (athlete, day, source, {names}, updated_at) VALUES ({marks})"
                            f" ON CONFLICT (athlete, day, source) DO UPDATE SET {updates}", rows)  # fmt: skip
        return len(rows)

    def wellness(self, athlete: str, *, since: date | None = None, until: date | None = None) -> list[WellnessDay]:
        """The athlete's days, oldest first, each field from the first source that has it (WELLNESS_SOURCES)."""
        sql, args = f"SELECT day, source, {', '.join(WELLNESS_FIELDS)} FROM wellness WHERE athlete = ?", [athlete]
        if since is not None:
            sql, args = sql + " AND day >= ?", [*args, since.isoformat()]
        if until is not None:
            sql, args = sql + " AND day <= ?", [*args, until.isoformat()]
        by_day: dict[str, list[Any]] = {}
        for row in self.db.rows(sql, args):
            by_day.setdefault(row[0], []).append(row)
        days = []
        for day, rows in sorted(by_day.items()):
            rows.sort(key=lambda r: WELLNESS_SOURCES.index(r[1]) if r[1] in WELLNESS_SOURCES else 99)
            values = {k: next((r[i] for r in rows if r[i] is not None), None) for i, k in enumerate(WELLNESS_FIELDS, 2)}
            days.append(WellnessDay(athlete, date.fromisoformat(day), **values, sources=tuple(r[1] for r in rows)))
        return days

    def holds(self, what: str) -> bool:
        """Whether any athlete has wellness days ("wellness") or planned workouts ("planned") stored."""
        table = {"wellness": "wellness", "planned": "planned"}[what]
        return self.db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None

    def replace_planned(self, athlete: str, source: str, first: date, last: date,
                        workouts: Iterable[PlannedWorkout]) -> int:  # fmt: skip
        """The athlete's planned workouts from `source` on [first, last] become exactly `workouts`."""
        chosen = [w for w in workouts if first <= w.day <= last]
        self.db.execute("DELETE FROM planned WHERE athlete = ? AND source = ? AND day >= ? AND day <= ?",
                        (athlete, source, first.isoformat(), last.isoformat()))  # fmt: skip
        self.db.executemany(
            f"INSERT INTO planned ({PLANNED_COLUMNS}, updated_at) VALUES ({', '.join('?' * 14)})"
            " ON CONFLICT (source, id) DO UPDATE SET athlete = excluded.athlete, day = excluded.day,"
            " sport = excluded.sport, name = excluded.name, description = excluded.description,"
            " moving_s = excluded.moving_s, distance_m = excluded.distance_m, load = excluded.load,"
            " intensity = excluded.intensity, key = excluded.key, done = excluded.done,"
            " updated_at = excluded.updated_at",
            [(w.athlete, w.source, w.id, w.day.isoformat(), w.sport, w.name, w.description, w.moving_s, w.distance_m,
              w.load, w.intensity, int(w.key), w.done, now_iso()) for w in chosen],
        )  # fmt: skip
        return len(chosen)

    def planned(self, athlete: str, *, since: date | None = None, until: date | None = None) -> list[PlannedWorkout]:
        sql, args = f"SELECT {PLANNED_COLUMNS} FROM planned WHERE athlete = ?", [athlete]
        if since is not None:
            sql, args = sql + " AND day >= ?", [*args, since.isoformat()]
        if until is not None:
            sql, args = sql + " AND day <= ?", [*args, until.isoformat()]
        return [PlannedWorkout(*r[:3], date.fromisoformat(r[3]), *r[4:11], key=bool(r[11]), done=r[12])
                for r in self.db.rows(sql + " ORDER BY day, id", args)]  # fmt: skip
