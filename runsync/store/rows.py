"""How values are stored: timestamps, the compressed columnar samples blob, and the records read back."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from runsync.model import SAMPLE_COLUMNS, Finding, Session

if TYPE_CHECKING:
    import pandas as pd

RAW_COLUMNS = "source, source_id, part, athlete, path, status, error, decoder, fetched_at"
SESSION_COLUMNS = (
    "id, athlete, sport, sub_sport, name, start_ts, utc_offset_s, timezone, elapsed_s, moving_s, distance_m,"
    " avg_hr, max_hr, elevation_gain_m, workout_type, rpe, n_samples"
)


def ts_of(dt: datetime | None) -> float | None:
    return None if dt is None else dt.timestamp()


def utc_of(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def pack_samples(frame: pd.DataFrame | None) -> tuple[int, bytes | None]:
    if frame is None or frame.empty:
        return 0, None
    import numpy as np

    matrix = np.vstack([frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in SAMPLE_COLUMNS])
    return len(frame), zlib.compress(matrix.tobytes(), 1)


def fingerprint(session: Session, blob: bytes | None) -> str:
    """What a session's analysis is computed from, as a short hash: its packed samples, laps, sets, sport, type,
    totals and RPE (not its name, sources or id: a renamed or merged copy with the same content keeps its analysis)."""
    content = (session.sport, session.sub_sport, session.workout_type, session.rpe, session.start.timestamp(),
               session.elapsed_s, session.moving_s, session.distance_m, session.avg_hr, session.max_hr,
               session.laps, session.sets)  # fmt: skip
    return hashlib.sha256(repr(content).encode() + (blob or b"")).hexdigest()[:16]


def unpack_samples(n: int, blob: bytes | None) -> pd.DataFrame | None:
    if not n or blob is None:
        return None
    import numpy as np
    import pandas as pd

    matrix = np.frombuffer(zlib.decompress(blob), dtype="float64").reshape(len(SAMPLE_COLUMNS), n)
    return pd.DataFrame({c: matrix[i] for i, c in enumerate(SAMPLE_COLUMNS)})


class Deferred(Sequence[Any]):
    """A session's laps or sets as the store hands them out: read on first use, for the whole batch of sessions they
    were loaded with (an audit reads none: each session's structure is in its stored analysis). It behaves as the
    tuple it stands for: compares, prints and pickles as that tuple."""

    __slots__ = ("_batch", "_key", "_items")

    def __init__(self, batch: Callable[[], dict[str, tuple[Any, ...]]], key: str) -> None:
        self._batch, self._key, self._items = batch, key, None

    def _get(self) -> tuple[Any, ...]:
        if self._items is None:
            self._items = self._batch().get(self._key, ())
        return self._items

    def __getitem__(self, index: Any) -> Any:
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._get())

    def __eq__(self, other: object) -> bool:
        return self._get() == (tuple(other) if isinstance(other, Deferred) else other)

    def __hash__(self) -> int:
        return hash(self._get())

    def __repr__(self) -> str:
        return repr(self._get())

    def __reduce__(self) -> tuple[Any, ...]:
        return tuple, (self._get(),)


def once(load: Callable[[], Any]) -> Callable[[], Any]:
    """`load` run at the first call only; later calls return its result."""
    done: list[Any] = []

    def run() -> Any:
        if not done:
            done.append(load())
        return done[0]

    return run


@dataclass(frozen=True)
class RawRecord:
    source: str
    source_id: str
    part: str
    athlete: str
    path: str | None
    status: str  # ok | skipped | error
    error: str | None
    decoder: str | None
    fetched_at: str


@dataclass(frozen=True)
class StoredFinding:
    finding: Finding
    first_seen: datetime  # aware UTC: when an audit first produced this finding (by Finding.key)
    last_seen: datetime
