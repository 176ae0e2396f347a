"""Errors a person can act on, and the exit statuses cron and other programs read (DESIGN.md "Contracts")."""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path


class ExitStatus(IntEnum):
    OK = 0
    INTERNAL = 1  # a bug in runsync: one line on stderr, the traceback saved to a file it names
    USAGE = 2
    CONFIG = 3
    AUTH = 4
    TEMPORARY = 5
    PARTIAL = 6
    PLUGIN = 7
    FINDINGS = 10
    INTERRUPTED = 130


class RunsyncError(Exception):
    """Base of every error runsync reports to a person; the CLI maps it to `exit_status`."""

    exit_status = ExitStatus.USAGE


class UsageError(RunsyncError):
    exit_status = ExitStatus.USAGE


class ConfigError(RunsyncError):
    exit_status = ExitStatus.CONFIG


class MissingExtra(ConfigError):
    """What the setup asks for needs a library the install left out (an extra): exit 3, with the pip line."""


EXTRAS = {"garmin": ("garminconnect",), "postgres": ("psycopg",),
          "server": ("starlette", "uvicorn", "prometheus_client"),
          "fitparse": ("fitparse",), "charts": ("matplotlib",)}  # fmt: skip


def missing_module(extra: str) -> str | None:
    """The first library of runsync's `extra` that does not import, or None when the extra is installed."""
    import importlib

    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError:
            return module
    return None


def require_extra(extra: str, what: str) -> None:
    """MissingExtra unless the libraries of runsync's `extra` import: `what` is the feature asked for."""
    module = missing_module(extra)
    if module is not None:
        raise MissingExtra(f"{what} needs runsync's {extra} extra ({module} is not installed): "
                           f"pip install 'runsync[{extra}]'")


class StorageError(ConfigError):
    """The store cannot be used as configured: not writable, not a runsync database, damaged (exit 3)."""


class LoginRefused(StorageError):
    """The database server refused the login (a password missing or wrong): exit 3."""


class AuthError(RunsyncError):
    """A person must (re-)authorise: a missing, revoked or unreadable token or secret."""

    exit_status = ExitStatus.AUTH


class TemporaryError(RunsyncError):
    """Retry next tick: network down, rate limit reached, lock held."""

    exit_status = ExitStatus.TEMPORARY


class LockHeld(TemporaryError):
    pass


class RateLimited(TemporaryError):
    pass


class StorageFull(TemporaryError):
    """The disk (or a file-size limit) is full: nothing was written; free space and the next run continues."""


class PluginError(RunsyncError):
    exit_status = ExitStatus.PLUGIN


class MailError(RunsyncError):
    """A mail could not be sent; cron should tell a person (temporary or not, it needs a look)."""

    exit_status = ExitStatus.TEMPORARY


class DecodeError(RunsyncError):
    """One input (a FIT file, a Strava payload) could not be read; it is skipped and reported."""

    exit_status = ExitStatus.PARTIAL
    kind: str | None = None  # the file kind whose reader failed (fit, gpx, tcx), when known


CRASH_REPORTS_KEPT = 20  # a worker that meets the same bug every minute must not fill the disk


def rotate_crash_reports(folder: Path, keep: int = CRASH_REPORTS_KEPT) -> int:
    """Remove all but the `keep` newest crash reports; how many were removed."""
    try:
        found = sorted(folder.glob("crash-*.txt"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
    except OSError:
        return 0
    removed = 0
    for old in found[keep:]:
        try:
            old.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def save_crash_report(exc: BaseException) -> str:
    """Write the traceback to the platform state dir; say where (or that it could not be written)."""
    import platformdirs

    folder = Path(platformdirs.user_state_dir("runsync"))
    path = folder / f"crash-{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}.txt"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    except OSError:
        return "a bug in runsync; the traceback could not be saved"
    rotate_crash_reports(folder)
    return f"a bug in runsync; please report it with {path}"
