"""Fixtures for the Strava tests: the fake API, an in-memory keyring, a config pointed at both, and helpers.

Import the fixtures into a test module: `from tests.strava_fixtures import fake, keyring_memory, ...`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from runsync.config import load_config
from runsync.config.secrets import KeyringSecrets
from runsync.sources.strava.oauth import Token, save_token
from runsync.store import Store
from runsync.sync import SyncReport, run_sync
from tests.fake_strava import CLIENT_ID, CLIENT_SECRET, FakeStrava, make_activity, start_fake_strava

T0 = datetime(2026, 9, 1, 14, 0, tzinfo=UTC)


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps everything in a dict (never the machine's keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def keyring_memory() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    fake, server = start_fake_strava()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def client_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNSYNC_STRAVA_CLIENT_SECRET", CLIENT_SECRET)


def write_config(
    tmp_path: Path,
    fake: FakeStrava,
    *,
    extra: str = "",
    per_page: int = 100,
    reserve_15min: int = 5,
    reserve_daily: int = 50,
    athletes: tuple[str, ...] = ("ana",),
) -> Path:
    watch = tmp_path / "watch"
    watch.mkdir(exist_ok=True)
    blocks = "".join(
        f'\n[athletes.{a}]\nname = "{a.title()}"\ntimezone = "America/Los_Angeles"\nmax_hr = 190\n'
        f'fit_dirs = ["{watch}"]\nstrava = true\n'
        for a in athletes
    )
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
database = "{tmp_path / "runsync.db"}"
{extra}
[strava]
client_id = "{CLIENT_ID}"
api_url = "{fake.url}/api/v3"
oauth_url = "{fake.url}/oauth"
per_page = {per_page}
reserve_15min = {reserve_15min}
reserve_daily = {reserve_daily}
timeout_s = 0.5
{blocks}""",
        encoding="utf-8",
    )
    return path


def authorise(
    fake: FakeStrava, athlete: str = "ana", expires_in: int | None = None, at: datetime | None = None
) -> Token:
    """Tokens the fake issued (at `at`), kept in the in-memory keyring the way `runsync auth strava` does."""
    fake.now = at.timestamp() if at else None
    info = fake.issue_tokens(athlete, expires_in)
    token = Token(info["access_token"], info["refresh_token"], info["expires_at"], info["athlete"]["id"])
    save_token(KeyringSecrets(keyring.get_keyring()), athlete, token)
    return token


def history(
    fake: FakeStrava,
    n: int,
    *,
    athlete: str = "ana",
    start: datetime = T0,
    every: timedelta = timedelta(days=1),
    first_id: int = 1,
) -> list[dict]:
    """`n` activities, one per `every`, oldest first: runs, with a weight session every fifth."""
    made = []
    for i in range(n):
        sport = "WeightTraining" if i % 5 == 4 else "Run"
        distance = 0.0 if sport == "WeightTraining" else 8000.0 + 100 * (i % 7)
        made.append(
            fake.add_activity(
                athlete,
                make_activity(
                    first_id + i, start + i * every, sport_type=sport, distance_m=distance, moving_s=2400 + 10 * (i % 7)
                ),
            )
        )
    return made


def sync_once(config_path: Path, now: datetime, fake: FakeStrava) -> SyncReport:
    """One `runsync sync` at `now` (the fake's clock follows)."""
    fake.now = now.timestamp()
    config = load_config(config_path)
    store = Store.open(config.database)
    try:
        return run_sync(store, list(config.athletes.values()), config=config, now=now)
    finally:
        store.close()


def stored(config_path: Path) -> Store:
    return Store.open(load_config(config_path).database)
