"""Which weekly reports reached whom: per recipient, athlete and local week (a report marks the findings first seen
since the last one, and a scheduled mail that is retried never goes twice)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, Protocol


class _Db(Protocol):
    def execute(self, sql: str, args: Sequence[Any] = ...) -> Any: ...


class ReportsSentRows:
    db: _Db

    def save_report_sent(self, recipient: str, athlete: str, week: date, sent_at: datetime) -> None:
        """Record that `athlete`'s report for the local `week` reached `recipient` (a resend moves sent_at)."""
        stamp = sent_at.astimezone(UTC).isoformat(timespec="seconds")
        self.db.execute(
            "INSERT INTO reports_sent (recipient, athlete, week, sent_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (recipient, athlete, week) DO UPDATE SET sent_at = excluded.sent_at",
            (recipient.lower(), athlete, week.isoformat(), stamp),
        )

    def last_report_sent(self, athlete: str, recipient: str | None = None) -> datetime | None:
        """When a report on `athlete` was last sent to `recipient` (to anyone when None), or None."""
        sql, args = "SELECT MAX(sent_at) FROM reports_sent WHERE athlete = ?", [athlete]
        if recipient is not None:
            sql += " AND recipient = ?"
            args.append(recipient.lower())
        row = self.db.execute(sql, args).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def report_was_sent(self, recipient: str, athlete: str, week: date) -> bool:
        row = self.db.execute("SELECT 1 FROM reports_sent WHERE recipient = ? AND athlete = ? AND week = ?",
                              (recipient.lower(), athlete, week.isoformat())).fetchone()  # fmt: skip
        return row is not None
