"""`runsync init`: a starter config a person can read and edit, written with a TOML writer and read back."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomlkit

from runsync.config import ATHLETE_ID, load_config
from runsync.errors import ConfigError, UsageError

HEADER = (
    "runsync config — see config.example.toml in the runsync repository for every key.\n"
    "Secrets (Strava tokens, SMTP password) never go here: they live in the keyring."
)


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
    """The starter config as TOML text (every value quoted by tomlkit, so any name or path is valid TOML)."""
    if not ATHLETE_ID.fullmatch(athlete_id):
        raise UsageError(f"--athlete: an athlete id is 1-64 letters, digits, '-' or '_', got {athlete_id!r}")
    timezone = timezone or system_timezone()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--timezone: unknown timezone {timezone!r} (e.g. Europe/London)") from None
    athlete = tomlkit.table()
    athlete.add("name", name or athlete_id)
    athlete.add("timezone", timezone)
    athlete["timezone"].comment("the athlete's local days and weeks follow this")
    for line in ("max_hr = 190", "resting_hr = 50", "lthr = 172             # lactate threshold heart rate",
                 'threshold_pace = "4:15/km"'):  # fmt: skip
        athlete.add(tomlkit.comment(line))
    athlete.add("fit_dirs", [str(Path(d).expanduser().resolve()) for d in fit_dirs])
    athlete.add("strava", False)
    doc = tomlkit.document()
    for line in HEADER.splitlines():
        doc.add(tomlkit.comment(line))
    doc.add(tomlkit.nl())
    athletes = tomlkit.table(is_super_table=True)
    athletes.add(athlete_id, athlete)
    doc.add("athletes", athletes)
    return tomlkit.dumps(doc)


def missing_folders(fit_dirs: Iterable[str]) -> list[str]:
    """The watch folders that do not exist (yet): worth a warning at init, the watch may not be plugged in."""
    return [d for d in fit_dirs if not Path(d).expanduser().is_dir()]


def write_starter_config(
    path: Path, athlete_id: str, *, name: str | None, timezone: str | None, fit_dirs: Iterable[str], force: bool
) -> None:
    """Write the starter config atomically and load it back; nothing is left behind when it would not load."""
    if path.exists() and not force:
        raise ConfigError(f"{path}: already exists (use --force to overwrite)")
    text = starter_config(athlete_id, name=name, timezone=timezone, fit_dirs=fit_dirs)
    tmp = path.with_name(path.name + ".new")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        load_config(tmp)  # what was written must be what every later command reads
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the config: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
