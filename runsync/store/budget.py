"""A service's rate budget kept in the store, so every process and machine syncing for one application draws from
one allowance: each API call is counted before it is made (in a transaction that one process at a time holds), and
the usage a response reports raises the count when another program used the same application."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class _Db(Protocol):
    dialect: str

    def execute(self, sql: str, args: Sequence[Any] = ...) -> Any: ...


@dataclass(frozen=True)
class Window:
    span: str  # "15min" | "daily"
    start: float  # epoch of the window's start (windows are fixed: the quarter hour, the UTC day)
    limit: int  # assumed until a response tells the real one
    reserve: int  # calls left unspent (for a person's own use of the app)


class RateBudgetRows:
    db: _Db

    def transaction(self) -> Any: ...

    def reserve_call(self, service: str, windows: Sequence[Window]) -> Window | None:
        """Count one call in every window, or none when a window is spent: then that window is returned."""
        with self.transaction():
            rows = self._windows(service, windows)
            for window in windows:
                used, limit = rows[window.span]
                if used + 1 > limit - window.reserve:
                    return window
            for window in windows:
                self.db.execute("UPDATE rate_budget SET used = used + 1 WHERE service = ? AND span = ?",
                                (service, window.span))  # fmt: skip
        return None

    def observe_usage(self, service: str, window: Window, used: int, limit: int) -> None:
        """What a response said: the app's `limit` and `used` so far in this window (by every program using it)."""
        with self.transaction():
            self._windows(service, [window])
            self.db.execute(
                "UPDATE rate_budget SET used = CASE WHEN used < ? THEN ? ELSE used END, lim = ?"
                " WHERE service = ? AND span = ? AND window_start = ?",
                (used, used, limit, service, window.span, window.start),
            )

    def budget_used(self, service: str) -> dict[str, tuple[float, int, int | None]]:
        """span → (window start, calls used, limit known) as recorded."""
        rows = self.db.execute("SELECT span, window_start, used, lim FROM rate_budget WHERE service = ?", (service,))
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def _windows(self, service: str, windows: Sequence[Window]) -> dict[str, tuple[int, int]]:
        """The windows' rows, locked for this transaction; a window that has moved on starts from zero."""
        found: dict[str, tuple[int, int]] = {}
        lock = " FOR UPDATE" if self.db.dialect == "postgresql" else ""
        for window in windows:
            self.db.execute(
                "INSERT INTO rate_budget (service, span, window_start, used) VALUES (?, ?, ?, 0)"
                " ON CONFLICT (service, span) DO NOTHING", (service, window.span, window.start),
            )  # fmt: skip
            start, used, limit = self.db.execute(
                f"SELECT window_start, used, lim FROM rate_budget WHERE service = ? AND span = ?{lock}",
                (service, window.span),
            ).fetchone()
            if start != window.start:
                if start > window.start:  # a process with a later clock moved it on: count in that one
                    found[window.span] = (used, limit or window.limit)
                    continue
                self.db.execute("UPDATE rate_budget SET window_start = ?, used = 0 WHERE service = ? AND span = ?",
                                (window.start, service, window.span))  # fmt: skip
                used = 0
            found[window.span] = (used, limit or window.limit)
        return found
