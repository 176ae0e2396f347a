"""The Store: one SQLite file, migrated on open, written in transactions so a crash never leaves half a session.

Raw payloads are kept (FIT bytes by content hash, a service's JSON by activity id) so a better normaliser can
rebuild sessions without refetching. Samples: one compressed columnar blob per session. Days: store.calendar.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from runsync.errors import ConfigError, require_extra
from runsync.model import Finding, Lap, Session, Source, StrengthSet, finding_from_dict, finding_to_dict
from runsync.store.budget import RateBudgetRows
from runsync.store.calendar import CalendarRows  # wellness days, planned workouts
from runsync.store.derived import DerivedRows
from runsync.store.migrations import MIGRATIONS
from runsync.store.reports import ReportsSentRows
from runsync.store.rows import (
    RAW_COLUMNS,
    SESSION_COLUMNS,
    Deferred,
    RawRecord,
    StoredFinding,
    fingerprint,
    now_iso,
    once,
    pack_samples,
    ts_of,
    unpack_samples,
    utc_of,
)
from runsync.store.sqlite import SqliteBackend

if TYPE_CHECKING:
    import pandas as pd

    from runsync.store.postgres import PostgresBackend


def is_postgres_url(location: str) -> bool:
    """A PostgreSQL URL (or a broken attempt at one: refused by the backend, never taken for a file name)."""
    return location.startswith(("postgresql:", "postgres:"))


class Store(DerivedRows, RateBudgetRows, CalendarRows, ReportsSentRows):
    """The store over one backend: an SQLite file (the embedded default) or a PostgreSQL database (a team's).
    Open with `Store.open(path_or_url)`; write in `store.transaction()`."""

    def __init__(self, db: SqliteBackend | PostgresBackend) -> None:
        self.db = db
        self.path = db.path  # the SQLite file; None on PostgreSQL
        self.where = db.where  # what messages and `runsync status` call it (never a password)

    @property
    def location(self) -> str:
        """What another process passes to Store.open to reach this store (a worker analysing sessions)."""
        return self.db.url if self.shared else str(self.path)

    @property
    def shared(self) -> bool:
        """A database several machines use (PostgreSQL): sync runs as jobs for workers."""
        return self.db.dialect == "postgresql"

    @classmethod
    def open(cls, location: Path | str) -> Store:
        """An SQLite file path, or a postgresql:// URL."""
        text = str(location)
        if is_postgres_url(text):
            require_extra("postgres", "a PostgreSQL store ([storage] url)")
            from runsync.store.postgres import PostgresBackend  # psycopg loads only for a PostgreSQL store
            store = cls(PostgresBackend(text))
        else:
            store = cls(SqliteBackend(Path(location)))
        try:
            store.ensure_schema()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        self.db.close()

    def ensure_schema(self) -> None:
        """Apply the migrations this database lacks, each in its own transaction; the version is read inside it,
        so two processes opening a new database at once apply each migration once."""
        self.db.prepare_schema()
        for number, script in enumerate(MIGRATIONS, start=1):
            if self.db.schema_version() >= number:
                continue
            with self.transaction():
                self.db.serialise_migrations()
                if self.db.schema_version() >= number:
                    continue
                for statement in filter(str.strip, self.db.translate(script).split(";")):
                    self.db.execute(statement)
                self.db.set_schema_version(number)
        version = self.db.schema_version()
        if version > len(MIGRATIONS):
            raise ConfigError(f"{self.where}: database schema v{version} is newer than this runsync; upgrade runsync")

    def transaction(self) -> contextlib.AbstractContextManager[None]:
        return self.db.transaction()

    def lock(self, athletes: Iterable[str] | None = None) -> contextlib.AbstractContextManager[None]:
        """The writer lock for these athletes' data (two runs must not sync the same athlete at once), or for the
        whole store when None. SQLite has one lock for the whole file; PostgreSQL one per athlete."""
        return self.db.lock(athletes)

    # --- raw payloads ---------------------------------------------------------------------------------

    def raw(self, source: str, source_id: str, part: str = "") -> RawRecord | None:
        row = self.db.execute(
            f"SELECT {RAW_COLUMNS} FROM raw WHERE source = ? AND source_id = ? AND part = ?",
            (source, source_id, part),
        ).fetchone()
        return RawRecord(**dict(row)) if row else None

    def raw_payload(self, source: str, source_id: str, part: str = "") -> bytes | None:
        row = self.db.execute(
            "SELECT payload FROM raw_payloads WHERE source = ? AND source_id = ? AND part = ?",
            (source, source_id, part),
        ).fetchone()
        return row[0] if row else None

    def save_raw(
        self,
        source: str,
        source_id: str,
        *,
        athlete: str,
        payload: bytes | None,
        part: str = "",
        path: str | None = None,
        status: str = "ok",
        error: str | None = None,
        decoder: str | None = None,
    ) -> None:
        """Record a fetched payload (kept in raw_payloads) and how reading it went (in raw: small rows, read often)."""
        self.db.execute(
            "INSERT INTO raw (source, source_id, part, athlete, path, size, status, error, decoder, fetched_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, source_id, part) DO UPDATE SET"
            " athlete = excluded.athlete, path = excluded.path, size = excluded.size, status = excluded.status,"
            " error = excluded.error, decoder = excluded.decoder, fetched_at = excluded.fetched_at",
            (source, source_id, part, athlete, path, len(payload or b""), status, error, decoder, now_iso()),
        )
        self.db.execute(
            "INSERT INTO raw_payloads (source, source_id, part, payload) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (source, source_id, part) DO UPDATE SET payload = excluded.payload",
            (source, source_id, part, payload),
        )

    def forget_raw(self, source: str, source_id: str) -> None:
        """Drop what is recorded of a payload (every part)."""
        self.db.execute("DELETE FROM raw_payloads WHERE source = ? AND source_id = ?", (source, source_id))
        self.db.execute("DELETE FROM raw WHERE source = ? AND source_id = ?", (source, source_id))

    def raw_records(self, source: str | None = None, athlete: str | None = None, status: str | None = None
                    ) -> list[RawRecord]:  # fmt: skip
        sql, args = f"SELECT {RAW_COLUMNS} FROM raw WHERE 1 = 1", []
        for clause, value in (("source = ?", source), ("athlete = ?", athlete), ("status = ?", status)):
            if value is not None:
                sql += f" AND {clause}"
                args.append(value)
        return [RawRecord(**dict(r)) for r in self.db.execute(sql + " ORDER BY fetched_at, path", args)]

    # --- sessions -------------------------------------------------------------------------------------

    def save_session(self, session: Session, packed: tuple[int, bytes | None] | None = None) -> str:
        """Save (or replace) a session; returns the fingerprint of its content (what its analysis depends on).
        `packed`: the samples already packed with pack_samples (by a decoding worker, sparing the writer)."""
        n, blob = packed if packed is not None else pack_samples(session.samples)
        content = fingerprint(session, blob)
        self.db.execute("DELETE FROM sessions WHERE id = ?", (session.id,))
        self.db.execute(
            "INSERT INTO sessions (id, athlete, sport, sub_sport, name, start_ts, utc_offset_s, timezone, local_date,"
            " elapsed_s, moving_s, distance_m, avg_hr, max_hr, elevation_gain_m, workout_type, rpe, n_samples,"
            " fingerprint, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session.id, session.athlete, session.sport, session.sub_sport, session.name,
                session.start.timestamp(), session.utc_offset_s, session.timezone, session.local_date.isoformat(),
                session.elapsed_s, session.moving_s, session.distance_m, session.avg_hr, session.max_hr,
                session.elevation_gain_m, session.workout_type, session.rpe, n, content, now_iso(),
            ),
        )  # fmt: skip
        if blob is not None:
            self.db.execute("INSERT INTO samples (session_id, n, blob) VALUES (?, ?, ?)", (session.id, n, blob))
        self.db.executemany(
            "INSERT INTO session_sources (session_id, kind, source_id, name) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (session_id, kind, source_id) DO UPDATE SET name = excluded.name",
            [(session.id, s.kind, s.id, s.name) for s in session.sources],
        )
        self.db.executemany(
            "INSERT INTO laps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (session.id, i, lap.start.timestamp(), lap.elapsed_s, lap.timer_s, lap.distance_m, lap.avg_hr,
                 lap.max_hr, lap.avg_speed_mps, lap.intensity, lap.trigger)
                for i, lap in enumerate(session.laps)
            ],
        )  # fmt: skip
        self.db.executemany(
            "INSERT INTO sets VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (session.id, i, ts_of(s.start), s.duration_s, s.reps, s.weight_kg, s.exercise, s.set_type)
                for i, s in enumerate(session.sets)
            ],
        )
        return content

    def delete_session(self, session_id: str) -> None:
        self.db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        self.db.execute("DELETE FROM analysis WHERE session_id = ?", (session_id,))

    def session_ids_for_source(self, kind: str | None, source_id: str) -> list[str]:
        """The sessions a source holds (a FIT file's legs; one session for a service's activity id)."""
        sql, args = "SELECT session_id FROM session_sources WHERE source_id = ?", [source_id]
        if kind is not None:
            sql, args = sql + " AND kind = ?", [*args, kind]
        return [r[0] for r in self.db.rows(sql + " ORDER BY session_id", args)]

    def add_source(self, session_id: str, source: Source) -> None:
        self.db.execute(
            "INSERT INTO session_sources (session_id, kind, source_id, name) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (session_id, kind, source_id) DO UPDATE SET name = excluded.name",
            (session_id, source.kind, source.id, source.name),
        )

    def remove_source(self, session_id: str, kind: str, source_id: str) -> None:
        self.db.execute("DELETE FROM session_sources WHERE session_id = ? AND kind = ? AND source_id = ?",
                        (session_id, kind, source_id))  # fmt: skip

    def mark_raw(self, source: str, source_id: str, *, status: str, error: str | None) -> None:
        """Every stored part of a source's item marked (e.g. deleted on the service); payloads are kept."""
        self.db.execute("UPDATE raw SET status = ?, error = ? WHERE source = ? AND source_id = ?",
                        (status, error, source, source_id))  # fmt: skip

    def rename_session(self, session_id: str, name: str) -> None:
        self.db.execute("UPDATE sessions SET name = ? WHERE id = ?", (name, session_id))

    def samples_of(self, session_id: str) -> pd.DataFrame | None:
        """One session's samples (what a rule asks for explicitly; nothing else reads samples)."""
        row = self.db.execute("SELECT n, blob FROM samples WHERE session_id = ?", (session_id,)).fetchone()
        return unpack_samples(row[0], row[1]) if row else None

    def sessions_with_fingerprints(self, ids: Iterable[str]) -> dict[str, tuple[Session, str]]:
        """Those sessions (the ones still there) with their samples and the fingerprint of their stored content, read
        together (a few queries for all of them, not a few each)."""
        chosen = list(dict.fromkeys(ids))
        if not chosen:
            return {}
        marks = ", ".join("?" * len(chosen))
        found = {s.id: s for s in self._load(f"WHERE id IN ({marks})", chosen, samples=True)}
        prints = dict(self.db.rows(f"SELECT id, fingerprint FROM sessions WHERE id IN ({marks})", chosen))
        for session_id in [i for i in found if not prints.get(i)]:  # stored before fingerprints: theirs now
            row = self.db.execute("SELECT blob FROM samples WHERE session_id = ?", (session_id,)).fetchone()
            prints[session_id] = fingerprint(found[session_id], row[0] if row else None)
        return {i: (session, prints[i]) for i, session in found.items()}

    def session(self, session_id: str, *, samples: bool = True) -> Session | None:
        found = self._load("WHERE id = ?", [session_id], samples=samples)
        return found[0] if found else None

    def sessions(
        self,
        athlete: str | None = None,
        *,
        since: date | None = None,
        until: date | None = None,
        samples: bool = False,
        start_between: tuple[datetime, datetime] | None = None,
    ) -> list[Session]:
        """Sessions in local-date order; `since`/`until` are inclusive local dates."""
        clauses: list[str] = []
        args: list[Any] = []
        for sql, value in (
            ("athlete = ?", athlete),
            ("local_date >= ?", since and since.isoformat()),
            ("local_date <= ?", until and until.isoformat()),
        ):
            if value is not None:
                clauses.append(sql)
                args.append(value)
        if start_between:
            clauses.append("start_ts BETWEEN ? AND ?")
            args.extend(dt.timestamp() for dt in start_between)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._load(where, args, samples=samples)

    def has_sessions(self, athlete: str) -> bool:
        return self.db.execute("SELECT 1 FROM sessions WHERE athlete = ? LIMIT 1", (athlete,)).fetchone() is not None

    def athletes_with_sessions(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT athlete, COUNT(*) FROM sessions GROUP BY athlete").fetchall())

    def _load(self, where: str, args: list[Any], *, samples: bool) -> list[Session]:
        """Sessions matching `where` (on sessions' columns), with their sources; their laps and sets are read on
        first use, for all of them at once (runsync.store.rows.Deferred). Rows are read as tuples."""
        blob = "(SELECT blob FROM samples WHERE session_id = sessions.id)" if samples else "NULL"
        rows = self.db.rows(f"SELECT {SESSION_COLUMNS}, {blob} FROM sessions {where} ORDER BY start_ts, id", args)
        inside = f"WHERE session_id IN (SELECT id FROM sessions {where})"
        sources = self._sources(inside, args) if rows else {}
        laps, sets = once(lambda: self._laps(inside, args)), once(lambda: self._sets(inside, args))
        return [
            Session(
                id=r[0], athlete=r[1], sport=r[2], sub_sport=r[3], name=r[4], start=utc_of(r[5]), utc_offset_s=r[6],
                timezone=r[7], elapsed_s=r[8], moving_s=r[9], distance_m=r[10], avg_hr=r[11], max_hr=r[12],
                elevation_gain_m=r[13], workout_type=r[14], rpe=r[15], sources=tuple(sources.get(r[0], ())),
                laps=Deferred(laps, r[0]), sets=Deferred(sets, r[0]),  # type: ignore[arg-type]
                samples=unpack_samples(r[16], r[17]) if samples else None,
            )
            for r in rows
        ]  # fmt: skip

    def _laps(self, inside: str, args: list[Any]) -> dict[str, tuple[Lap, ...]]:
        found: dict[str, list[Lap]] = {}
        for r in self.db.rows(f"SELECT session_id, start_ts, elapsed_s, timer_s, distance_m, avg_hr, max_hr,"
                              f" avg_speed_mps, intensity, trigger FROM laps {inside} ORDER BY session_id, idx", args):
            found.setdefault(r[0], []).append(Lap(utc_of(r[1]), *r[2:]))  # fmt: skip
        return {k: tuple(v) for k, v in found.items()}

    def _sets(self, inside: str, args: list[Any]) -> dict[str, tuple[StrengthSet, ...]]:
        found: dict[str, list[StrengthSet]] = {}
        for r in self.db.rows(f"SELECT session_id, start_ts, duration_s, reps, weight_kg, exercise, set_type FROM sets"
                              f" {inside} ORDER BY session_id, idx", args):
            found.setdefault(r[0], []).append(StrengthSet(utc_of(r[1]), *r[2:]))  # fmt: skip
        return {k: tuple(v) for k, v in found.items()}

    def _sources(self, inside: str, args: list[Any]) -> dict[str, list[Source]]:
        found: dict[str, list[Source]] = {}
        query = f"SELECT session_id, kind, source_id, name FROM session_sources {inside} ORDER BY kind, source_id"
        for r in self.db.rows(query, args):
            found.setdefault(r[0], []).append(Source(*r[1:]))
        return found

    # --- findings -------------------------------------------------------------------------------------

    def save_findings(self, findings: Iterable[Finding], seen_at: datetime) -> list[Finding]:
        """Record findings as seen at `seen_at`; returns the ones never seen before (by `Finding.key`). A read-only
        store (a coach reading a shared database) records nothing and still tells which are new."""
        chosen = list(findings)
        stamp = seen_at.astimezone(UTC).isoformat(timespec="seconds")
        with self.transaction():
            known = {r[0] for athlete in {f.athlete for f in chosen}
                     for r in self.db.rows("SELECT key FROM findings WHERE athlete = ?", (athlete,))}  # fmt: skip
            if not self.db.read_only:
                self.db.executemany(
                    "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET"
                    " severity = excluded.severity, payload = excluded.payload, last_seen = excluded.last_seen",
                    [(f.key, f.athlete, f.rule, f.severity, f.start.isoformat(), f.end.isoformat(),
                      json.dumps(finding_to_dict(f)), stamp, stamp) for f in chosen],
                )  # fmt: skip
        return [f for f in chosen if f.key not in known]

    def findings(
        self, athlete: str | None = None, *, since: date | None = None, until: date | None = None
    ) -> list[StoredFinding]:
        """Stored findings overlapping [since, until] (local dates), oldest first, with first/last seen."""
        sql, args = "SELECT payload, first_seen, last_seen FROM findings WHERE 1 = 1", []
        for clause, value in (("athlete = ?", athlete), ("end_date >= ?", since), ("start_date <= ?", until)):
            if value is not None:
                sql += f" AND {clause}"
                args.append(value.isoformat() if isinstance(value, date) else value)
        rows = self.db.execute(sql + " ORDER BY start_date, athlete, rule, key", args).fetchall()
        return [StoredFinding(finding_from_dict(json.loads(r[0])), datetime.fromisoformat(r[1]),
                              datetime.fromisoformat(r[2])) for r in rows]  # fmt: skip

    # --- sync state -----------------------------------------------------------------------------------

    def state(self, athlete: str, source: str, key: str) -> Any:
        row = self.db.execute(
            "SELECT value FROM sync_state WHERE athlete = ? AND source = ? AND key = ?", (athlete, source, key)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def save_state(self, athlete: str, source: str, key: str, value: Any) -> None:
        self.db.execute(
            "INSERT INTO sync_state (athlete, source, key, value) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (athlete, source, key) DO UPDATE SET value = excluded.value",
            (athlete, source, key, json.dumps(value)),
        )
