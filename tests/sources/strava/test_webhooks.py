"""Strava webhooks end to end on loopback: `runsync serve` (a real uvicorn process), the fake Strava (handshake,
subscription, API with its rate limit), a real PostgreSQL store, and workers in-process or as processes."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from runsync.config.secrets import FileSecrets
from runsync.sources.strava.oauth import Token, save_token, token_key
from runsync.sources.strava.sync import OWNER_ID
from runsync.store import Store
from runsync.store.jobs import JobQueue
from tests.conftest import run_cli
from tests.fake_strava import CLIENT_ID, CLIENT_SECRET, FakeStrava, make_activity, start_fake_strava

NOW = datetime(2026, 9, 10, 12, 1, tzinfo=UTC)  # one minute into a quarter hour: the windows stay put
VERIFY = "verify-me-7f3a"
SQUAD = ("ana", "ben", "cy", "di", "ed", "flo", "gus", "hal")


@dataclass
class Team:
    config: Path
    url: str  # the store
    fake: FakeStrava
    secrets: FileSecrets
    server: subprocess.Popen[str] | None = None
    callback: str = ""

    def cli(self, *args: str, expect: int = 0) -> str:
        return run_cli("--now", NOW.isoformat(), "--config", self.config, *args, expect=expect).stderr

    def store(self) -> Store:
        return Store.open(self.url)

    def post(self, **event: object) -> requests.Response:
        return requests.post(self.callback, json=event, timeout=5)

    def event(self, athlete: str, object_id: int, aspect: str = "create", **changes: object) -> requests.Response:
        body = {"aspect_type": aspect, "event_time": 1_788_000_000 + object_id, "object_id": object_id,
                "object_type": "activity", "owner_id": self.fake.owner_id(athlete), "subscription_id": self.sub_id,
                "updates": {}, **changes}  # fmt: skip
        return self.post(**body)

    @property
    def sub_id(self) -> int:
        return next(iter(self.fake.subscriptions))

    def sessions(self, athlete: str | None = None) -> list:
        store = self.store()
        try:
            found = store.sessions(athlete)
            for session in found:
                len(session.laps)  # read now: laps are read on first use
            return found
        finally:
            store.close()


def child(*args: str | Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "RUNSYNC_DEBUG"}
    return subprocess.Popen([sys.executable, "-m", "runsync", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip


def start_server(config: Path) -> tuple[subprocess.Popen[str], str]:
    """`runsync serve` on a free loopback port; returns it and its webhook URL (from its first line)."""
    server = child("--config", config, "serve", "--port", "0")
    selector = selectors.DefaultSelector()
    selector.register(server.stderr, selectors.EVENT_READ)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and selector.select(timeout=deadline - time.monotonic()):
        line = server.stderr.readline()
        if "listening on " in line:
            threading.Thread(target=server.stderr.read, daemon=True).start()  # never let its pipe fill up
            return server, line.split("listening on ", 1)[1].strip()
        if not line:
            break
    server.kill()
    raise AssertionError(f"runsync serve did not start: {server.stderr.read()}")


@pytest.fixture
def team(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Team]:
    fake, api = start_fake_strava()
    fake.now = NOW.timestamp()
    fake.limits = fake.read_limits = (600, 6000)
    monkeypatch.setenv("RUNSYNC_STRAVA_CLIENT_SECRET", CLIENT_SECRET)
    secrets_file = tmp_path / "secrets.json"
    config = tmp_path / "team.toml"
    athletes = "".join(f'\n[athletes.{a}]\nname = "{a.title()}"\ntimezone = "Europe/Madrid"\nmax_hr = 190\n'
                       "strava = true\n" for a in SQUAD)  # fmt: skip
    config.write_text(f"""
[storage]
url = "{pg_url}"
[secrets]
backend = "file"
file = "{secrets_file}"
[strava]
client_id = "{CLIENT_ID}"
api_url = "{fake.url}/api/v3"
oauth_url = "{fake.url}/oauth"
verify_token = "{VERIFY}"
limit_15min = 600
limit_daily = 6000
timeout_s = 2
{athletes}""", encoding="utf-8")  # fmt: skip
    secrets = FileSecrets(secrets_file)
    store = Store.open(pg_url)
    for athlete in SQUAD:
        info = fake.issue_tokens(athlete)
        save_token(secrets, athlete, Token(info["access_token"], info["refresh_token"], info["expires_at"],
                                           info["athlete"]["id"]))  # fmt: skip
        with store.transaction():  # as `runsync auth strava` records it
            store.save_state(athlete, "strava", OWNER_ID, info["athlete"]["id"])
    store.close()
    made = Team(config, pg_url, fake, secrets)
    made.server, made.callback = start_server(config)
    yield made
    made.server.terminate()
    made.server.wait(10)
    api.shutdown()
    api.server_close()


def subscribed(team: Team) -> Team:
    out = team.cli("strava", "subscribe", "--callback", team.callback)
    assert f"subscribed: Strava subscription {team.sub_id}" in out
    return team


def add_run(team: Team, athlete: str, activity_id: int, day: int = 1, **kwargs: object) -> dict:
    start = datetime(2026, 9, day, 7, 0, tzinfo=UTC) + timedelta(minutes=activity_id % 600)
    return team.fake.add_activity(athlete, make_activity(activity_id, start, utc_offset_s=7200,
                                                         tz="(GMT+01:00) Europe/Madrid", **kwargs))  # fmt: skip


def test_the_handshake_answers_only_our_verify_token_and_subscribe_manages_the_subscription(team: Team) -> None:
    ok = requests.get(team.callback, params={"hub.mode": "subscribe", "hub.challenge": "abc123",
                                             "hub.verify_token": VERIFY}, timeout=5)  # fmt: skip
    assert ok.status_code == 200 and ok.json() == {"hub.challenge": "abc123"}
    wrong = requests.get(team.callback, params={"hub.mode": "subscribe", "hub.challenge": "abc",
                                                "hub.verify_token": "guess"}, timeout=5)  # fmt: skip
    assert wrong.status_code == 403
    odd = requests.get(team.callback, params={"hub.mode": "subscribe", "hub.challenge": "<script>",
                                              "hub.verify_token": VERIFY}, timeout=5)  # fmt: skip
    assert odd.status_code == 400
    subscribed(team)
    listed = run_cli("--config", team.config, "strava", "subscription").stdout
    assert f"{team.sub_id}\t{team.callback}" in listed and "accepted by runsync serve" in listed
    assert "already exists" in team.cli("strava", "subscribe", "--callback", team.callback, expect=2)
    team.cli("strava", "unsubscribe")
    assert team.fake.subscriptions == {}
    assert "no subscription" in team.cli("strava", "subscription")


def test_create_update_and_delete_events_reach_the_store_through_a_worker(team: Team) -> None:
    subscribed(team)
    add_run(team, "ana", 501)
    assert team.event("ana", 501).json() == {"status": "queued"}  # stored and queued before the answer
    assert team.sessions() == []  # no worker runs yet: nothing lost, nothing done
    team.cli("worker", "--burst")
    [session] = team.sessions("ana")
    assert session.name == "Run 501" and len(session.laps) > 0 and session.samples is None  # samples: on demand
    assert team.store().samples_of(session.id) is not None
    assert team.fake.api_counts() == {"detail": 1, "streams": 1}  # the one activity: 2 calls

    team.fake.activities["ana"][501]["name"] = "Hill reps with Ben"
    team.event("ana", 501, "update", updates={"title": "Hill reps with Ben"}, event_time=1_788_100_000)
    team.cli("worker", "--burst")
    assert [s.name for s in team.sessions("ana")] == ["Hill reps with Ben"]
    assert team.fake.api_counts() == {"detail": 2, "streams": 1}  # an edit costs one call

    team.cli("audit", "--athlete", "ana")  # findings recorded so far stay after the delete (the audit trail)
    team.fake.delete_activity("ana", 501)
    team.event("ana", 501, "delete", event_time=1_788_200_000)
    team.cli("worker", "--burst")
    assert team.sessions("ana") == []
    store = team.store()
    assert {r.status for r in store.raw_records(source="strava")} == {"deleted"}
    assert JobQueue(store).summary() == {"done": 3}


def test_a_retried_delivery_is_one_event_and_one_job(team: Team) -> None:
    subscribed(team)
    add_run(team, "ana", 600)
    answers = [team.event("ana", 600).json()["status"] for _ in range(3)]
    assert answers == ["queued", "duplicate", "duplicate"]
    store = team.store()
    assert store.db.execute("SELECT COUNT(*) FROM webhook_events").fetchone()[0] == 1
    assert JobQueue(store).summary() == {"queued": 1}


def test_hostile_requests_are_refused_and_store_nothing(team: Team) -> None:
    subscribed(team)
    base = {"aspect_type": "create", "event_time": 1_788_000_000, "object_id": 7, "object_type": "activity",
            "owner_id": team.fake.owner_id("ana"), "subscription_id": team.sub_id, "updates": {}}  # fmt: skip
    assert team.post(**{**base, "subscription_id": 999}).json() == {"status": "ignored"}  # not our subscription
    assert team.post(**{**base, "owner_id": 424242}).json() == {"status": "ignored"}  # nobody who authorised us
    for bad in ({**base, "object_id": "7; DROP TABLE jobs"}, {**base, "object_type": "club"},
                {**base, "object_id": -1}, {**base, "updates": {"x": ["a"] * 10}}):  # fmt: skip
        assert team.post(**bad).status_code == 400
    assert requests.post(team.callback, data=b"\xff\xfe not json", timeout=5).status_code == 400
    huge = requests.post(team.callback, data=json.dumps({**base, "pad": "x" * 10_000}), timeout=5)
    assert huge.status_code == 413
    store = team.store()
    assert store.db.execute("SELECT COUNT(*) FROM webhook_events").fetchone()[0] == 0
    assert JobQueue(store).summary() == {}
    # made-up activity ids for a real athlete: the queue is capped per athlete, one sync stands for the rest
    for object_id in range(1000, 1080):
        assert team.post(**{**base, "object_id": object_id}).status_code == 200
    queued = store.db.execute("SELECT kind, COUNT(*) FROM jobs GROUP BY kind ORDER BY kind").fetchall()
    assert [tuple(r) for r in queued] == [("activity", 50), ("sync", 1)]


def test_a_flood_from_one_address_is_rate_limited(team: Team) -> None:
    subscribed(team)
    from concurrent.futures import ThreadPoolExecutor

    def send(_: int) -> int:
        return requests.post(team.callback, data=b"{}", timeout=10).status_code

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(send, range(1200)))
    assert codes.count(429) >= 300 and set(codes) <= {400, 429}
    assert team.server.poll() is None  # still serving


def test_deauthorisation_forgets_the_tokens_and_drops_the_athletes_queued_strava_jobs(team: Team) -> None:
    subscribed(team)
    add_run(team, "ana", 700)
    team.event("ana", 700)
    answer = team.post(aspect_type="update", event_time=1_788_000_500, object_id=team.fake.owner_id("ana"),
                       object_type="athlete", owner_id=team.fake.owner_id("ana"), subscription_id=team.sub_id,
                       updates={"authorized": "false"})  # fmt: skip
    assert answer.json() == {"status": "queued"}
    team.cli("worker", "--burst")  # the activity job first (queued first), then the deauthorisation
    assert team.secrets.get(token_key("ana")) is None and team.secrets.get(token_key("ben")) is not None
    status = json.loads(run_cli("--config", team.config, "status", "--format", "json").stdout)
    [ana] = [a for a in status["athletes"] if a["athlete"] == "ana"]
    assert ana["sources"][0]["token"] == "missing"
    add_run(team, "ana", 701)
    team.event("ana", 701)
    out = team.cli("worker", "--burst", expect=4)
    assert "no Strava token for ana" in out


def test_a_burst_of_200_events_is_worked_by_two_worker_processes_with_no_loss_or_duplicate(team: Team) -> None:
    subscribed(team)
    for i in range(200):
        add_run(team, SQUAD[i % 8], 2000 + i, day=1 + i % 28)
    for i in range(200):  # no worker runs while they arrive
        assert team.event(SQUAD[i % 8], 2000 + i).json() == {"status": "queued"}
    assert JobQueue(team.store()).summary() == {"queued": 200}
    workers = [child("--now", NOW.isoformat(), "--config", team.config, "worker", "--burst", "-v") for _ in range(2)]
    outputs = [w.communicate(timeout=300)[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    assert all(out.count(": done") > 10 for out in outputs)  # both took a share
    ids = [s.id for s in team.sessions()]
    assert len(ids) == len(set(ids)) == 200
    assert JobQueue(team.store()).summary() == {"done": 200}
    assert team.fake.api_counts() == {"detail": 200, "streams": 200} and team.fake.too_many == 0


def test_workers_stop_before_the_strava_limit_and_resume_in_the_next_window(team: Team) -> None:
    subscribed(team)
    team.fake.limits = team.fake.read_limits = (20, 6000)  # 20 calls a quarter hour: 15 after runsync's reserve of 5
    for i in range(10):
        add_run(team, SQUAD[i % 8], 3000 + i)
        team.event(SQUAD[i % 8], 3000 + i)
    out = team.cli("worker", "--burst", expect=5)
    assert "resuming after 2026-09-10 12:15 UTC" in out
    assert team.fake.api_calls() == 15 and team.fake.too_many == 0
    assert team.cli("worker", "--burst") == ""  # nothing is ready before the window resets: no call at all
    assert team.fake.api_calls() == 15
    team.fake.new_window()
    later = (NOW + timedelta(minutes=15)).isoformat()
    run_cli("--now", later, "--config", team.config, "worker", "--burst")
    assert len(team.sessions()) == 10 and team.fake.too_many == 0
    assert JobQueue(team.store()).summary() == {"done": 10}
