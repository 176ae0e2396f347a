"""Where secrets live: the system keyring (service "runsync"), or an opt-in 0600 JSON file for headless cron.

Never a silent fallback: with no usable keyring the caller gets an AuthError that says how to opt in to the file
backend (`[secrets] backend = "file"`). Secrets are never read from the config file and never logged.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import filelock
import platformdirs

from runsync.config import APP, Config
from runsync.errors import AuthError

if TYPE_CHECKING:  # keyring is imported when a secret is needed: most commands never touch one
    import keyring.backend

SERVICE = "runsync"
CLIENT_SECRET_ENV = "RUNSYNC_STRAVA_CLIENT_SECRET"
CLIENT_SECRET_KEY = "strava:client_secret"
OPT_IN = (
    'to keep tokens in a 0600 file instead, add  [secrets] backend = "file"  to the config'
    ' (optionally  file = "/path/secrets.json")'
)


class Secrets(Protocol):
    """A small key → string store; `where` names it in messages (never the values)."""

    where: str

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None: ...


def default_secrets_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "secrets.json"


class KeyringSecrets:
    def __init__(self, backend: keyring.backend.KeyringBackend) -> None:
        self.backend = backend
        self.where = f"keyring ({type(backend).__module__}.{type(backend).__name__})"

    def get(self, key: str) -> str | None:
        with _keyring_errors(self.where):
            return self.backend.get_password(SERVICE, key)

    def set(self, key: str, value: str) -> None:
        with _keyring_errors(self.where):
            self.backend.set_password(SERVICE, key, value)

    def delete(self, key: str) -> None:
        with _keyring_errors(self.where):
            if self.backend.get_password(SERVICE, key) is not None:
                self.backend.delete_password(SERVICE, key)


@contextlib.contextmanager
def _keyring_errors(where: str) -> Iterator[None]:
    import keyring.errors

    try:
        yield
    except keyring.errors.KeyringError as exc:
        raise AuthError(f"the {where} failed: {exc}; {OPT_IN}") from None


class FileSecrets:
    """A JSON object in a file only its owner can read; a wider mode is refused, not repaired silently."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = f"secrets file {path}"

    def _read(self) -> dict[str, str]:
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return {}
        if stat.S_IMODE(mode) & 0o077:
            raise AuthError(
                f"{self.path}: secrets file is readable by others (mode {stat.S_IMODE(mode):o}); "
                f"run  chmod 600 {self.path}"
            )
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError) as exc:
            raise AuthError(f"{self.path}: cannot read the secrets file: {exc}") from None
        if not isinstance(data, dict):
            raise AuthError(f"{self.path}: expected a JSON object in the secrets file")
        return data

    def _write(self, data: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(tmp, self.path)

    def get(self, key: str) -> str | None:
        return self._read().get(key)

    def _locked(self) -> filelock.FileLock:
        """Workers on one machine (or sharing the file) refresh tokens at once: read-modify-write under a lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return filelock.FileLock(str(self.path) + ".lock", timeout=30)

    def set(self, key: str, value: str) -> None:
        with self._locked():
            data = self._read()
            data[key] = value
            self._write(data)

    def delete(self, key: str) -> None:
        with self._locked():
            data = self._read()
            if data.pop(key, None) is not None:
                self._write(data)


def ensure_usable_keyring() -> keyring.backend.KeyringBackend:
    """The configured keyring backend, or AuthError when there is none (typical under cron)."""
    import keyring
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or (isinstance(backend, chainer.ChainerBackend) and not backend.backends):
        raise AuthError(f"no system keyring is available (common under cron or over ssh); {OPT_IN}")
    if type(backend).__name__ == "PlaintextKeyring":
        raise AuthError(f"the keyring backend {type(backend).__module__} stores secrets in plain text; {OPT_IN}")
    return backend


def open_secrets(config: Config) -> Secrets:
    """The secrets store chosen by `[secrets] backend`; checked now, not at the first token read."""
    if config.secrets_backend == "file":
        return FileSecrets(config.secrets_file or default_secrets_path())
    return KeyringSecrets(ensure_usable_keyring())


def database_key(url: str) -> str:
    """The secrets-store key of a PostgreSQL login: the URL without its password (user, host, port, database)."""
    from runsync.store.postgres import safe_url

    return f"database:{safe_url(url)}"


def database_password(secrets: Callable[[], Secrets], url: str) -> str | None:
    """The password `runsync auth database` kept for this URL; None when there is none or no secrets store."""
    try:
        return secrets().get(database_key(url))
    except AuthError:
        return None


def fetch_client_secret(secrets: Secrets, env: dict[str, str] | None = None) -> str | None:
    """The Strava client secret: RUNSYNC_STRAVA_CLIENT_SECRET, else the secrets store."""
    env = dict(os.environ if env is None else env)
    return env.get(CLIENT_SECRET_ENV) or secrets.get(CLIENT_SECRET_KEY)
