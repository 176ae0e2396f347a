"""`runsync init`: a starter config a person can read and edit."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from runsync.errors import ConfigError, UsageError

STARTER = """\
# runsync config — see config.example.toml in the runsync repository for every key.
# Secrets (Strava tokens, SMTP password) never go here: they live in the keyring.

[athletes.{id}]
name = "{name}"
timezone = "{timezone}"          # the athlete's local days and weeks follow this
# max_hr = 190
# resting_hr = 50
# lthr = 172                     # lactate threshold heart rate
# threshold_pace = "4:15/km"
fit_dirs = [{fit_dirs}]
strava = false
"""


def system_timezone() -> str:
    """This machine's IANA timezone name, or UTC when it cannot be told."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        candidates.append(str(localtime.resolve()).partition("zoneinfo/")[2])
    for name in candidates:
        try:
            if name:
                ZoneInfo(name)
                return name
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return "UTC"


def starter_config(athlete_id: str, *, name: str | None, timezone: str | None, fit_dirs: Iterable[str]) -> str:
    timezone = timezone or system_timezone()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--timezone: unknown timezone {timezone!r} (e.g. Europe/London)") from None
    dirs = ", ".join(f'"{Path(d).expanduser().resolve()}"' for d in fit_dirs)
    return STARTER.format(id=athlete_id, name=name or athlete_id, timezone=timezone, fit_dirs=dirs)


def write_starter_config(
    path: Path, athlete_id: str, *, name: str | None, timezone: str | None, fit_dirs: Iterable[str], force: bool
) -> None:
    if path.exists() and not force:
        raise ConfigError(f"{path}: already exists (use --force to overwrite)")
    text = starter_config(athlete_id, name=name, timezone=timezone, fit_dirs=fit_dirs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
