"""Strava authorisation: the code exchange, refresh with rotation, revocation, and where tokens are kept."""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
import requests
from keyring.backends import fail

from runsync.config.secrets import KeyringSecrets
from runsync.sources.strava.loopback import RedirectCatcher
from runsync.sources.strava.oauth import load_token
from tests.conftest import run_cli
from tests.fake_strava import FakeStrava
from tests.strava_fixtures import T0, authorise, history, write_config

pytestmark = pytest.mark.usefixtures("keyring_memory", "client_secret")
NOW = datetime.now(UTC)


def keyring_token(athlete: str = "ana"):
    return load_token(KeyringSecrets(keyring.get_keyring()), athlete)


def test_auth_with_a_code_keeps_the_tokens_in_the_keyring_and_nowhere_else(tmp_path: Path, fake: FakeStrava) -> None:
    fake.codes["c0de"] = "ana"
    config = write_config(tmp_path, fake)
    run_cli("--config", config, "auth", "strava", "ana", "--code", "c0de")
    token = keyring_token()
    assert token is not None and token.access_token.startswith("access-ana-") and token.athlete_id
    assert token.refresh_token in fake.refresh
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert token.refresh_token.encode() not in path.read_bytes(), path


def test_a_used_or_wrong_code_exits_4_and_says_to_start_again(tmp_path: Path, fake: FakeStrava) -> None:
    config = write_config(tmp_path, fake)
    out = run_cli("--config", config, "auth", "strava", "ana", "--code", "stale", expect=4)
    assert "start again with  runsync auth strava" in out.stderr


def test_an_expiring_token_is_refreshed_and_the_rotated_refresh_token_saved(tmp_path: Path, fake: FakeStrava) -> None:
    history(fake, 2)
    old = authorise(fake, expires_in=120)  # under 5 minutes left
    config = write_config(tmp_path, fake)
    run_cli("--config", config, "sync")
    new = keyring_token()
    assert new.refresh_token != old.refresh_token and old.refresh_token not in fake.refresh
    assert new.refresh_token in fake.refresh and fake.calls["token"] == 1
    run_cli("--config", config, "sync")  # the saved token keeps working
    assert fake.calls["token"] == 1


def test_a_401_refreshes_once_and_carries_on(tmp_path: Path, fake: FakeStrava) -> None:
    history(fake, 1)
    authorise(fake)
    config = write_config(tmp_path, fake)
    fake.fail_next = [401]
    run_cli("--config", config, "sync")
    assert fake.calls["token"] == 1 and keyring_token().refresh_token in fake.refresh


def test_a_revoked_token_exits_4_naming_the_command_to_run(tmp_path: Path, fake: FakeStrava) -> None:
    history(fake, 1)
    authorise(fake)
    fake.revoke("ana")
    config = write_config(tmp_path, fake)
    out = run_cli("--config", config, "sync", expect=4)
    assert "Strava token for ana was revoked: run  runsync auth strava ana" in out.stderr
    assert "token revoked" in run_cli("--config", config, "athletes").stdout


def test_without_a_keyring_sync_and_auth_exit_4_explaining_the_file_opt_in(tmp_path: Path, fake: FakeStrava) -> None:
    keyring.set_keyring(fail.Keyring())
    config = write_config(tmp_path, fake)
    for args in (("sync",), ("auth", "strava", "ana", "--code", "x")):
        out = run_cli("--config", config, *args, expect=4)
        assert "no system keyring" in out.stderr and '[secrets] backend = "file"' in out.stderr


def test_the_file_backend_writes_a_0600_file_and_refuses_a_wider_one(tmp_path: Path, fake: FakeStrava) -> None:
    secrets_file = tmp_path / "private" / "secrets.json"
    keyring.set_keyring(fail.Keyring())  # the file backend must not need a keyring
    config = write_config(tmp_path, fake, extra=f'[secrets]\nbackend = "file"\nfile = "{secrets_file}"\n')
    fake.codes["c0de"] = "ana"
    history(fake, 1)
    run_cli("--config", config, "auth", "strava", "ana", "--code", "c0de")
    assert oct(secrets_file.stat().st_mode & 0o777) == "0o600"
    assert "refresh_token" in json.loads(secrets_file.read_text())["strava:ana"]
    run_cli("--config", config, "sync")
    os.chmod(secrets_file, 0o644)
    out = run_cli("--config", config, "sync", expect=4)
    assert f"chmod 600 {secrets_file}" in out.stderr


def test_athletes_shows_sources_sync_state_and_token_state_but_never_the_token(
    tmp_path: Path, fake: FakeStrava
) -> None:
    history(fake, 3, athlete="ana")
    token = authorise(fake, "ana")
    config = write_config(tmp_path, fake, athletes=("ana", "ben"))
    assert "token missing" in run_cli("--config", config, "athletes").stdout
    run_cli("--config", config, "sync", expect=4)  # ben has no token
    out = run_cli("--config", config, "athletes").stdout
    ana, ben = out.splitlines()
    assert "last sync" in ana and "0 pending" in ana and "token ok" in ana
    assert "never synced" in ben and "token missing" in ben
    assert token.access_token not in out and token.refresh_token not in out


def test_the_loopback_redirect_hands_back_the_code_and_ignores_strays() -> None:
    catcher = RedirectCatcher(0, "st4te")
    base = catcher.redirect_uri

    def browser() -> None:
        requests.get(base + "/favicon.ico", timeout=5)
        requests.get(base + "?state=wrong&code=evil", timeout=5)
        requests.get(base + "?state=st4te&code=g00d&scope=read,activity:read_all", timeout=5)

    threading.Thread(target=browser, daemon=True).start()
    assert catcher.wait(timeout_s=10) == ("g00d", "read,activity:read_all")


def test_history_dates_are_what_the_fake_lists(fake: FakeStrava) -> None:
    made = history(fake, 3, start=T0, every=timedelta(days=2))
    assert [a["id"] for a in fake.list_activities("ana", {"after": "0"})] == [a["id"] for a in made]


def test_a_missing_client_id_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[secrets]\nbackend = "file"\n[athletes.ana]\nstrava = true\n')
    out = run_cli("--config", config, "auth", "strava", "ana", "--code", "x", expect=3,
                  env={"RUNSYNC_STRAVA_CLIENT_SECRET": "s"})  # fmt: skip
    assert f"{config}: strava.client_id: not set" in out.stderr
