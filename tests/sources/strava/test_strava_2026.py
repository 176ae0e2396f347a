"""Strava as it is in 2026, against the loopback fake: 403s (the app's athlete limit, an app whose owner has no
subscription, any other refusal) at authorisation and on calls, per athlete with exit 4 while the others sync; the
app's athlete capacity from the headers; disconnecting (--revoke and the webhook) removes exactly the Strava-only
data; a coach's report hides Strava-only sessions unless the athlete shares them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from runsync.demo.fitwrite import write_activity
from runsync.demo.workouts import easy_run
from tests.conftest import run_cli
from tests.fake_strava import ATHLETE_LIMIT, INACTIVE_APP, OTHER_403, FakeStrava
from tests.strava_fixtures import T0, authorise, history, write_config

pytestmark = pytest.mark.usefixtures("keyring_memory", "client_secret")

NOW = T0 + timedelta(days=40)
AT = ("--now", NOW.isoformat())


def on(config: Path, store_location: str) -> Path:
    """The config, its store moved to `store_location` (an SQLite file or a PostgreSQL database)."""
    if store_location.startswith("postgresql"):
        text = config.read_text()
        start = text.index("database = ")
        end = text.index("\n", start)
        config.write_text(text[:start] + f'url = "{store_location}"' + text[end:])
    return config


@pytest.mark.parametrize(("body", "says"), [
    (ATHLETE_LIMIT, "Strava refused ana: the app's athlete limit is reached (Standard tier: 10 connected athletes"),
    (INACTIVE_APP, "Strava refused ana: the Strava app is inactive: the account that owns it needs an active Strava "
                   "subscription"),
    (OTHER_403, "Strava refused ana (403 Forbidden: Forbidden): the app or the athlete's authorisation lacks"),
], ids=["athlete-limit", "inactive-app", "other"])  # fmt: skip
def test_a_403_at_authorisation_is_one_line_naming_the_cause_and_exit_4(tmp_path: Path, fake: FakeStrava,
                                                                         body: dict, says: str) -> None:  # fmt: skip
    config = write_config(tmp_path, fake)
    fake.codes["c0de"] = "ana"
    fake.refuse_exchange = body
    out = run_cli("--config", config, "auth", "strava", "ana", "--code", "c0de", expect=4)
    assert says in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("body", [ATHLETE_LIMIT, INACTIVE_APP, OTHER_403], ids=["limit", "inactive", "other"])
def test_a_403_on_calls_stops_that_athlete_only_with_exit_4_and_status_shows_it(
    tmp_path: Path, fake: FakeStrava, body: dict, store_location: str
) -> None:
    history(fake, 6, athlete="ana")
    history(fake, 6, athlete="ben", first_id=100)
    for athlete in ("ana", "ben"):
        authorise(fake, athlete, at=NOW)
    config = on(write_config(tmp_path, fake, athletes=("ana", "ben")), store_location)
    fake.fail_next = [(403, body)]  # the first call is ana's list
    out = run_cli("--config", config, *AT, "sync", "--wait", expect=4)
    assert "Strava refused ana" in out.stderr and "Traceback" not in out.stderr
    assert count(config, "ben") == 6  # the others still sync
    status = json.loads(run_cli("--config", config, *AT, "status", "--format", "json").stdout)
    ana = next(a for a in status["athletes"] if a["athlete"] == "ana")["sources"]
    strava = next(s for s in ana if s["source"] == "strava")
    assert strava["token"] == "refused" and strava["problem"].startswith("Strava refused ana")
    fake.fail_next = []
    run_cli("--config", config, *AT, "sync", "--wait")  # Strava lets ana in again: the next night syncs her
    assert count(config, "ana") == 6


def count(config: Path, athlete: str) -> int:
    out = run_cli("--config", config, *AT, "sessions", "--athlete", athlete, "--format", "json")
    return len(json.loads(out.stdout)["sessions"])


def test_the_apps_athlete_capacity_is_shown_and_a_full_app_warned_of(tmp_path: Path, fake: FakeStrava) -> None:
    history(fake, 2)
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    fake.capacity = (7, 10)
    run_cli("--config", config, *AT, "sync")
    status = json.loads(run_cli("--config", config, *AT, "status", "--format", "json").stdout)
    [strava] = [s for s in status["athletes"][0]["sources"] if s["source"] == "strava"]
    assert strava["app_capacity"] == {"connected": 7, "limit": 10}
    assert "app: 7 of 10 athletes" in run_cli("--config", config, *AT, "athletes").stdout
    fake.capacity = (10, 10)
    run_cli("--config", config, *AT, "sync")
    assert "the Strava app is full (10 of 10 athletes connected)" in run_cli("--config", config, *AT, "athletes").stderr


def test_more_strava_athletes_in_the_config_than_the_tier_allows_is_warned_of(tmp_path: Path, fake: FakeStrava):
    names = tuple(f"a{i}" for i in range(11))
    config = write_config(tmp_path, fake, athletes=names)
    out = run_cli("--config", config, *AT, "athletes")
    assert "11 athletes use Strava in the config, but the Strava app may connect 10" in out.stderr


def _watch_copy(tmp_path: Path) -> None:
    """The watch's own FIT file of Strava activity 3 (same start and distance): that session is not Strava's only."""
    start = T0 + timedelta(days=2)
    spec = easy_run(start, -7 * 3600, 8.2, 2420 / 8.2, 140.0)
    (tmp_path / "watch" / "three.fit").write_bytes(write_activity(spec))


def test_revoke_tells_strava_and_removes_exactly_the_strava_only_data(tmp_path: Path, fake: FakeStrava,
                                                                       store_location: str) -> None:  # fmt: skip
    history(fake, 5)
    authorise(fake, at=NOW)
    config = on(write_config(tmp_path, fake), store_location)
    _watch_copy(tmp_path)
    run_cli("--config", config, *AT, "sync", "--wait")
    listed = json.loads(run_cli("--config", config, *AT, "sessions", "--format", "json").stdout)["sessions"]
    both = [s for s in listed if {x["kind"] for x in s["sources"]} >= {"fit", "strava"}]
    assert len(listed) == 5 and len(both) == 1
    dry = run_cli("--config", config, *AT, "auth", "strava", "ana", "--revoke", "--dry-run")
    assert dry.stdout.count("remove ") == 4 and dry.stdout.count("keep ") == 1 and fake.deauthorized == []
    assert count(config, "ana") == 5  # a dry run changes nothing
    out = run_cli("--config", config, *AT, "auth", "strava", "ana", "--revoke")
    assert fake.deauthorized == ["ana"] and "Strava was told" in out.stderr
    [kept] = json.loads(run_cli("--config", config, *AT, "sessions", "--format", "json").stdout)["sessions"]
    assert kept["id"] == both[0]["id"] and {s["kind"] for s in kept["sources"]} == {"fit"}
    status = run_cli("--config", config, *AT, "status").stdout
    assert "token missing" in status


def test_the_deauthorisation_webhook_removes_the_same_data(tmp_path: Path, fake: FakeStrava) -> None:
    from runsync.config import load_config
    from runsync.sources.strava.events import deauthorise
    from runsync.store import Store

    history(fake, 5)
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    _watch_copy(tmp_path)
    run_cli("--config", config, *AT, "sync")
    loaded = load_config(config)
    store = Store.open(loaded.database)
    deauthorise(store, loaded.athletes["ana"], loaded, now=NOW)
    [kept] = store.sessions("ana")
    assert {s.kind for s in kept.sources} == {"fit"}
    store.close()


def test_a_coachs_report_hides_strava_only_sessions_unless_the_athlete_shares_them(tmp_path: Path,
                                                                                    fake: FakeStrava) -> None:
    history(fake, 5, start=NOW - timedelta(days=9))
    authorise(fake, at=NOW)
    config = write_config(tmp_path, fake)
    run_cli("--config", config, *AT, "sync")
    week = (NOW - timedelta(days=7)).date().isoformat()

    def report(*args: str) -> dict:
        out = run_cli("--config", config, *AT, "report", "--week", week, "--format", "json", *args)
        return json.loads(out.stdout)["athletes"][0]

    own = report("--athlete", "ana")
    assert sum(w["runs"] for w in own["weeks"]) >= 3 and "advice" not in own
    coach = report("--all")
    assert sum(w["runs"] for w in coach["weeks"]) == 0
    assert any("Strava-only activities of Ana not shown" in line for line in coach["advice"])
    assert report("--athlete", "ana", "--for", "coach")["weeks"] == coach["weeks"]
    config.write_text(config.read_text().replace("strava = true", 'strava = true\nshare_strava_with = ["coach"]'))
    shared = report("--all")
    assert shared["weeks"] == own["weeks"] and "advice" not in shared


def test_share_strava_with_takes_only_known_readers(tmp_path: Path, fake: FakeStrava) -> None:
    config = write_config(tmp_path, fake)
    config.write_text(config.read_text().replace("strava = true", 'strava = true\nshare_strava_with = ["world"]'))
    out = run_cli("--config", config, "athletes", expect=3)
    assert "athletes.ana.share_strava_with: expected a list of 'coach', got 'world'" in out.stderr
