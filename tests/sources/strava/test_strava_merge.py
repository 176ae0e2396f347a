"""The same run from the watch (FIT) and from Strava is one session, whichever arrives first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from runsync.demo.fitwrite import easy_run, write_file
from runsync.model import Session
from tests.fake_strava import FakeStrava, make_activity
from tests.strava_fixtures import T0, authorise, stored, sync_once, write_config

pytestmark = pytest.mark.usefixtures("keyring_memory", "client_secret")
NOW = T0 + timedelta(days=2)
LA = -7 * 3600


def watch_run(tmp_path: Path) -> Path:
    return write_file(easy_run(T0, LA, 8.0, 330.0, 145.0), tmp_path / "watch" / "2026-09-01-07-00.fit")


def strava_run(fake: FakeStrava) -> None:
    fake.add_activity("ana", make_activity(9001, T0 + timedelta(seconds=40), distance_m=8030.0, moving_s=2640,
                                           name="Morning shakeout", workout_type=2))  # fmt: skip


def essentials(session: Session) -> tuple:
    samples = None if session.samples is None else len(session.samples)
    return (session.id, session.name, session.sport, session.start, session.distance_m, session.workout_type,
            [(s.kind, s.id, Path(s.name or "").name) for s in session.sources], session.laps, samples)  # fmt: skip


def one_session(config: Path) -> Session:
    store = stored(config)
    sessions = store.sessions("ana")
    assert len(sessions) == 1, sessions
    return store.session(sessions[0].id, samples=True)


def test_fit_then_strava_and_strava_then_fit_give_the_same_session(tmp_path: Path, fake: FakeStrava) -> None:
    authorise(fake, at=NOW)
    strava_run(fake)
    first_a, first_b = tmp_path / "a", tmp_path / "b"
    first_a.mkdir(), first_b.mkdir()
    config_a, config_b = write_config(first_a, fake), write_config(first_b, fake)

    watch_run(first_a)  # A: the watch file, then Strava
    hidden = fake.activities.pop("ana")
    assert sync_once(config_a, NOW, fake).errors == []
    fake.activities["ana"] = hidden
    assert sync_once(config_a, NOW + timedelta(hours=1), fake).errors == []

    assert sync_once(config_b, NOW, fake).errors == []  # B: Strava, then the watch file
    watch_run(first_b)
    assert sync_once(config_b, NOW + timedelta(hours=1), fake).errors == []

    a, b = one_session(config_a), one_session(config_b)
    assert essentials(a) == essentials(b)
    assert [s.kind for s in a.sources] == ["fit", "strava"] and a.name == "Morning shakeout"
    assert a.workout_type == "long" and a.id.startswith("fit")
    assert a.samples is not None and len(a.samples) > 2000  # the watch's 1 Hz records won
