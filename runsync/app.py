"""Wiring only: config + store (+ plugin manager, mailer) for one command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from runsync.config import Config, load_config
from runsync.config.secrets import Secrets, database_password, open_secrets
from runsync.errors import LoginRefused
from runsync.model import Session
from runsync.store import Store

if TYPE_CHECKING:
    from collections.abc import Iterable

    from runsync.analysis import SessionAnalysis
    from runsync.plugins import InstalledRule, PluginManager
    from runsync.rules import Rule


def open_store(config: Config, secrets: Callable[[], Secrets]) -> Store:
    """The configured store. A PostgreSQL server that refuses a login without a password gets the one kept in the
    secrets store by `runsync auth database`, when there is one (libpq's ~/.pgpass and PGPASSFILE are tried first)."""
    location = config.store_location
    try:
        return Store.open(location)
    except LoginRefused:
        if not config.database_url:
            raise
        password = database_password(secrets, config.database_url)
        if password is None:
            raise
    from runsync.store.postgres import with_password

    return Store.open(with_password(location, password))


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
        self._store = open_store(self.config, lambda: self.secrets)
        return self._store

    @cached_property
    def secrets(self) -> Secrets:
        """The keyring or the opt-in 0600 file (`[secrets] backend`); AuthError when there is no keyring."""
        return open_secrets(self.config)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def analyses_of(self, sessions: list[Session]) -> dict[str, SessionAnalysis]:
        """The stored analyses of these sessions (of configured athletes), brought up to date first."""
        from runsync.analysis.refresh import fresh_analyses

        found: dict[str, SessionAnalysis] = {}
        for athlete_id in dict.fromkeys(s.athlete for s in sessions):
            athlete = self.config.athletes.get(athlete_id)
            days = [s.local_date for s in sessions if s.athlete == athlete_id]
            if athlete is not None:
                found.update(fresh_analyses(self.store, self.config, athlete, since=min(days), until=max(days)))
        return found

    def plugin_manager(self, strict: bool = False) -> PluginManager:
        from runsync.plugins import get_plugin_manager

        return get_plugin_manager(strict=strict)

    def installed_rules(self, strict: bool = False) -> list[InstalledRule]:
        """Every installed rule (built-in and plugins'), after checking each [rules.<id>] names one of them."""
        from runsync.audit import installed_checked

        return installed_checked(self.plugin_manager(strict), self.config)

    def rules(self, only: Iterable[str] = (), *, strict: bool = False) -> list[Rule]:
        """The rules to run: the enabled ones, or exactly those in `only` (UsageError for an unknown id)."""
        from runsync.audit import selected_rules

        return selected_rules(self.installed_rules(strict), self.config, only)
