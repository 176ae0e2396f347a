"""What the nightly sync of one athlete's service account shares, whatever the service (Garmin Connect,
intervals.icu): its sync_state, its counts in the report, the run's download budget, an activity already imported
from a file recognised without a download (start ±120 s and distance), and the record of one that could not be
read. Each service adds how it lists, names and downloads its activities."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from runsync.config import Athlete, Config
from runsync.errors import AuthError, RunsyncError
from runsync.model import Session
from runsync.sources.files import FILE_KINDS
from runsync.sources.items import FileItem, Provenance
from runsync.store import Store
from runsync.sync.merge import is_duplicate

if TYPE_CHECKING:
    from runsync.sources.report import SyncReport

MATCH_S = 120
ImportFile = Callable[[FileItem], None]


def sync_each(store: Store, athletes: list[Athlete], source: str, report: SyncReport,
              one: Callable[[Athlete], None]) -> None:  # fmt: skip
    """`one(athlete)` for each in turn: one athlete's trouble (dead tokens, a rate limit) never stops the others';
    an auth problem is remembered for `runsync status` (the token "rejected", and why)."""
    for athlete in athletes:
        try:
            one(athlete)
        except RunsyncError as error:
            report.errors.append(error)
            if isinstance(error, AuthError):
                with store.transaction():
                    store.save_state(athlete.id, source, "auth_error", str(error))


class BudgetSpent(Exception):
    """The run's download budget is used up: the history walk continues next run."""


@dataclass
class ServiceSync:
    store: Store
    athlete: Athlete
    config: Config
    report: SyncReport
    import_file: ImportFile
    budget: int
    source: ClassVar[str] = ""  # the sync_state source, the raw records' source and the report's counts

    # --- what each service says ------------------------------------------------------------------------

    def label(self, activity_id: str, activity: dict[str, Any]) -> str:
        """How a person finds the activity on the service."""
        raise NotImplementedError

    def summary_session(self, activity: dict[str, Any]) -> Session | None:
        """The list entry as a session (to match it against stored ones)."""
        raise NotImplementedError

    def download(self, activity_id: str, activity: dict[str, Any], provenance: Provenance) -> bool:
        """Download and import the original; False (named, recorded) when it cannot be."""
        raise NotImplementedError

    def finish(self, activity_id: str, activity: dict[str, Any]) -> None:
        """The activity is done: its list entry kept, the cursor moved on."""
        raise NotImplementedError

    # --- shared ----------------------------------------------------------------------------------------

    def state(self, key: str) -> Any:
        return self.store.state(self.athlete.id, self.source, key)

    def set_state(self, **values: Any) -> None:
        with self.store.transaction():
            for key, value in values.items():
                self.store.save_state(self.athlete.id, self.source, key, value)

    def count(self, what: str, n: int = 1) -> None:
        counts: dict[str, int] = getattr(self.report, self.source)
        counts[what] = counts.get(what, 0) + n

    def take_new(self, activity_id: str, activity: dict[str, Any], provenance: Provenance) -> None:
        """A new activity: the session a file made of it gains the service's id, else its original is downloaded
        (BudgetSpent when the run's budget is used up); then it is done."""
        known = self.imported_from_a_file(activity)
        if known is not None:
            with self.store.transaction():
                self.store.add_source(known.id, provenance.source)  # type: ignore[arg-type]
            self.count("matched a file")
        else:
            if self.budget <= 0:
                raise BudgetSpent
            self.budget -= 1
            if not self.download(activity_id, activity, provenance):
                return
        self.finish(activity_id, activity)

    def imported_from_a_file(self, activity: dict[str, Any]) -> Session | None:
        """A stored session made from a file (watch folder, export archive, another service's original) that is
        this activity."""
        candidate = self.summary_session(activity)
        if candidate is None:
            return None
        window = (candidate.start - timedelta(seconds=MATCH_S), candidate.start + timedelta(seconds=MATCH_S))
        for session in self.store.sessions(self.athlete.id, start_between=window):
            if any(s.kind in FILE_KINDS for s in session.sources) and is_duplicate(candidate, session):
                return session
        return None

    def failed(self, activity_id: str, activity: dict[str, Any], reason: str) -> bool:
        """Named in the report and recorded (`runsync status` lists it; it is not fetched again)."""
        where = self.label(activity_id, activity)
        self.report.failed.append((where, reason))
        with self.store.transaction():
            self.store.save_raw(self.source, activity_id, athlete=self.athlete.id, part="summary", path=where,
                                payload=json.dumps(activity).encode(), status="error", error=reason)  # fmt: skip
        return False

    def keep_summary(self, activity_id: str, activity: dict[str, Any]) -> None:
        """Inside finish()'s transaction: the list entry as seen (an edit is told from it next time)."""
        self.store.save_raw(self.source, activity_id, athlete=self.athlete.id, part="summary",
                            payload=json.dumps(activity).encode())  # fmt: skip
