from __future__ import annotations

from pathlib import Path

import pytest

from runsync.config import load_config, parse_config, parse_pace
from runsync.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


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
