from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runsync.errors import LockHeld
from runsync.model import SAMPLE_COLUMNS, Lap, Session, Source, StrengthSet
from runsync.store import MIGRATIONS, Store

START = datetime(2026, 10, 12, 2, 30, tzinfo=UTC)  # 19:30 on 11 Oct in Los Angeles


def a_session(**changes: object) -> Session:
    samples = pd.DataFrame({c: np.arange(5, dtype=float) for c in SAMPLE_COLUMNS})
    samples.loc[2, "hr"] = np.nan
    base = Session(
        id="fit-abc", athlete="ana", sport="run", start=START, utc_offset_s=-7 * 3600, distance_m=10000.0,
        elapsed_s=3000.0, moving_s=2900.0, avg_hr=150.0, sources=(Source("fit", "abc", "/w/a.fit"),),
        laps=(Lap(START, 300.0, 290.0, 1000.0, intensity="active", trigger="distance"),), samples=samples,
    )  # fmt: skip
    return base.replace(**changes)


def test_a_session_round_trips_with_laps_sources_and_samples(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    with store.transaction():
        store.save_session(a_session(sets=(StrengthSet(START, 40.0, 10, 60.0, "squat"),)))
    got = store.session("fit-abc")
    assert got is not None
    assert got.start == START and got.local_date == date(2026, 10, 11)
    assert got.laps[0].intensity == "active" and got.laps[0].trigger == "distance"
    assert got.sets[0].reps == 10 and got.sets[0].exercise == "squat"
    assert got.sources == (Source("fit", "abc", "/w/a.fit"),)
    pd.testing.assert_frame_equal(got.samples, a_session().samples)


def test_sessions_are_selected_by_local_date_not_utc_date(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    with store.transaction():
        store.save_session(a_session())
    assert [s.id for s in store.sessions("ana", since=date(2026, 10, 11), until=date(2026, 10, 11))] == ["fit-abc"]
    assert store.sessions("ana", since=date(2026, 10, 12)) == []


def test_a_failed_transaction_leaves_nothing_half_written(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    with pytest.raises(RuntimeError), store.transaction():
        store.save_raw("fit", "abc", athlete="ana", payload=b"x")
        store.save_session(a_session())
        raise RuntimeError("crash mid-import")
    assert store.raw("fit", "abc") is None
    assert store.sessions() == []
    assert store.conn.execute("SELECT COUNT(*) FROM laps").fetchone()[0] == 0


def test_the_schema_is_migrated_once_and_recorded(tmp_path: Path) -> None:
    Store.open(tmp_path / "s.db").close()
    store = Store.open(tmp_path / "s.db")
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_second_writer_is_refused_while_the_lock_is_held(tmp_path: Path) -> None:
    first, second = Store.open(tmp_path / "s.db"), Store.open(tmp_path / "s.db")
    with first.lock(), pytest.raises(LockHeld, match="another runsync is syncing"), second.lock():
        pass
    with second.lock():
        pass


def test_sync_state_keeps_json_values(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    with store.transaction():
        store.save_state("ana", "strava", "cursor", {"after": 123, "queue": [1, 2]})
    assert store.state("ana", "strava", "cursor") == {"after": 123, "queue": [1, 2]}
    assert store.state("ana", "strava", "missing") is None


def test_an_unopenable_database_is_a_config_error_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    from runsync.errors import ConfigError

    with pytest.raises(ConfigError, match="storage.database: cannot open"):
        Store.open(tmp_path / "file" / "s.db")


def test_replacing_a_session_replaces_its_laps(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    with store.transaction():
        store.save_session(a_session())
        store.save_session(a_session(laps=(), start=START + timedelta(seconds=1)))
    assert store.session("fit-abc").laps == ()
    assert sqlite3.connect(tmp_path / "s.db").execute("SELECT COUNT(*) FROM laps").fetchone()[0] == 0


def test_a_store_from_before_derive_once_keeps_every_sample_and_gets_its_analyses(tmp_path: Path) -> None:
    from runsync.store.rows import pack_samples

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:4], start=1):  # a round-1 store: samples inside sessions
        conn.executescript(script + f";PRAGMA user_version = {number};")
    session = a_session()
    n, blob = pack_samples(session.samples)
    conn.execute("INSERT INTO sessions (id, athlete, sport, start_ts, utc_offset_s, local_date, distance_m, moving_s,"
                 " n_samples, samples, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (session.id, "ana", "run", START.timestamp(), -7 * 3600, "2026-10-11", 10000.0, 2900.0, n, blob,
                  "2026-10-12T00:00:00+00:00"))  # fmt: skip
    conn.commit()
    conn.close()
    store = Store.open(path)
    pd.testing.assert_frame_equal(store.session("fit-abc").samples, session.samples)
    pd.testing.assert_frame_equal(store.samples_of("fit-abc"), session.samples)
    assert "samples" not in {r[1] for r in store.conn.execute("PRAGMA table_info(sessions)")}
