"""The store: one SQLite file, migrated on open, written in transactions so a crash never leaves half a session."""

from runsync.store.db import Store
from runsync.store.migrations import MIGRATIONS
from runsync.store.rows import RawRecord, StoredFinding, fingerprint, now_iso, pack_samples, unpack_samples

__all__ = [
    "MIGRATIONS",
    "RawRecord",
    "Store",
    "StoredFinding",
    "fingerprint",
    "now_iso",
    "pack_samples",
    "unpack_samples",
]
