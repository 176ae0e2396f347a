"""What the store derives and keeps beside the sessions: each session's analysis (rows only: runsync.analysis parses
them) and the size and mtime of every imported file (so an unchanged file costs a stat(), not a read and a hash)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from runsync.store.rows import now_iso


class _Db(Protocol):
    def execute(self, sql: str, args: Sequence[Any] = ...) -> Any: ...


@dataclass(frozen=True)
class AnalysisRow:
    """One session with what is stored of its analysis (None where nothing is)."""

    session_id: str
    local_date: date
    sport: str
    distance_m: float | None
    moving_s: float | None
    fingerprint: str | None  # of the session's content now
    analysed_fingerprint: str | None  # of the content the stored analysis was computed from
    efforts_version: int | None
    best_3min_m: float | None
    best_12min_m: float | None
    key: str | None  # of the settings the stored analysis was computed with (None: efforts only)
    payload: str | None
    avg_hr: float | None = None
    max_hr: float | None = None
    workout_type: str | None = None


ANALYSIS_ROW_SQL = (
    "SELECT s.id, s.local_date, s.sport, s.distance_m, s.moving_s, s.fingerprint, a.fingerprint, a.efforts_version,"
    " a.best_3min_m, a.best_12min_m, a.key, a.payload, s.avg_hr, s.max_hr, s.workout_type"
    " FROM sessions s LEFT JOIN analysis a ON a.session_id = s.id"
)


def _analysis_row(r: Sequence[Any], payload: bool) -> AnalysisRow:
    return AnalysisRow(r[0], date.fromisoformat(r[1]), *r[2:11], r[11] if payload else None, *r[12:15])


class DerivedRows:
    db: _Db

    def analysis_rows(self, athlete: str, *, since: date | None = None, until: date | None = None,
                      payload: bool = False) -> list[AnalysisRow]:  # fmt: skip
        """The athlete's sessions in [since, until] (local dates) in start order, with their stored analyses."""
        sql, args = ANALYSIS_ROW_SQL + " WHERE s.athlete = ?", [athlete]
        for clause, value in (("s.local_date >= ?", since), ("s.local_date <= ?", until)):
            if value is not None:
                sql += f" AND {clause}"
                args.append(value.isoformat())
        return [_analysis_row(r, payload) for r in self.db.execute(sql + " ORDER BY s.start_ts, s.id", args)]

    def save_analysis(self, session_id: str, fingerprint: str, *, efforts_version: int, best_3min_m: float | None,
                      best_12min_m: float | None, key: str | None, payload: str | None) -> None:  # fmt: skip
        """The analysis computed from content `fingerprint` (key None: only the efforts are known yet)."""
        self.db.execute(
            "INSERT INTO analysis (session_id, fingerprint, efforts_version, best_3min_m, best_12min_m, key, payload,"
            " computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET"
            " fingerprint = excluded.fingerprint, efforts_version = excluded.efforts_version,"
            " best_3min_m = excluded.best_3min_m, best_12min_m = excluded.best_12min_m, key = excluded.key,"
            " payload = excluded.payload, computed_at = excluded.computed_at",
            (session_id, fingerprint, efforts_version, best_3min_m, best_12min_m, key, payload, now_iso()),
        )
        # a session stored before fingerprints existed gets the one its analysis was computed from
        self.db.execute("UPDATE sessions SET fingerprint = ? WHERE id = ? AND fingerprint IS NULL",
                        (fingerprint, session_id))  # fmt: skip

    # --- files seen under the watch folders -----------------------------------------------------------------

    def known_files(self, paths_under: str | None = None) -> dict[str, tuple[int, int, str]]:
        """path → (size, mtime_ns, content hash) of the files imported before (under a folder, when given)."""
        sql, args = "SELECT path, size, mtime_ns, digest FROM files", []
        if paths_under:
            sql += " WHERE path >= ? AND path < ?"
            args = [paths_under, paths_under + "\U0010ffff"]
        return {r[0]: (r[1], r[2], r[3]) for r in self.db.execute(sql, args)}

    def save_file(self, path: str, athlete: str, size: int, mtime_ns: int, digest: str) -> None:
        self.db.execute(
            "INSERT INTO files (path, athlete, size, mtime_ns, digest) VALUES (?, ?, ?, ?, ?) ON CONFLICT (path)"
            " DO UPDATE SET athlete = excluded.athlete, size = excluded.size, mtime_ns = excluded.mtime_ns,"
            " digest = excluded.digest",
            (path, athlete, size, mtime_ns, digest),
        )
