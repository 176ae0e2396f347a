"""The schema, one migration per version (PRAGMA user_version). Append; never edit a released one."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the foundation
    """
    CREATE TABLE raw (
        source TEXT NOT NULL, source_id TEXT NOT NULL, part TEXT NOT NULL DEFAULT '',
        athlete TEXT NOT NULL, path TEXT, size INTEGER, payload BLOB,
        status TEXT NOT NULL, error TEXT, decoder TEXT, fetched_at TEXT NOT NULL,
        PRIMARY KEY (source, source_id, part)
    );
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY, athlete TEXT NOT NULL, sport TEXT NOT NULL, sub_sport TEXT, name TEXT,
        start_ts REAL NOT NULL, utc_offset_s INTEGER NOT NULL, timezone TEXT, local_date TEXT NOT NULL,
        elapsed_s REAL, moving_s REAL, distance_m REAL, avg_hr REAL, max_hr REAL, elevation_gain_m REAL,
        workout_type TEXT NOT NULL DEFAULT 'none', n_samples INTEGER NOT NULL DEFAULT 0, samples BLOB,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX sessions_athlete_date ON sessions (athlete, local_date);
    CREATE INDEX sessions_athlete_start ON sessions (athlete, start_ts);
    CREATE TABLE session_sources (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        kind TEXT NOT NULL, source_id TEXT NOT NULL, name TEXT,
        PRIMARY KEY (kind, source_id)
    );
    CREATE INDEX session_sources_session ON session_sources (session_id);
    CREATE TABLE laps (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE, idx INTEGER NOT NULL,
        start_ts REAL NOT NULL, elapsed_s REAL, timer_s REAL, distance_m REAL, avg_hr REAL, max_hr REAL,
        avg_speed_mps REAL, intensity TEXT, trigger TEXT,
        PRIMARY KEY (session_id, idx)
    );
    CREATE TABLE sets (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE, idx INTEGER NOT NULL,
        start_ts REAL, duration_s REAL, reps INTEGER, weight_kg REAL, exercise TEXT, set_type TEXT NOT NULL,
        PRIMARY KEY (session_id, idx)
    );
    CREATE TABLE sync_state (
        athlete TEXT NOT NULL, source TEXT NOT NULL, key TEXT NOT NULL, value TEXT,
        PRIMARY KEY (athlete, source, key)
    );
    """,
    # 2: audit findings, with when each was first seen (so a report can tell new from old)
    """
    CREATE TABLE findings (
        key TEXT PRIMARY KEY, athlete TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
        start_date TEXT NOT NULL, end_date TEXT NOT NULL, payload TEXT NOT NULL,
        first_seen TEXT NOT NULL, last_seen TEXT NOT NULL
    );
    CREATE INDEX findings_athlete_dates ON findings (athlete, end_date, start_date);
    """,
    # 3: weekly reports sent, per recipient and athlete (a report marks findings first seen since the last one)
    """
    CREATE TABLE reports_sent (
        recipient TEXT NOT NULL, athlete TEXT NOT NULL, week TEXT NOT NULL, sent_at TEXT NOT NULL,
        PRIMARY KEY (recipient, athlete, week)
    );
    CREATE INDEX reports_sent_athlete ON reports_sent (athlete, sent_at);
    """,
    # 4: a source may hold several sessions (the legs of a multisport FIT file): the key is the session and the
    # source, not the source alone (which kept only the last leg's row); the legs that lost theirs get it back
    """
    CREATE TABLE session_sources_v4 (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        kind TEXT NOT NULL, source_id TEXT NOT NULL, name TEXT,
        PRIMARY KEY (session_id, kind, source_id)
    );
    INSERT INTO session_sources_v4 (session_id, kind, source_id, name)
        SELECT session_id, kind, source_id, name FROM session_sources;
    INSERT INTO session_sources_v4 (session_id, kind, source_id, name)
        SELECT s.id, 'fit', r.source_id, r.path FROM sessions s
        JOIN raw r ON r.source = 'fit' AND r.part = '' AND substr(r.source_id, 1, 16) = substr(s.id, 5, 16)
        WHERE s.id LIKE 'fit-%'
        AND NOT EXISTS (SELECT 1 FROM session_sources_v4 x WHERE x.session_id = s.id AND x.kind = 'fit');
    DROP TABLE session_sources;
    ALTER TABLE session_sources_v4 RENAME TO session_sources;
    CREATE INDEX session_sources_source ON session_sources (kind, source_id);
    """,
    # 5: derive once. Each session's analysis (efforts, intensity, intervals, zones, load) is stored with the key of
    # the settings it was computed with and the fingerprint of the session content it was computed from; a session
    # re-saved with the same content keeps its analysis. Samples and raw payloads move to tables of their own, so
    # reading sessions or the import state never walks their blobs. Files remember their size and mtime, so a
    # nightly sync with nothing new costs a stat() per file. Sessions logged by hand may carry an RPE.
    """
    CREATE TABLE raw_payloads (
        source TEXT NOT NULL, source_id TEXT NOT NULL, part TEXT NOT NULL DEFAULT '', payload BLOB,
        PRIMARY KEY (source, source_id, part)
    );
    INSERT INTO raw_payloads (source, source_id, part, payload)
        SELECT source, source_id, part, payload FROM raw WHERE payload IS NOT NULL;
    ALTER TABLE raw DROP COLUMN payload;
    CREATE TABLE samples (
        session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE, n INTEGER NOT NULL, blob BLOB
    );
    INSERT INTO samples (session_id, n, blob) SELECT id, n_samples, samples FROM sessions WHERE samples IS NOT NULL;
    ALTER TABLE sessions DROP COLUMN samples;
    ALTER TABLE sessions ADD COLUMN fingerprint TEXT;
    ALTER TABLE sessions ADD COLUMN rpe REAL;
    CREATE TABLE analysis (
        session_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
        efforts_version INTEGER NOT NULL, best_3min_m REAL, best_12min_m REAL,
        key TEXT, payload TEXT, computed_at TEXT NOT NULL
    );
    CREATE TABLE files (
        path TEXT PRIMARY KEY, athlete TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
        digest TEXT NOT NULL
    );
    """,
    # 6: team scale. Jobs for workers (one athlete's one source, or one Strava activity a webhook named), claimed
    # one at a time; a job a dead worker held is found and queued again. Webhook events as received (the dedup key
    # makes a retried delivery a no-op). The Strava rate budget every worker draws from, per window.
    """
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY, athlete TEXT NOT NULL, source TEXT NOT NULL, kind TEXT NOT NULL,
        object_id TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0, not_before REAL NOT NULL DEFAULT 0,
        worker TEXT, error TEXT, exit_status INTEGER,
        created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT
    );
    CREATE INDEX jobs_ready ON jobs (status, not_before, id);
    CREATE INDEX jobs_athlete ON jobs (athlete, status, id);
    CREATE TABLE webhook_events (
        id INTEGER PRIMARY KEY, source TEXT NOT NULL, dedup TEXT NOT NULL UNIQUE, athlete TEXT NOT NULL,
        object_type TEXT NOT NULL, object_id TEXT NOT NULL, aspect TEXT NOT NULL, event_time INTEGER,
        received_at TEXT NOT NULL, job_id INTEGER
    );
    CREATE INDEX webhook_events_athlete ON webhook_events (athlete, received_at);
    CREATE TABLE rate_budget (
        service TEXT NOT NULL, span TEXT NOT NULL, window_start REAL NOT NULL, used INTEGER NOT NULL,
        lim INTEGER, PRIMARY KEY (service, span)
    );
    """,
    # 7: beyond the sessions. What the watch measured of each day (resting HR, HRV, sleep, weight, how the athlete
    # felt), one row per athlete, day and source (intervals.icu, Garmin Connect), merged when read; and the workouts
    # planned on the athlete's calendar, replaced window by window as the service sends them.
    """
    CREATE TABLE wellness (
        athlete TEXT NOT NULL, day TEXT NOT NULL, source TEXT NOT NULL,
        resting_hr REAL, hrv_rmssd_ms REAL, hrv_sdnn_ms REAL, sleep_s REAL, sleep_score REAL, sleep_quality REAL,
        weight_kg REAL, spo2_pct REAL, readiness REAL, soreness REAL, fatigue REAL, stress REAL, mood REAL,
        motivation REAL, updated_at TEXT NOT NULL,
        PRIMARY KEY (athlete, day, source)
    );
    CREATE TABLE planned (
        source TEXT NOT NULL, id TEXT NOT NULL, athlete TEXT NOT NULL, day TEXT NOT NULL, sport TEXT NOT NULL,
        name TEXT, description TEXT, moving_s REAL, distance_m REAL, load REAL, intensity REAL,
        key INTEGER NOT NULL DEFAULT 0, done TEXT, updated_at TEXT NOT NULL,
        PRIMARY KEY (source, id)
    );
    CREATE INDEX planned_athlete_day ON planned (athlete, day);
    """,
    # 8: running as a service. The runs the schedule has enqueued (a task, an athlete, the local day or week it
    # was due for: the key makes several schedulers and a restart enqueue it once); the workers' heartbeats.
    """
    CREATE TABLE schedule_runs (
        task TEXT NOT NULL, athlete TEXT NOT NULL, due TEXT NOT NULL, enqueued_at TEXT NOT NULL,
        PRIMARY KEY (task, athlete, due)
    );
    CREATE TABLE workers (
        name TEXT PRIMARY KEY, started_at TEXT NOT NULL, seen_at TEXT NOT NULL, job_id INTEGER
    );
    """,
    # 9: PostgreSQL only (a line "-- postgresql: ..." is a statement there, a comment in SQLite): the file bytes
    # and the samples are compressed already; trying again on every write (TOAST's pglz) only costs the server time
    """
    -- postgresql: ALTER TABLE raw_payloads ALTER COLUMN payload SET STORAGE EXTERNAL;
    -- postgresql: ALTER TABLE samples ALTER COLUMN blob SET STORAGE EXTERNAL;
    """,
]
