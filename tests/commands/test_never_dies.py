"""The nightly job never dies: odd sessions degrade themselves only, an athlete with nothing (or nothing recent) gets a
clear line, a crashing rule or athlete never stops the others, and every leg of a multisport file keeps its source."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from runsync.demo.fitwrite import easy_run, strength_session, write_activity, write_file
from runsync.hookspecs import hookimpl
from tests.conftest import run_cli

MONDAY = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
NOW = "2026-11-25T18:00:00Z"


def squad_config(tmp_path: Path, athletes: dict[str, Path | None], extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    text = f'[storage]\ndatabase = "{tmp_path / "runsync.db"}"\n'
    for athlete, watch in athletes.items():
        text += f'[athletes.{athlete}]\nname = "{athlete.title()}"\ntimezone = "UTC"\nmax_hr = 190\nlthr = 172\n'
        text += f'fit_dirs = ["{watch}"]\n' if watch else ""
    path.write_text(text + extra, encoding="utf-8")
    return path


def test_every_leg_of_a_chained_file_keeps_its_source(tmp_path: Path) -> None:
    watch = tmp_path / "watch"
    watch.mkdir()
    squats = [(45, 10, 60.0, "squat")] * 3
    data = write_activity(easy_run(MONDAY, 0, 5.0, 330.0, 140.0)) + write_activity(
        strength_session(MONDAY + timedelta(hours=1), 0, squats)
    )
    (watch / "brick.fit").write_bytes(data)
    config = squad_config(tmp_path, {"ana": watch})
    run_cli("--config", config, "sync")
    sessions = json.loads(run_cli("--config", config, "sessions", "--format", "json").stdout)["sessions"]
    assert [s["sport"] for s in sessions] == ["run", "strength"]
    assert all(s["sources"] and s["sources"][0]["kind"] == "fit" for s in sessions), sessions


def test_a_file_from_a_watch_whose_clock_was_never_set_is_named_not_silently_dropped(tmp_path: Path) -> None:
    watch = tmp_path / "watch"
    watch.mkdir()
    power_on = datetime(1990, 1, 3, 0, 0, tzinfo=UTC)  # FIT time 2 days: seconds since the watch was switched on
    write_file(easy_run(power_on, None, 5.0, 330.0, 140.0), watch / "unset-clock.fit")
    out = run_cli("--config", squad_config(tmp_path, {"ana": watch}), "sync", expect=6)
    assert "unset-clock.fit: no session can be dated: every time in the file is in 1989" in out.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
def test_a_report_on_a_brand_new_store_says_there_is_nothing_yet_and_exits_0(tmp_path: Path, fmt: str) -> None:
    config = squad_config(tmp_path, {"ana": None, "ben": None})
    out = run_cli("--config", config, "--now", NOW, "report", "--all", "--format", fmt)
    assert "Nothing to report yet: no sessions are stored for Ana" in out.stdout.replace("\\", "")
    if fmt == "json":
        athletes = json.loads(out.stdout)["athletes"]
        assert [len(a["weeks"]) for a in athletes] == [5, 5] and all("note" in a for a in athletes)


@pytest.mark.parametrize("command", [("sessions",), ("audit", "--all"), ("report", "--all"), ("athletes",),
                                     ("status",), ("rules",)])  # fmt: skip
@pytest.mark.parametrize("fmt", ["", "json"])
def test_every_read_command_on_an_empty_store_exits_0(tmp_path: Path, command: tuple[str, ...], fmt: str) -> None:
    config = squad_config(tmp_path, {"ana": None})
    formats = {"sessions": ["table", "json", "csv"], "audit": ["text", "json", "markdown"], "status": ["text", "json"],
               "report": ["text", "json", "markdown", "html"]}.get(command[0], [])  # fmt: skip
    for chosen in formats if fmt else [None]:
        run_cli("--config", config, "--now", NOW, *command, *(("--format", chosen) if chosen else ()))


def test_an_athlete_whose_sessions_are_all_old_gets_an_empty_week_not_a_crash(tmp_path: Path) -> None:
    watch = tmp_path / "watch"
    watch.mkdir()
    write_file(easy_run(datetime(2025, 3, 3, 7, tzinfo=UTC), 0, 5.0, 330.0, 140.0), watch / "old.fit")
    config = squad_config(tmp_path, {"ana": watch, "ben": None})
    run_cli("--config", config, "sync")
    report = json.loads(run_cli("--config", config, "--now", NOW, "report", "--all", "--format", "json").stdout)
    ana = report["athletes"][0]
    assert ana["athlete"] == "ana" and "note" not in ana and ana["weeks"][-1]["distance_m"] == 0


def test_a_rule_crashing_on_one_athlete_still_reports_everyone_with_exit_7(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runsync import Rule
    from runsync import plugins as plugin_module

    class CrashesOnAna(Rule):
        id = "crashes-on-ana"
        description = "raises on one athlete's data"

        def check(self, ctx):  # noqa: ANN001, ANN201
            if ctx.athlete.id == "ana":
                raise ZeroDivisionError("float division by zero")
            return iter(())

    class Plugin:
        @hookimpl
        def register_rules(self):  # noqa: ANN201
            return [CrashesOnAna]

    real = plugin_module.get_plugin_manager

    def with_crashing_rule(strict: bool = False, warn=None):  # noqa: ANN001, ANN202
        pm = real(strict, warn)
        pm.register(Plugin(), name="crashing")
        return pm

    monkeypatch.setattr(plugin_module, "get_plugin_manager", with_crashing_rule)
    watch = {a: tmp_path / a for a in ("ana", "ben")}
    for athlete, folder in watch.items():
        folder.mkdir()
        write_file(easy_run(MONDAY + timedelta(days=14), 0, 5.0, 330.0, 140.0, seed=len(athlete)), folder / "r.fit")
    config = squad_config(tmp_path, watch)
    run_cli("--config", config, "sync")
    out = run_cli("--config", config, "--now", NOW, "report", "--all", "--format", "json", expect=7)
    assert "rule crashed: crashes-on-ana (ana)" in out.stderr
    athletes = {a["athlete"]: a for a in json.loads(out.stdout)["athletes"]}
    assert set(athletes) == {"ana", "ben"}
    crash = [f for w in athletes["ana"]["weeks"] for f in w["findings"] if f["rule"] == "crashes-on-ana"]
    assert crash and "ZeroDivisionError" in crash[0]["message"]
    out = run_cli("--config", config, "--now", NOW, "audit", "--all", "--format", "json", expect=7)
    assert {f["athlete"] for f in json.loads(out.stdout)["findings"]} <= {"ana", "ben"}
