"""Wiring only: config + store (+ plugin manager, mailer) for one command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from runsync.config import Config, load_config
from runsync.model import Session
from runsync.store import Store


@dataclass
class App:
    config: Config
    verbose: int = 0
    _store: Store | None = field(default=None, repr=False)

    @classmethod
    def load(cls, config_path: str | Path | None = None, verbose: int = 0) -> App:
        return cls(load_config(config_path), verbose=verbose)

    @cached_property
    def store(self) -> Store:
        self._store = Store.open(self.config.database)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def intensity_of(self, sessions: list[Session]) -> Callable[[Session], str | None]:
        """Session → easy | moderate | hard, judged against the athlete's own thresholds."""
        return lambda session: None
