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


def test_a_session_round_trips_with_laps_sources_and_samples(store_location: str) -> None:
    store = Store.open(store_location)
    with store.transaction():
        store.save_session(a_session(sets=(StrengthSet(START, 40.0, 10, 60.0, "squat"),)))
    got = store.session("fit-abc")
    assert got is not None
    assert got.start == START and got.local_date == date(2026, 10, 11)
    assert got.laps[0].intensity == "active" and got.laps[0].trigger == "distance"
    assert got.sets[0].reps == 10 and got.sets[0].exercise == "squat"
    assert got.sources == (Source("fit", "abc", "/w/a.fit"),)
    pd.testing.assert_frame_equal(got.samples, a_session().samples)


def test_sessions_are_selected_by_local_date_not_utc_date(store_location: str) -> None:
    store = Store.open(store_location)
    with store.transaction():
        store.save_session(a_session())
    assert [s.id for s in store.sessions("ana", since=date(2026, 10, 11), until=date(2026, 10, 11))] == ["fit-abc"]
    assert store.sessions("ana", since=date(2026, 10, 12)) == []


def test_a_failed_transaction_leaves_nothing_half_written(store_location: str) -> None:
    store = Store.open(store_location)
    with pytest.raises(RuntimeError), store.transaction():
        store.save_raw("fit", "abc", athlete="ana", payload=b"x")
        store.save_session(a_session())
        raise RuntimeError("crash mid-import")
    assert store.raw("fit", "abc") is None
    assert store.sessions() == []
    assert store.db.execute("SELECT COUNT(*) FROM laps").fetchone()[0] == 0


def test_the_schema_is_migrated_once_and_recorded(tmp_path: Path) -> None:
    Store.open(tmp_path / "s.db").close()
    store = Store.open(tmp_path / "s.db")
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_second_writer_is_refused_while_the_lock_is_held(tmp_path: Path) -> None:
    first, second = Store.open(tmp_path / "s.db"), Store.open(tmp_path / "s.db")
    with first.lock(), pytest.raises(LockHeld, match="another runsync is syncing"), second.lock():
        pass
    with second.lock():
        pass


def test_sync_state_keeps_json_values(store_location: str) -> None:
    store = Store.open(store_location)
    with store.transaction():
        store.save_state("ana", "strava", "cursor", {"after": 123, "queue": [1, 2]})
    assert store.state("ana", "strava", "cursor") == {"after": 123, "queue": [1, 2]}
    assert store.state("ana", "strava", "missing") is None


def test_an_unopenable_database_is_a_config_error_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    from runsync.errors import ConfigError

    with pytest.raises(ConfigError, match="storage.database: cannot open"):
        Store.open(tmp_path / "file" / "s.db")


def test_replacing_a_session_replaces_its_laps(store_location: str) -> None:
    store = Store.open(store_location)
    with store.transaction():
        store.save_session(a_session())
        store.save_session(a_session(laps=(), start=START + timedelta(seconds=1)))
    assert store.session("fit-abc").laps == ()
    assert store.db.execute("SELECT COUNT(*) FROM laps").fetchone()[0] == 0


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
    assert "samples" not in {r[1] for r in store.db.execute("PRAGMA table_info(sessions)")}


def test_findings_reports_sent_and_files_round_trip(store_location: str) -> None:
    from runsync.model import Finding

    store = Store.open(store_location)
    finding = Finding(rule="mileage-ramp", severity="warning", athlete="ana", start=date(2026, 10, 5),
                      end=date(2026, 10, 11), title="t", message="m 50 % up", sessions=("fit-abc",), basis=("laps",),
                      metrics={"increase_pct": 50.0})  # fmt: skip
    seen = datetime(2026, 10, 12, 8, tzinfo=UTC)
    assert store.save_findings([finding], seen) == [finding]
    assert store.save_findings([finding], seen + timedelta(days=1)) == []
    [stored] = store.findings("ana", since=date(2026, 10, 11))
    assert stored.finding == finding and stored.first_seen == seen and stored.last_seen == seen + timedelta(days=1)
    with store.transaction():
        store.save_report_sent("Coach@x.org", "ana", date(2026, 10, 5), seen)
        store.save_report_sent("coach@x.org", "ana", date(2026, 10, 5), seen + timedelta(hours=1))
        store.save_file("/w/ä/a.fit", "ana", 10, 1_700_000_000_123_456_789, "d1")
        store.save_file("/w/b/a.fit", "ana", 11, 5, "d2")
    assert store.last_report_sent("ana", "coach@x.org") == seen + timedelta(hours=1)
    assert store.known_files("/w/ä/") == {"/w/ä/a.fit": (10, 1_700_000_000_123_456_789, "d1")}


def test_two_processes_opening_a_new_store_at_once_migrate_it_once(store_location: str) -> None:
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        stores = list(pool.map(lambda _: Store.open(store_location), range(4)))
    assert {s.db.schema_version() for s in stores} == {len(MIGRATIONS)}
    for store in stores:
        store.close()


def test_a_postgresql_password_never_appears_in_messages(pg_url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    from runsync.errors import ConfigError
    from runsync.store.postgres import safe_url

    parts = urlsplit(pg_url)
    wrong = urlunsplit(parts._replace(netloc=f"nobody_here:s3cret-pw@{parts.netloc.rsplit('@', 1)[-1]}"))
    with pytest.raises(ConfigError) as caught:
        Store.open(wrong)
    assert "s3cret-pw" not in str(caught.value) and "s3cret-pw" not in safe_url(wrong)


def test_a_postgresql_database_with_another_programs_tables_is_not_touched(pg_url: str) -> None:
    import psycopg

    from runsync.errors import StorageError

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE sessions (x int)")
    with pytest.raises(StorageError, match="not a runsync database"):
        Store.open(pg_url)


def test_on_postgresql_two_athletes_sync_at_once_but_one_athlete_once(pg_url: str) -> None:
    first, second = Store.open(pg_url), Store.open(pg_url)
    with first.lock(["ana"]):
        with second.lock(["ben"]):
            pass
        with pytest.raises(LockHeld, match="ana"), second.lock(["ana"]):
            pass
        with pytest.raises(LockHeld), second.lock():  # the whole store waits for every athlete
            pass
    with second.lock(), pytest.raises(LockHeld), first.lock(["ben"]):
        pass
