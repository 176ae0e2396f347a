"""The embedded backend: one SQLite file (WAL), an fcntl writer lock beside it, errors a person can act on.

Every statement goes through `execute`, so an SQLite error becomes one line naming the database file: disk full
or a file-size limit (exit 5: free space, the next run continues), read-only file or folder (exit 3), another
program's database or a damaged one (exit 3), busy (exit 5). A transaction that fails is rolled back only if
SQLite has not already done so itself (it does on a full disk), so the real error is the one reported.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from runsync.errors import LockHeld, StorageError, StorageFull, TemporaryError

APPLICATION_ID = 0x52534E43  # "RSNC": PRAGMA application_id marks a runsync database
RUNSYNC_TABLES = frozenset({"raw", "sessions", "session_sources", "laps", "sets", "sync_state"})
LOW_DISK_BYTES = 64 * 2**20


class SqliteBackend:
    dialect = "sqlite"
    _lock_depth = 0

    def __init__(self, path: Path) -> None:
        self.path = path.expanduser().resolve()  # one lock per database, however a config names it (symlinks)
        self.where = str(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = self._connect()
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"storage.database: cannot open {self.path}: {exc}") from None
        self.conn.row_factory = sqlite3.Row
        with self.errors():
            self.ensure_ours()
            if not self.read_only:
                self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA synchronous=NORMAL")

    def _connect(self) -> sqlite3.Connection:
        """A read-write connection; where the file or its folder is read-only, one that can still read (a WAL
        database needs its -shm file, which a read-only folder cannot hold: then it is opened as immutable)."""
        if not self.path.exists() or not self.read_only:
            return sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        uri = self.path.as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30, check_same_thread=False)
        try:
            conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        except sqlite3.OperationalError:
            conn.close()
            conn = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False)
        return conn

    @property
    def read_only(self) -> bool:
        return not os.access(self.path, os.W_OK) or not os.access(self.path.parent, os.W_OK)

    def ensure_ours(self) -> None:
        """Refuse another program's database (never modify it); a legacy runsync one is stamped as ours."""
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id == APPLICATION_ID:
            return
        tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if app_id or (tables and not tables >= RUNSYNC_TABLES):
            raise StorageError(
                f"{self.path}: not a runsync database (another program's?); runsync will not touch it: "
                "choose another [storage] database"
            )
        if not self.read_only:
            self.conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def close(self) -> None:
        self.conn.close()

    # --- statements -----------------------------------------------------------------------------------

    def execute(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self.errors():
            return self.conn.execute(sql, args)

    def rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows as plain tuples (quicker than named rows where thousands are read)."""
        with self.errors():
            cursor = self.conn.cursor()
            cursor.row_factory = None
            return cursor.execute(sql, args).fetchall()

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.errors():
            self.conn.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if self.conn.in_transaction:  # nested: the outer transaction decides
            yield
            return
        self.execute("BEGIN" if self.read_only else "BEGIN IMMEDIATE")
        try:
            yield
            self.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:  # SQLite rolls back by itself on some errors (a full disk)
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self.error(exc) from None

    def error(self, exc: sqlite3.Error) -> Exception:
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith("SQLITE_FULL") or (name.startswith("SQLITE_IOERR") and self._space_short()):
            return StorageFull(f"disk full: cannot write {self.path} ({self._space_words()}); nothing was lost, "
                               "free some space and run again")  # fmt: skip
        if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
            return StorageError(f"cannot write {self.path}: {exc} (check the permissions of the file and its folder)")
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return TemporaryError(f"{self.path} is busy ({exc}); try again later")
        if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            return StorageError(f"{self.path}: not a runsync database or damaged ({exc})")
        if name.startswith("SQLITE_IOERR"):
            return StorageFull(f"cannot write {self.path}: {exc} ({self._space_words()}); nothing was lost")
        return StorageError(f"{self.path}: database error: {exc}")

    def _space_short(self) -> bool:
        return _file_size_limit() is not None or shutil.disk_usage(self.path.parent).free < LOW_DISK_BYTES

    def _space_words(self) -> str:
        soft = _file_size_limit()
        free = shutil.disk_usage(self.path.parent).free
        limit = f"; a file-size limit of {soft:,} bytes is set (ulimit -f)" if soft is not None else ""
        return f"{free / 2**20:,.0f} MiB free{limit}"

    # --- schema and lock ------------------------------------------------------------------------------

    def schema_version(self) -> int:
        return int(self.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, version: int) -> None:
        self.execute(f"PRAGMA user_version = {int(version)}")

    def translate(self, script: str) -> str:
        return script

    def prepare_schema(self) -> None:
        """Nothing to prepare: the version is PRAGMA user_version."""

    def serialise_migrations(self) -> None:
        """Nothing to do: BEGIN IMMEDIATE already lets one writer in."""

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def relaxed_commit(self) -> None:
        """PostgreSQL's commit that does not wait for the disk; SQLite's commits are already local."""

    @contextlib.contextmanager
    def pipeline(self) -> Iterator[None]:
        yield

    def lock_held(self) -> bool:
        """Whether a sync holds the writer lock now (tested by taking and releasing it at once)."""
        try:
            with self.lock():
                return False
        except LockHeld:
            return True
        except StorageError:
            return False

    @contextlib.contextmanager
    def lock(self, athletes: Iterable[str] | None = None) -> Iterator[None]:
        """Exclusive writer lock on the whole file, whichever athletes are written (two cron runs must not sync
        the same store at once); taken again by the process that holds it, it is simply held."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        lock_path = self.lock_path
        try:
            handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole block
        except OSError as exc:
            raise StorageError(f"cannot create the lock file {lock_path}: {exc.strerror or exc} "
                               "(check the permissions of the database folder)") from None  # fmt: skip
        with handle:
            if not _try_lock(handle):
                raise LockHeld(f"another runsync is syncing {self.path} (lock {lock_path}); try again later") from None
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0
                _unlock(handle)


def _file_size_limit() -> int | None:
    """The process's file-size limit (ulimit -f), None when there is none or the platform has no such limit."""
    try:
        import resource  # POSIX only
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft


def _try_lock(handle: IO[str]) -> bool:
    """Take an exclusive lock on the open file without waiting: flock on POSIX, msvcrt's byte lock on Windows (the
    lock goes with the process: a killed sync leaves no stale lock behind)."""
    try:
        import fcntl
    except ImportError:
        import msvcrt  # Windows

        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(handle, fcntl.LOCK_UN)
