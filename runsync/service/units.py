"""systemd units for a club's server (`runsync service --print`): workers that run the schedule, the webhook
server, and, for a single machine without workers, timers that run the nightly sync and the Monday mail.

Each unit runs as its own user (`runsync` by default) with the file system read-only (`ProtectSystem=strict`) but
for the state directory (/var/lib/runsync: HOME, the crash reports, an opt-in secrets file) and the folder that holds
the SQLite store; no privileges, no devices, no kernel knobs. A service that stops is restarted; SIGTERM lets a
worker finish the job in hand. The paths (the runsync executable, the config) are written in absolute form, as
systemd requires.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from runsync.config import Config

HARDENING = """\
User={user}
Group={user}
StateDirectory=runsync
Environment=HOME=/var/lib/runsync XDG_STATE_HOME=/var/lib/runsync/state XDG_DATA_HOME=/var/lib/runsync/data
ProtectSystem=strict
ReadWritePaths={writable}
ProtectHome=read-only
PrivateTmp=yes
PrivateDevices=yes
NoNewPrivileges=yes
CapabilityBoundingSet=
RestrictSUIDSGID=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
LockPersonality=yes
RestrictRealtime=yes
SystemCallArchitectures=native
UMask=0077
"""

LONG_RUNNING = """\
[Unit]
Description={description}
Wants=network-online.target
After=network-online.target postgresql.service

[Service]
Type=simple
ExecStart={{exe}} --config {{config}} {command}
{extra}Restart=on-failure
RestartSec=5
{{hardening}}
[Install]
WantedBy=multi-user.target
"""

UNITS = {
    "runsync-worker@.service": LONG_RUNNING.format(
        description="runsync worker %i: queued syncs and mails, and the schedule", command="worker --schedule",
        extra="KillSignal=SIGTERM\nTimeoutStopSec=300\n"),
    "runsync-serve.service": LONG_RUNNING.format(
        description="runsync webhook server (Strava's push events, /healthz, /metrics)", extra="",
        command="serve --host 127.0.0.1 --port {port} --forwarded-allow-ips 127.0.0.1"),
    "runsync-sync.service": """\
[Unit]
Description=runsync nightly sync (single machine, without workers)
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart={exe} --config {config} sync -q
{hardening}""",
    "runsync-sync.timer": """\
[Unit]
Description=runsync nightly sync at {sync_at}

[Timer]
OnCalendar=*-*-* {sync_at}:00
Persistent=true
RandomizedDelaySec=300

[Install]
WantedBy=timers.target
""",
    "runsync-report.service": """\
[Unit]
Description=runsync weekly reports by mail (single machine, without workers)
Wants=network-online.target
After=network-online.target runsync-sync.service

[Service]
Type=oneshot
ExecStart={exe} --config {config} report --all --email
{hardening}""",
    "runsync-report.timer": """\
[Unit]
Description=runsync weekly reports on {report_day} at {report_at}

[Timer]
OnCalendar={day_short} *-*-* {report_at}:00
Persistent=true

[Install]
WantedBy=timers.target
""",
}
SETS = {"team": ("runsync-worker@.service", "runsync-serve.service"),
        "timer": ("runsync-sync.service", "runsync-sync.timer", "runsync-report.service", "runsync-report.timer")}


@dataclass(frozen=True)
class UnitSettings:
    config: Path
    user: str = "runsync"
    port: int = 8080
    exe: str | None = None


def executable() -> str:
    """The runsync command of the install running now (its virtualenv's, absolute, as systemd wants it)."""
    beside = Path(sys.executable).parent / ("runsync.exe" if sys.platform == "win32" else "runsync")
    if beside.exists():
        return str(beside.absolute())
    found = shutil.which("runsync")
    return str(Path(found).absolute()) if found else str(beside.absolute())


def writable_paths(config: Config) -> str:
    """Besides the state directory (writable by StateDirectory=): the SQLite store's folder and the secrets file's
    ("-": a folder not there yet is no reason to refuse to start)."""
    paths = []
    if not config.database_url:
        paths.append(str(Path(config.database).absolute().parent))
    if config.secrets_file is not None:
        paths.append(str(Path(config.secrets_file).absolute().parent))
    return " ".join(f"-{p}" for p in dict.fromkeys(paths))


def render_units(config: Config, settings: UnitSettings, which: str = "all") -> dict[str, str]:
    """File name → text of the units of `which` (team, timer, all)."""
    from runsync.config import WEEKDAYS

    names = [n for key, group in SETS.items() if which in ("all", key) for n in group]
    schedule = config.schedule
    day = WEEKDAYS[schedule.report_day]
    values = {"exe": settings.exe or executable(), "config": str(settings.config.resolve()), "port": settings.port,
              "hardening": HARDENING.format(user=settings.user, writable=writable_paths(config)),
              "sync_at": _hhmm(schedule.sync_at or "03:00"), "report_at": _hhmm(schedule.report_at or "07:00"),
              "report_day": day, "day_short": day[:3].title()}  # fmt: skip
    return {name: UNITS[name].format(**values) for name in names}


def _hhmm(text: str) -> str:
    hours, minutes = text.split(":")
    return f"{int(hours):02d}:{int(minutes):02d}"
