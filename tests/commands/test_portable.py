"""runsync runs where POSIX-only modules do not exist (Windows): the CLI runs in-process with fcntl, resource and
pwd made unimportable and multiprocessing forced to spawn, over sync, audit, report, status and the demo. The
store's lock then takes its Windows path (msvcrt.locking), played here by a stand-in built on this machine's
byte-range locks, so the Windows branch itself runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROBE = r"""
import sys, types, multiprocessing
import asyncio, getpass, multiprocessing.connection, subprocess  # these pick their platform by trying msvcrt
import fcntl as _posix_lock
msvcrt = types.ModuleType("msvcrt")  # Windows' locking(fd, mode, nbytes), from POSIX byte-range locks
msvcrt.LK_NBLCK, msvcrt.LK_UNLCK = 2, 0
def _locking(fd, mode, nbytes):
    _posix_lock.lockf(fd, _posix_lock.LOCK_UN if mode == 0 else _posix_lock.LOCK_EX | _posix_lock.LOCK_NB, nbytes)
msvcrt.locking = _locking
sys.modules["msvcrt"] = msvcrt
for name in ("fcntl", "resource", "pwd"):
    sys.modules[name] = None  # import fails with ImportError, as on Windows
multiprocessing.set_start_method("spawn", force=True)
from runsync.cli import main
sys.argv = ["runsync", *sys.argv[1:]]
main()
"""


def runsync_without_posix(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], capture_output=True, text=True, timeout=300)


def test_the_cli_runs_with_no_posix_only_module_and_spawned_workers(tmp_path: Path) -> None:
    now = ("--now", "2026-11-30T09:00:00Z")
    demo = runsync_without_posix(*now, "demo", "--dir", tmp_path / "demo")
    assert demo.returncode == 0, demo.stderr
    config = tmp_path / "demo" / "config.toml"
    for args in (("sync", "--workers", "2"), ("audit", "--all", "--format", "json"), ("report", "--all"),
                 ("status", "--format", "json"), ("sessions", "--format", "json")):  # fmt: skip
        done = runsync_without_posix("--config", config, *now, *args)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr
    status = json.loads(runsync_without_posix("--config", config, *now, "status", "--format", "json").stdout)
    assert status["lock"] == "free" and sum(a["sessions"] for a in status["athletes"]) > 20
