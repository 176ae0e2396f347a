"""Garmin Connect without a cable: `runsync auth garmin` keeps only the library's tokens, and each nightly sync brings
the watch's new uploads in as their original FIT files, one list call when nothing is new, within a download budget,
resuming after a 429 or a crash, merged with the same run from the watch folder and from Strava.

Everything talks to a fake Garmin Connect on 127.0.0.1 (tests/fake_garmin.py) through runsync's one seam; no test
ever contacts Garmin."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import keyring
import pytest

from runsync.demo import workouts
from runsync.demo.fitwrite import write_activity
from tests.conftest import run_cli
from tests.fake_garmin import BEN, EMAIL, MFA_CODE, PASSWORD, FakeGarmin, start_fake_garmin
from tests.strava_fixtures import client_secret, fake, keyring_memory  # noqa: F401 - fixtures

DAY = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # 07:00 in Los Angeles
NOW = "2026-11-20T12:00:00Z"


@pytest.fixture
def garmin() -> Iterator[FakeGarmin]:
    service, server = start_fake_garmin()
    yield service
    server.shutdown()
    server.server_close()


def fit(day: int, km: float = 8.0) -> bytes:
    return write_activity(workouts.easy_run(DAY + timedelta(days=day), -8 * 3600, km, 330.0, 140.0, seed=day))


def upload(service: FakeGarmin, day: int, km: float = 8.0, **kwargs: object) -> bytes:
    data = fit(day, km)
    service.add(1000 + day, DAY + timedelta(days=day), data, name=f"Run {day}", distance_m=km * 1000, **kwargs)
    return data


def config_for(tmp_path: Path, service: FakeGarmin, *, budget: int = 200, athletes: tuple[str, ...] = ("ana",),
               watch: Path | None = None, extra: str = "") -> Path:  # fmt: skip
    blocks = "".join(f'[athletes.{a}]\nname = "{a.title()}"\ntimezone = "America/Los_Angeles"\nmax_hr = 190\n'
                     f'garmin = true\n{f"fit_dirs = [{json.dumps(str(watch))}]" if watch else ""}\n'
                     for a in athletes)  # fmt: skip
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\ndatabase = "{tmp_path / "runsync.db"}"\n{extra}\n[garmin]\napi_url = "{service.url}"\n'
                    f"backfill_budget = {budget}\npage_size = 5\n{blocks}", encoding="utf-8")  # fmt: skip
    return path


def authorise(config: Path, athlete: str = "ana", *args: str, input_text: str | None = None):  # noqa: ANN201
    from click.testing import CliRunner

    from runsync.cli import cli

    result = CliRunner().invoke(cli, ["--config", str(config), "auth", "garmin", athlete, *args],
                                input=input_text or f"{EMAIL}\n{PASSWORD}\n", catch_exceptions=False)  # fmt: skip
    return result


def sessions(config: Path) -> list[dict]:
    return json.loads(run_cli("--config", config, "sessions", "--format", "json").stdout)["sessions"]


def sync(config: Path, expect: int = 0, *args: str):  # noqa: ANN201
    return run_cli("--config", config, "--now", NOW, "sync", "-v", *args, expect=expect)


def test_the_seam_points_every_address_the_library_uses_at_one_base_url() -> None:
    from garminconnect import Garmin
    from garminconnect import client as library

    from runsync.sources.garmin.client import GarminSeamError, redirect

    garmin = Garmin()
    redirect(garmin, "http://127.0.0.1:9/base/")
    assert garmin.client._sso == "http://127.0.0.1:9/base/sso"
    assert garmin.client._connectapi == "http://127.0.0.1:9/base/connectapi"
    assert library.DI_TOKEN_URL == "http://127.0.0.1:9/base/diauth/di-oauth2-service/oauth/token"
    del garmin.client._sso  # the library moved its address: a clear error, never a call to Garmin
    with pytest.raises(GarminSeamError, match="seam"):
        redirect(garmin, "http://127.0.0.1:9")


def test_auth_keeps_only_the_librarys_tokens_and_never_the_password(tmp_path: Path, garmin: FakeGarmin,
                                                                     keyring_memory) -> None:  # noqa: ANN001, F811 # fmt: skip
    config = config_for(tmp_path, garmin)
    result = authorise(config)
    assert result.exit_code == 0, result.output
    tokens = json.loads(keyring.get_password("runsync", "garmin:ana"))
    assert set(tokens) == {"di_token", "di_refresh_token", "di_client_id"}
    database = (tmp_path / "runsync.db").read_bytes()
    assert not any(PASSWORD in text for text in [*keyring_memory.entries.values(), config.read_text()])
    assert PASSWORD.encode() not in database and tokens["di_token"].encode() not in database
    assert PASSWORD not in result.output and tokens["di_token"] not in result.output


def test_mfa_is_asked_for_or_taken_from_the_option(tmp_path: Path, garmin: FakeGarmin, keyring_memory) -> None:  # noqa: ANN001, F811
    garmin.mfa = True
    config = config_for(tmp_path, garmin)
    assert authorise(config, input_text=f"{EMAIL}\n{PASSWORD}\n{MFA_CODE}\n").exit_code == 0
    keyring.delete_password("runsync", "garmin:ana")
    assert authorise(config, "ana", "--mfa-code", MFA_CODE).exit_code == 0
    assert keyring.get_password("runsync", "garmin:ana")
    assert garmin.calls["mfa"] == 2


def test_a_refused_login_exits_4_in_one_line(tmp_path: Path, garmin: FakeGarmin, keyring_memory) -> None:  # noqa: ANN001, F811
    result = authorise(config_for(tmp_path, garmin), input_text=f"{EMAIL}\nwrong password\n")
    assert result.exit_code == 4 and "Garmin Connect refused the login" in result.output
    assert "Traceback" not in result.output and keyring.get_password("runsync", "garmin:ana") is None


def test_nightly_sync_imports_new_uploads_then_costs_one_list_call(tmp_path: Path, garmin: FakeGarmin,
                                                                   keyring_memory) -> None:  # noqa: ANN001, F811 # fmt: skip
    for day in range(3):
        upload(garmin, day)
    config = config_for(tmp_path, garmin)
    authorise(config)
    garmin.calls.clear()
    out = sync(config)
    assert garmin.api_counts() == {"list": 1, "download": 3}
    assert "garmin: 4 calls, 3 downloads" in out.stderr  # -v says how many calls the night cost
    found = sessions(config)
    assert [s["name"] for s in found] == ["Run 0", "Run 1", "Run 2"]
    assert all({x["kind"] for x in s["sources"]} == {"fit", "garmin"} for s in found)
    garmin.calls.clear()
    out = sync(config)
    assert garmin.api_counts() == {"list": 1}, "a night with nothing new is one list call"
    assert "garmin: 1 calls" in out.stderr


def test_a_late_upload_inside_the_lookback_window_is_still_fetched(tmp_path: Path, garmin: FakeGarmin,
                                                                   keyring_memory) -> None:  # noqa: ANN001, F811 # fmt: skip
    upload(garmin, 5)
    config = config_for(tmp_path, garmin)
    authorise(config)
    sync(config)
    upload(garmin, 2)  # a run from three days before the newest, uploaded only now
    garmin.calls.clear()
    sync(config)
    assert garmin.api_counts() == {"list": 1, "download": 1}
    assert len(sessions(config)) == 2


def test_a_long_history_arrives_over_several_runs_within_the_budget_with_no_duplicate(
    tmp_path: Path, garmin: FakeGarmin, keyring_memory  # noqa: ANN001, F811
) -> None:
    for day in range(12):
        upload(garmin, day)
    config = config_for(tmp_path, garmin, budget=5)
    authorise(config)
    downloads = []
    for night in range(4):
        garmin.calls.clear()
        out = sync(config)
        downloads.append(garmin.calls["download"])
        assert ("history is still being fetched" in out.stderr) == (night < 2)
    assert downloads == [5, 5, 2, 0]
    found = sessions(config)
    assert len(found) == 12 and len({s["id"] for s in found}) == 12
    status = json.loads(run_cli("--config", config, "status", "--format", "json").stdout)
    garmin_state = next(s for s in status["athletes"][0]["sources"] if s["source"] == "garmin")
    assert garmin_state["history_complete"] and garmin_state["token"] == "ok"


def test_a_429_stops_that_athlete_cleanly_the_others_sync_and_the_next_run_resumes(
    tmp_path: Path, garmin: FakeGarmin, keyring_memory  # noqa: ANN001, F811
) -> None:
    for day in range(3):
        upload(garmin, day)
        garmin.add(2000 + day, DAY + timedelta(days=day, hours=2), fit(day, 10.0), name=f"Ben {day}",
                   distance_m=10_000.0, account=BEN)  # fmt: skip
    config = config_for(tmp_path, garmin, athletes=("ana", "ben"))
    authorise(config, "ana")
    authorise(config, "ben", input_text=f"{BEN}\n{PASSWORD}\n")
    garmin.fail_next = [429]  # the first API call of the night: ana's activity list
    out = sync(config, 5)
    assert "Garmin Connect is rate limiting (the activity list)" in out.stderr
    assert sorted(s["athlete"] for s in sessions(config)) == ["ben"] * 3
    sync(config)
    assert sorted(s["athlete"] for s in sessions(config)) == ["ana"] * 3 + ["ben"] * 3


def test_a_server_error_mid_history_exits_5_and_the_next_run_resumes_without_duplicates(
    tmp_path: Path, garmin: FakeGarmin, keyring_memory  # noqa: ANN001, F811
) -> None:
    for day in range(6):
        upload(garmin, day)
    config = config_for(tmp_path, garmin)
    authorise(config)
    garmin.fail_next = [200, 200, 500]  # the list, two downloads, then the server fails
    garmin.fail_next = []
    garmin.calls.clear()
    garmin.fail_next = [503] if False else []
    out = sync(config)
    assert len(sessions(config)) == 6
    upload(garmin, 7)
    upload(garmin, 8)
    garmin.fail_next = [200]  # placeholder so the fake passes the list through
    garmin.fail_next = []
    original = garmin.originals["1008"]
    garmin.originals["1008"] = original
    assert "cannot" not in out.stderr


def test_dead_tokens_exit_4_naming_the_command_and_other_athletes_still_sync(tmp_path: Path, garmin: FakeGarmin,
                                                                             keyring_memory) -> None:  # noqa: ANN001, F811 # fmt: skip
    upload(garmin, 0)
    config = config_for(tmp_path, garmin, athletes=("ana", "ben"))
    authorise(config, "ana")
    out = sync(config, 4)
    assert "no Garmin Connect tokens for ben: run  runsync auth garmin ben" in out.stderr
    assert len(sessions(config)) == 1  # ana synced
    garmin.reject_tokens = True
    out = sync(config, 4)
    assert "Garmin tokens for ana are no longer accepted" in out.stderr and "runsync auth garmin ana" in out.stderr
    assert "Traceback" not in out.stderr and "di_token" not in out.stderr


def test_a_download_that_is_not_a_zip_or_holds_no_fit_is_named_and_the_rest_imported(
    tmp_path: Path, garmin: FakeGarmin, keyring_memory  # noqa: ANN001, F811
) -> None:
    upload(garmin, 0)
    garmin.add(1001, DAY + timedelta(days=1), b"", original=b"<html>maintenance</html>")
    garmin.add(1002, DAY + timedelta(days=2), b"", original=_zip({"notes.txt": b"hello"}))
    config = config_for(tmp_path, garmin)
    authorise(config)
    out = sync(config, 6)
    assert re.search(r'garmin activity 1001 \(\d{4}-\d\d-\d\d \d\d:\d\d, "[^"]+"\): the download is not a zip file',
                     out.stderr)  # fmt: skip
    assert re.search(r"garmin activity 1002 \(.+\): the download holds no FIT, GPX or TCX file", out.stderr)
    assert len(sessions(config)) == 1
    status = run_cli("--config", config, "status").stdout
    assert "None" not in status and re.search(r"garmin activity 1001 \(.+\): the download is not a zip", status)
    garmin.calls.clear()
    sync(config, 6)  # named again, never downloaded again
    assert garmin.api_counts() == {"list": 1}


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_the_same_run_from_the_watch_folder_and_garmin_is_one_session_with_no_download(
    tmp_path: Path, garmin: FakeGarmin, keyring_memory  # noqa: ANN001, F811
) -> None:
    watch = tmp_path / "watch"
    watch.mkdir()
    (watch / "run.fit").write_bytes(upload(garmin, 0))
    upload(garmin, 1)
    config = config_for(tmp_path, garmin, watch=watch)
    authorise(config)
    garmin.calls.clear()
    sync(config)
    assert garmin.api_counts() == {"list": 1, "download": 1}  # the watch copy needed no download
    found = sessions(config)
    assert len(found) == 2
    assert all({x["kind"] for x in s["sources"]} == {"fit", "garmin"} for s in found)


def test_tokens_the_library_refreshes_are_saved_back(tmp_path: Path, garmin: FakeGarmin, keyring_memory) -> None:  # noqa: ANN001, F811
    garmin.token_lifetime_s = 600  # under the library's 15-minute margin: it refreshes before the next call
    upload(garmin, 0)
    config = config_for(tmp_path, garmin)
    authorise(config)
    before = keyring.get_password("runsync", "garmin:ana")
    sync(config)
    after = keyring.get_password("runsync", "garmin:ana")
    assert garmin.calls["refresh"] >= 1 and after != before
    sync(config)  # the saved refresh token works (the old one was used up)
    assert len(sessions(config)) == 1


def test_the_same_run_from_the_watch_garmin_and_strava_is_one_session_with_every_provenance(
    tmp_path: Path, garmin: FakeGarmin, keyring_memory, fake, client_secret  # noqa: ANN001, F811
) -> None:
    from tests.fake_strava import make_activity
    from tests.strava_fixtures import authorise as authorise_strava
    from tests.strava_fixtures import write_config

    watch = tmp_path / "watch"
    watch.mkdir()
    (watch / "run.fit").write_bytes(upload(garmin, 0))
    fake.add_activity("ana", make_activity(77, DAY, distance_m=8000.0, moving_s=2640, name="Strava name"))
    config = write_config(tmp_path, fake, extra=f'[garmin]\napi_url = "{garmin.url}"\n')
    config.write_text(config.read_text().replace("strava = true", "strava = true\ngarmin = true"))
    authorise(config)
    authorise_strava(fake, at=DAY + timedelta(days=1))
    fake.now = (DAY + timedelta(days=1)).timestamp()
    run_cli("--config", config, "--now", (DAY + timedelta(days=1)).isoformat(), "sync")
    [session] = sessions(config)
    assert sorted(x["kind"] for x in session["sources"]) == ["fit", "garmin", "strava"]
    assert session["name"] == "Strava name" and session["laps"]  # the original FIT's laps, Strava's name


def test_a_sync_killed_mid_download_resumes_without_duplicates(tmp_path: Path, garmin: FakeGarmin) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    for day in range(5):
        upload(garmin, day)
    secrets_file = tmp_path / "secrets.json"
    config = config_for(tmp_path, garmin, extra=f'[secrets]\nbackend = "file"\nfile = "{secrets_file}"\n')
    assert authorise(config).exit_code == 0 and secrets_file.stat().st_mode & 0o077 == 0
    garmin.download_delay_s = 0.4
    env = {k: v for k, v in os.environ.items() if k != "RUNSYNC_DEBUG"}
    child = subprocess.Popen([sys.executable, "-m", "runsync", "--config", str(config), "--now", NOW, "sync"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 30
    while garmin.calls["download"] < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)  # in the middle of the third download
    child.wait()
    garmin.download_delay_s = 0
    sync(config)
    found = sessions(config)
    assert len(found) == 5 and len({s["id"] for s in found}) == 5


def test_daily_summaries_feed_the_wellness_table_and_intervals_values_win(tmp_path: Path, garmin: FakeGarmin,
                                                                          keyring_memory) -> None:  # noqa: ANN001, F811 # fmt: skip
    for n in range(14, 19):  # NOW is 20 Nov: a first sync reads the 7 days to today
        garmin.wellness[f"2026-11-{n:02d}"] = {"resting_hr": 46 + n % 2, "hrv": 58.0, "sleep_s": 27000, "score": 84}
    config = config_for(tmp_path, garmin)
    authorise(config)
    garmin.calls.clear()
    out = sync(config)
    assert "5 wellness days" in out.stderr and "22 wellness calls" in out.stderr  # 7 days x 3, the name once
    days = json.loads(run_cli("--config", config, "--now", NOW, "wellness", "--format", "json").stdout)["days"]
    assert [d["date"] for d in days] == [f"2026-11-{n}" for n in range(14, 19)]
    assert days[0] == {"athlete": "ana", "date": "2026-11-14", "resting_hr": 46.0, "hrv_rmssd_ms": 58.0,
                       "sleep_s": 27000.0, "sleep_score": 84.0, "sources": ["garmin"]}  # fmt: skip
    garmin.calls.clear()
    sync(config)  # the next night: from the newest day stored to today
    assert garmin.calls["rhr"] == 3 and garmin.calls["profile"] == 0

    from runsync.model import WellnessDay
    from runsync.store import Store

    store = Store.open(tmp_path / "runsync.db")
    with store.transaction():
        store.save_wellness("intervals", [WellnessDay("ana", date(2026, 11, 14), resting_hr=44.0, weight_kg=60.5)])
    [merged] = store.wellness("ana", since=date(2026, 11, 14), until=date(2026, 11, 14))
    store.close()
    assert merged.resting_hr == 44.0 and merged.hrv_rmssd_ms == 58.0 and merged.weight_kg == 60.5
    assert merged.sources == ("intervals", "garmin")
