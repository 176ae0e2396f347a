"""Wiring only: config + store (+ plugin manager, mailer) for one command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from runsync.config import Config, load_config
from runsync.model import Session
from runsync.secrets import Secrets, open_secrets
from runsync.store import Store

if TYPE_CHECKING:
    from runsync.plugins import PluginManager


@dataclass
class App:
    config: Config
    verbose: int = 0
    now: datetime = field(default_factory=lambda: datetime.now(UTC))  # the moment this command acts at
    _store: Store | None = field(default=None, repr=False)

    @classmethod
    def load(cls, config_path: str | Path | None = None, verbose: int = 0, now: datetime | None = None) -> App:
        return cls(load_config(config_path), verbose=verbose, now=now or datetime.now(UTC))

    @cached_property
    def store(self) -> Store:
        self._store = Store.open(self.config.database)
        return self._store

    @cached_property
    def secrets(self) -> Secrets:
        """The keyring or the opt-in 0600 file (`[secrets] backend`); AuthError when there is no keyring."""
        return open_secrets(self.config)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def intensity_of(self, sessions: list[Session]) -> Callable[[Session], str | None]:
        """Session → easy | moderate | hard, judged against the athlete's own thresholds (critical speed
        estimated from their stored best efforts when none is configured)."""
        from runsync.training.summary import intensity_lookup

        return intensity_lookup(self.config, self.store, sessions)

    def plugin_manager(self, strict: bool = False) -> PluginManager:
        from runsync.plugins import get_plugin_manager

        return get_plugin_manager(strict=strict)
