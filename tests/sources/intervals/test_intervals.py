"""intervals.icu as a source: one key in the secrets store, every watch brand's originals through the same decoders,
one list call a night when nothing is new, late edits picked up, Strava stubs counted and skipped, wellness and
planned workouts stored and shown, 401/403/429/5xx per athlete, and the key nowhere but the keyring.

Everything talks to a fake intervals.icu on 127.0.0.1 (tests/fake_intervals.py, written from the API docs)."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import keyring
import pytest

from runsync.demo import workouts
from runsync.demo.fitwrite import write_activity
from runsync.demo.trackfiles import write_gpx
from tests.conftest import run_cli
from tests.fake_intervals import COACH_KEY, KEY, FakeIntervals, start_fake_intervals
from tests.strava_fixtures import keyring_memory  # noqa: F401 - fixture

DAY = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # 07:00 in Los Angeles (PST, -8 h)
OFFSET = -8 * 3600
NOW = "2026-11-20T12:00:00Z"


@pytest.fixture
def icu() -> Iterator[FakeIntervals]:
    service, server = start_fake_intervals()
    yield service
    server.shutdown()
    server.server_close()


def spec(day: int, km: float = 8.0):  # noqa: ANN201
    return workouts.easy_run(DAY + timedelta(days=day), OFFSET, km, 330.0, 140.0, seed=day)


def upload(service: FakeIntervals, day: int, km: float = 8.0, athlete: str = "i1001", at_h: float = 0,
           **kwargs: object) -> bytes:  # fmt: skip
    start = DAY + timedelta(days=day, hours=at_h)
    data = write_activity(workouts.easy_run(start, OFFSET, km, 330.0, 140.0, seed=day))
    service.add(athlete, f"i{5000 + day * 100 + int(at_h)}", start, OFFSET, data, name=f"Run {day}",
                distance_m=km * 1000, **kwargs)  # fmt: skip
    return data


def config_for(tmp_path: Path, service: FakeIntervals, *, budget: int = 200, watch: Path | None = None,
               athletes: dict[str, str] | None = None, extra: str = "", store: str | None = None) -> Path:  # fmt: skip
    blocks = "".join(f'[athletes.{a}]\nname = "{a.title()}"\ntimezone = "America/Los_Angeles"\nmax_hr = 190\n'
                     f'intervals = "{icu_id}"\n{f"fit_dirs = [{json.dumps(str(watch))}]" if watch else ""}\n'
                     for a, icu_id in (athletes or {"ana": "0"}).items())  # fmt: skip
    path = tmp_path / "config.toml"
    sqlite = f'database = "{tmp_path / "runsync.db"}"'
    where = f'url = "{store}"' if store and store.startswith("postgresql") else sqlite
    path.write_text(f'[storage]\n{where}\n{extra}\n[intervals]\n'
                    f'api_url = "{service.url}"\nbackfill_budget = {budget}\npage_size = 4\n{blocks}',
                    encoding="utf-8")  # fmt: skip
    return path


def sessions(config: Path) -> list[dict]:
    return json.loads(run_cli("--config", config, "sessions", "--format", "json").stdout)["sessions"]


def sync(config: Path, expect: int = 0, *args: str, now: str = NOW):  # noqa: ANN201
    """`runsync sync -v`; on a PostgreSQL store the jobs are worked here (--wait)."""
    wait = ("--wait",) if 'url = "postgresql' in config.read_text() else ()
    return run_cli("--config", config, "--now", now, "sync", "-v", *wait, *args, expect=expect)


def authorise(config: Path, *args: str, key: str = KEY, expect: int = 0):  # noqa: ANN201
    from click.testing import CliRunner

    from runsync.cli import cli

    result = CliRunner().invoke(cli, ["--config", str(config), "auth", "intervals", *args], input=f"{key}\n",
                                catch_exceptions=False)  # fmt: skip
    assert result.exit_code == expect, result.output
    return result


def test_auth_checks_the_key_and_keeps_it_only_in_the_keyring(tmp_path: Path, icu: FakeIntervals,
                                                               keyring_memory) -> None:  # noqa: ANN001, F811 # fmt: skip
    config = config_for(tmp_path, icu)
    refused = authorise(config, "ana", key="wrong-key", expect=4)
    assert "refused the API key" in refused.output and "not stored" in refused.output
    assert keyring.get_password("runsync", "intervals:ana") is None and "wrong-key" not in refused.output
    result = authorise(config, "ana")
    assert keyring.get_password("runsync", "intervals:ana") == KEY and KEY not in result.output
    assert KEY not in config.read_text() and KEY.encode() not in (tmp_path / "runsync.db").read_bytes()
    assert run_cli("--config", config, "auth", "intervals", expect=2).stderr.count("--coach") == 1


def test_first_sync_then_one_call_a_night_and_a_late_upload_and_an_edit_are_picked_up(
    tmp_path: Path, icu: FakeIntervals, keyring_memory  # noqa: ANN001, F811
) -> None:
    for day in range(6):
        upload(icu, day)
    config = config_for(tmp_path, icu)
    authorise(config, "ana")
    first = sync(config)
    assert len(sessions(config)) == 6
    assert icu.calls["file"] == 6 and "intervals: " in first.stderr
    assert {s["sources"][0]["kind"] for s in sessions(config)} >= {"fit"}
    assert all(any(x["kind"] == "intervals" for x in s["sources"]) for s in sessions(config))
    icu.calls.clear()
    sync(config)
    assert icu.api_counts() == {"activities": 1, "wellness": 1, "events": 1}  # nothing new: one call of each kind
    late = upload(icu, 3, km=5.0, at_h=10)  # uploaded late, from days before the newest
    assert late
    icu.activities["i1001"][0]["name"] = "Hill reps (renamed)"
    icu.calls.clear()
    out = sync(config)
    assert icu.calls["file"] == 1 and "1 edited" in out.stderr
    found = sessions(config)
    assert len(found) == 7
    renamed = [s for s in found if s["name"] == "Hill reps (renamed)"]
    assert len(renamed) == 1


def test_the_history_is_walked_newest_first_under_a_budget_and_resumes(tmp_path: Path, icu: FakeIntervals,
                                                                      keyring_memory) -> None:  # noqa: ANN001, F811 # fmt: skip
    for day in range(10):
        upload(icu, day)
    config = config_for(tmp_path, icu, budget=4)
    authorise(config, "ana")
    out = sync(config)
    assert "still being fetched" in out.stderr and len(sessions(config)) == 4
    assert {s["local_date"] for s in sessions(config)} == {(date(2026, 11, 2) + timedelta(days=d)).isoformat()
                                                     for d in range(6, 10)}  # fmt: skip
    sync(config)
    sync(config)
    assert len(sessions(config)) == 10 and icu.calls["file"] == 10
    status = json.loads(run_cli("--config", config, "status", "--format", "json").stdout)
    source = next(s for s in status["athletes"][0]["sources"] if s["source"] == "intervals")
    assert source["history_complete"] and source["token"] == "ok"


def test_strava_stubs_are_counted_said_once_and_never_imported(tmp_path: Path, icu: FakeIntervals,
                                                               keyring_memory) -> None:  # noqa: ANN001, F811 # fmt: skip
    upload(icu, 0)
    icu.add_strava("i1001", "16358453283", DAY + timedelta(days=1, seconds=OFFSET))
    icu.add_strava("i1001", "16358453284", DAY + timedelta(days=2, seconds=OFFSET))
    config = config_for(tmp_path, icu)
    authorise(config, "ana")
    out = sync(config)
    assert out.stderr.count("received from Strava") == 1
    assert "2 activities intervals.icu received from Strava" in out.stderr
    assert len(sessions(config)) == 1 and icu.calls["file"] == 1
    again = sync(config)
    assert "received from Strava are not available" not in again.stderr  # said once, not every night
    status = run_cli("--config", config, "status").stdout
    assert "2 received from Strava, not available" in status


def test_a_fit_and_a_gpx_original_merge_with_the_same_runs_from_the_watch_folder(
    tmp_path: Path, icu: FakeIntervals, keyring_memory, store_location: str  # noqa: ANN001, F811
) -> None:
    watch = tmp_path / "watch"
    watch.mkdir()
    fit_bytes = write_activity(spec(0))
    (watch / "run0.fit").write_bytes(fit_bytes)
    (watch / "run1.fit").write_bytes(write_activity(spec(1)))
    icu.add("i1001", "i7000", DAY, OFFSET, fit_bytes, name="Watch run")  # the same bytes: one session
    gpx = write_gpx(spec(1), name="From the phone")
    icu.add("i1001", "i7001", DAY + timedelta(days=1), OFFSET, gpx, file_type="gpx", distance_m=8000.0)
    config = config_for(tmp_path, icu, watch=watch, store=store_location)
    authorise(config, "ana")
    sync(config, 0, "--athlete", "ana")
    found = sessions(config)
    assert len(found) == 2
    for session in found:
        kinds = {s["kind"] for s in session["sources"]}
        assert {"fit", "intervals"} <= kinds, session["sources"]


def test_wellness_and_planned_workouts_are_stored_and_shown(tmp_path: Path, icu: FakeIntervals, keyring_memory,  # noqa: ANN001, F811
                                                            store_location: str) -> None:  # fmt: skip
    upload(icu, 14)
    icu.wellness["i1001"] = [
        {"id": f"2026-11-{d:02d}", "restingHR": 48 + (d % 3), "hrv": 62.5 - d / 10, "sleepSecs": 7 * 3600 + d * 60,
         "sleepScore": 80, "weight": 61.2, "soreness": 2, "fatigue": None, "mood": 1, "updated": "2026-11-20T06:00"}
        for d in range(1, 20)
    ]  # fmt: skip
    icu.events["i1001"] = [
        {"id": 9001, "category": "WORKOUT", "start_date_local": "2026-11-16T00:00:00", "type": "Run",
         "name": "6x800m", "moving_time": 3600, "distance": 12000, "icu_training_load": 80, "icu_intensity": 88},
        {"id": 9002, "category": "WORKOUT", "start_date_local": "2026-11-18T00:00:00", "type": "Run",
         "name": "Easy", "moving_time": 2400, "distance": 7000, "icu_training_load": 30, "icu_intensity": 65},
        {"id": 9003, "category": "NOTE", "start_date_local": "2026-11-18T00:00:00", "name": "Travel"},
    ]  # fmt: skip
    config = config_for(tmp_path, icu, store=store_location)
    authorise(config, "ana")
    out = sync(config)
    if store_location.endswith(".db"):  # PostgreSQL: the jobs say only how they ended
        assert "19 wellness days" in out.stderr and "2 planned workouts" in out.stderr
    table = run_cli("--config", config, "--now", NOW, "wellness", "--since", "2026-11-10").stdout
    assert "2026-11-19" in table and "62.5" not in table and "7:19" in table
    data = json.loads(run_cli("--config", config, "--now", NOW, "wellness", "--format", "json").stdout)
    assert data["version"] == 1 and len(data["days"]) == 19
    assert data["days"][0] == {"athlete": "ana", "date": "2026-11-01", "resting_hr": 49.0, "hrv_rmssd_ms": 62.4,
                               "sleep_s": 25260.0, "sleep_score": 80.0, "weight_kg": 61.2, "soreness": 2.0,
                               "mood": 1.0, "sources": ["intervals"]}  # fmt: skip
    icu.events["i1001"] = icu.events["i1001"][1:]  # the coach deleted the intervals session
    sync(config)
    from runsync.store import Store

    store = Store.open(store_location if store_location.startswith("postgresql") else tmp_path / "runsync.db")
    planned = store.planned("ana")
    store.close()
    assert [p.id for p in planned] == ["9002"] and not planned[0].key


@pytest.mark.parametrize(("status", "exit_status", "words"), [
    (401, 4, "refused the API key"), (403, 4, "denies access"), (429, 5, "rate limiting"), (500, 5, "answered 500"),
])  # fmt: skip
def test_each_answer_stops_that_athlete_only(tmp_path: Path, icu: FakeIntervals, keyring_memory,  # noqa: ANN001, F811
                                             status: int, exit_status: int, words: str,
                                             store_location: str) -> None:  # fmt: skip
    upload(icu, 0, athlete="i1001")
    upload(icu, 1, athlete="i1002")
    config = config_for(tmp_path, icu, athletes={"ana": "i1001", "ben": "i1002"}, store=store_location)
    authorise(config, "--coach", key=COACH_KEY)
    icu.fail_next = [status]
    out = sync(config, exit_status)
    assert words in out.stderr and "Traceback" not in out.stderr + out.stdout
    assert len(sessions(config)) == 1  # the other athlete synced
    sync(config, now="2026-11-20T13:00:00Z")  # the next run (an hour later: past a queued job's backoff) resumes
    assert len(sessions(config)) == 2


def test_a_withdrawn_share_is_exit_4_for_that_athlete_and_the_key_never_leaks(
    tmp_path: Path, icu: FakeIntervals, keyring_memory, caplog  # noqa: ANN001, F811
) -> None:
    upload(icu, 0, athlete="i1001")
    upload(icu, 1, athlete="i1002")
    config = config_for(tmp_path, icu, athletes={"ana": "i1001", "ben": "i1002"})
    authorise(config, "--coach", key=COACH_KEY)
    icu.shares["i9000"].discard("i1002")
    caplog.set_level(logging.DEBUG)
    out = run_cli("--config", config, "--now", NOW, "-vv", "sync", expect=4)
    assert "ben" in out.stderr and "denies access to athlete i1002" in out.stderr
    assert len(sessions(config)) == 1
    status = run_cli("--config", config, "status").stdout
    assert "token rejected" in status
    everything = out.stdout + out.stderr + caplog.text + status + (tmp_path / "config.toml").read_text()
    database = (tmp_path / "runsync.db").read_bytes()
    assert COACH_KEY not in everything and COACH_KEY.encode() not in database
    crash_dir = Path(os.environ.get("XDG_STATE_HOME", tmp_path))
    assert not any(COACH_KEY in p.read_text(errors="replace") for p in crash_dir.rglob("crash-*.txt"))


def test_a_coachs_key_never_reads_the_coach_as_an_athlete(tmp_path: Path, icu: FakeIntervals,
                                                          keyring_memory) -> None:  # noqa: ANN001, F811 # fmt: skip
    upload(icu, 0, athlete="i9000")  # the coach's own run
    upload(icu, 1, athlete="i1002")
    config = config_for(tmp_path, icu, athletes={"ana": "0", "ben": "i1002"})
    authorise(config, "--coach", key=COACH_KEY)
    out = sync(config, 3)
    assert 'athletes.ana.intervals: "0" is the key\'s own athlete' in out.stderr
    assert [s["athlete"] for s in sessions(config)] == ["ben"]


def test_a_bad_download_is_named_and_nothing_is_half_written(tmp_path: Path, icu: FakeIntervals,
                                                             keyring_memory) -> None:  # noqa: ANN001, F811 # fmt: skip
    upload(icu, 0)
    icu.add("i1001", "i6000", DAY + timedelta(days=1), OFFSET, b"not a fit file at all")
    icu.add("i1001", "i6001", DAY + timedelta(days=2), OFFSET, None, name="Track session (typed in)",
            distance_m=6000.0, moving_s=1800.0, average_heartrate=150)  # no file (404): kept from the summary
    config = config_for(tmp_path, icu)
    authorise(config, "ana")
    out = sync(config, 6)
    assert "intervals.icu activity i6000" in out.stderr and "not a FIT" in out.stderr
    found = {s["name"]: s for s in sessions(config)}
    assert len(found) == 2 and "1 without a file" in out.stderr
    typed = found["Track session (typed in)"]
    assert typed["distance_m"] == 6000.0 and typed["moving_s"] == 1800.0 and typed["avg_hr"] == 150.0
    assert typed["local_date"] == "2026-11-04" and typed["start"] == "2026-11-04T15:00:00Z"
    assert [s["kind"] for s in typed["sources"]] == ["intervals"]
    sync(config)  # not downloaded again (as with Garmin Connect): the broken one stays listed in status
    assert len(sessions(config)) == 2 and icu.calls["file"] == 3
    status = run_cli("--config", config, "status").stdout
    assert "intervals.icu activity i6000" in status and "i6001" not in status


def test_the_report_shows_the_weeks_wellness_and_plan_in_every_format(tmp_path: Path, icu: FakeIntervals,
                                                                      keyring_memory) -> None:  # noqa: ANN001, F811 # fmt: skip
    monday = datetime(2026, 11, 9, 15, 0, tzinfo=UTC)  # 07:00 in Los Angeles
    for day, km, name in ((1, 8, "Easy"), (3, 6, "Easy instead of 5x1000")):
        start = monday + timedelta(days=day)
        data = write_activity(workouts.easy_run(start, OFFSET, km, 330.0, 140.0, seed=day))
        icu.add("i1001", f"i80{day}", start, OFFSET, data, name=name, distance_m=km * 1000, icu_training_load=40)
    icu.wellness["i1001"] = [{"id": (date(2026, 9, 20) + timedelta(days=n)).isoformat(), "restingHR": 48 + n % 3,
                              "hrv": 60 + n % 5, "sleepSecs": 26000 + 60 * (n % 7)} for n in range(60)]  # fmt: skip
    icu.events["i1001"] = [
        {"id": 1, "category": "WORKOUT", "start_date_local": "2026-11-10T00:00:00", "type": "Run", "name": "Easy",
         "moving_time": 2700, "distance": 8000, "icu_training_load": 40},
        {"id": 2, "category": "WORKOUT", "start_date_local": "2026-11-12T00:00:00", "type": "Run", "name": "5x1000m",
         "moving_time": 3600, "distance": 12000, "icu_training_load": 90, "icu_intensity": 90},
        {"id": 3, "category": "WORKOUT", "start_date_local": "2026-11-15T00:00:00", "type": "Run", "name": "Long run",
         "moving_time": 6000, "distance": 18000, "icu_training_load": 100},
    ]  # fmt: skip
    config = config_for(tmp_path, icu)
    authorise(config, "ana")
    sync(config)
    base = ("--config", config, "--now", NOW, "report", "--athlete", "ana")
    text = run_cli(*base).stdout
    assert "Wellness:" in text and "resting HR" in text and "(60-day" in text
    assert "Wellness trend:" in text and "(weekly means, last 4 weeks)" in text
    assert "Plan:" in text and "2 of 3 workouts done, distance 14.0 km of 38.0 km (37 %)" in text
    assert "load 80 of 230 (35 %, intervals.icu's)" in text and "missed Long run (Sun)" in text
    assert "Week off plan" in text  # plan-compliance found it too
    report = json.loads(run_cli(*base, "--format", "json").stdout)["athletes"][0]
    assert report["plan"]["planned"] == 3 and report["plan"]["key_missed"] == ["3"]
    assert report["plan"]["done_load"] == 80.0 and report["wellness"]["days"] == 7
    assert len(report["wellness"]["trend"]) == 4 and report["wellness"]["trend"][-1]["week"] == "2026-11-09"
    assert "| Plan |" in run_cli(*base, "--format", "markdown").stdout
    assert "Wellness and plan" in run_cli(*base, "--format", "html").stdout
    plan = json.loads(run_cli("--config", config, "--now", NOW, "plan", "--since", "2026-11-09", "--format",
                              "json").stdout)["planned"]  # fmt: skip
    assert [(p["id"], p["key"], bool(p["done"])) for p in plan] == [("1", False, True), ("2", True, True),
                                                                    ("3", True, False)]  # fmt: skip
    assert "Long run" in run_cli("--config", config, "--now", NOW, "plan").stdout
