from __future__ import annotations

from pathlib import Path

import pytest

from runsync.config import load_config, parse_config, parse_pace
from runsync.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_config_loads_and_every_athlete_is_typed() -> None:
    config = load_config(REPO / "config.example.toml")
    assert config.athletes["ana"].max_hr == 190
    assert config.athletes["ana"].threshold_pace_s_per_km == 245
    assert config.athletes["ben"].timezone == "America/Los_Angeles"
    assert config.email.sender == "runsync <coach@example.org>"
    assert config.database == (REPO / "runsync.db")


def test_a_wrong_type_names_the_file_the_key_and_what_was_expected(tmp_path: Path) -> None:
    path = write(tmp_path, '[athletes.ana]\nmax_hr = "fast"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value) == f"{path.resolve()}: athletes.ana.max_hr: expected a number, got 'fast'"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[athletes.ana]\nmax_heart = 190\n", "athletes.ana.max_heart: unknown key"),
        ("[stravaa]\nclient_id = '1'\n", "stravaa: unknown section"),
        ("[email]\nsecurity = 'tls'\n", "email.security: expected one of starttls, ssl, none"),
        ("[athletes.ana]\ntimezone = 'Mars/Olympus'\n", "athletes.ana.timezone: unknown timezone"),
        ("[athletes.ana]\nthreshold_pace = 'quick'\n", "athletes.ana.threshold_pace: expected a pace"),
        ("[email]\npassword = 'hunter2'\n", "email.password: unknown key"),
    ],
)
def test_unknown_keys_and_bad_values_are_errors_that_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(write(tmp_path, text))


def test_broken_toml_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[athletes.ana\n")
    with pytest.raises(ConfigError, match="config.toml: not valid TOML"):
        load_config(path)


def test_an_explicit_missing_config_is_an_error_but_a_missing_default_is_empty(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")
    assert load_config().athletes == {}


def test_environment_overrides_the_database_path(tmp_path: Path) -> None:
    config = parse_config({"storage": {"database": "a.db"}}, None, env={"RUNSYNC_DATABASE": str(tmp_path / "b.db")})
    assert config.database == tmp_path / "b.db"


@pytest.mark.parametrize(("text", "seconds"), [("4:15", 255), ("4:15/km", 255), ("6:50/mi", 410 / 1.609344)])
def test_paces_are_read_per_km_or_per_mile(text: str, seconds: float) -> None:
    assert parse_pace(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[athletes.ana]\nmax_hr = -190\n", "athletes.ana.max_hr: expected a number from 100 to 250 bpm, got -190"),
        ("[athletes.ana]\nmax_hr = 0\n", "athletes.ana.max_hr: expected a number from 100 to 250 bpm, got 0"),
        ("[athletes.ana]\nmax_hr = nan\n", "athletes.ana.max_hr: expected a number from 100 to 250 bpm, got nan"),
        ("[athletes.ana]\nmax_hr = inf\n", "athletes.ana.max_hr: expected a number from 100 to 250 bpm, got inf"),
        ("[athletes.ana]\nlthr = 300\n", "athletes.ana.lthr: expected a number from 80 to 230 bpm"),
        ("[athletes.ana]\nresting_hr = 5\n", "athletes.ana.resting_hr: expected a number from 20 to 120 bpm"),
        ("[athletes.ana]\ncritical_speed = 0\n", "athletes.ana.critical_speed: expected a number from 1 to 10 m/s"),
        ("[athletes.ana]\nthreshold_pace = '0:00/km'\n", "athletes.ana.threshold_pace: expected a pace from 2:00/km"),
        ("[athletes.ana]\nthreshold_pace = '4:75/km'\n", "athletes.ana.threshold_pace: expected a pace like"),
        ("[email]\nport = 70000\n", "email.port: expected an integer from 1 to 65535, got 70000"),
        ("[email]\ntimeout_s = -1\n", "email.timeout_s: expected a number from 0.1 to 3600 seconds"),
        ("[strava]\nper_page = 0\n", "strava.per_page: expected an integer from 1 to 200"),
        ("[strava]\nreserve_daily = -5\n", "strava.reserve_daily: expected an integer from 0 to 100000"),
        ("[athletes.'a.b']\nname = 'x'\n", "athletes.a.b: an athlete id is 1-64 letters, digits"),
    ],
)
def test_numbers_out_of_range_name_the_file_the_key_and_the_allowed_range(tmp_path: Path, text: str,
                                                                           message: str) -> None:  # fmt: skip
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value).startswith(f"{path.resolve()}: {message}")


@pytest.mark.parametrize(
    ("rule", "key", "value", "message"),
    [
        ("mileage-ramp", "longest_run_days", -30, "expected an integer from 7 to 365, got -30"),
        ("mileage-ramp", "strength_days", 0, "expected an integer from 1 to 365, got 0"),
        ("missing-easy-days", "hard_minutes", "nan", "expected a number from 1 to 300, got nan"),
        ("missing-easy-days", "alert_window_days", 1, "expected an integer from 2 to 28, got 1"),
        ("interval-sessions", "min_reps", 1, "expected an integer from 2 to 100, got 1"),
        ("interval-sessions", "rest_shrink_ratio", 2.0, "expected a number from 0.05 to 1, got 2.0"),
    ],
)
def test_rule_numbers_out_of_range_are_config_errors_naming_the_key(tmp_path: Path, rule: str, key: str,
                                                                     value: object, message: str) -> None:  # fmt: skip
    from tests.conftest import run_cli

    path = write(tmp_path, f"[rules.{rule}]\n{key} = {value}\n")
    out = run_cli("--config", path, "rules", expect=3)
    assert f"rules.{rule}.{key}: {message}" in out.stderr
