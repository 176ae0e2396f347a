"""The whole pipeline over every real file in ../shared/data/fit: sync, then every read command in every format for
the athlete and for --all, with and without heart-rate thresholds, and a dry-run mail. No traceback, valid JSON,
exit statuses from the contract. Skipped when the corpus folder is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CORPUS, run_cli

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"FIT corpus not found at {CORPUS}")
NOW = "2026-11-25T18:00:00Z"
THRESHOLDS = {"with max_hr": "max_hr = 190\nlthr = 172\nresting_hr = 50\n", "without thresholds": ""}


@pytest.fixture(scope="module", params=sorted(THRESHOLDS))
def corpus_config(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    config = folder / "config.toml"
    config.write_text(
        f'[storage]\ndatabase = "{folder / "runsync.db"}"\n[email]\nto = ["coach@example.org"]\n'
        f'[athletes.c]\nname = "Corpus"\ntimezone = "Europe/Berlin"\nemail = ["c@example.org"]\n'
        f'{THRESHOLDS[request.param]}fit_dirs = ["{CORPUS}"]\n'
        '[athletes.nobody]\nname = "No sessions"\ntimezone = "America/Los_Angeles"\n',
        encoding="utf-8",
    )
    run_cli("--config", config, "sync", expect=6)  # the corpus holds broken files: named, the rest imported
    return config


def test_sessions_in_every_format_list_every_session_with_a_source(corpus_config: Path) -> None:
    payload = json.loads(run_cli("--config", corpus_config, "sessions", "--format", "json").stdout)
    assert len(payload["sessions"]) > 80
    assert all(s["sources"] for s in payload["sessions"]), "every session (every multisport leg) keeps a source"
    for fmt in ("table", "csv"):
        assert run_cli("--config", corpus_config, "sessions", "--format", fmt).stdout


@pytest.mark.parametrize("who", [("--athlete", "c"), ("--all",)])
def test_audit_in_every_format_over_the_whole_history(corpus_config: Path, who: tuple[str, ...]) -> None:
    for fmt in ("text", "json", "markdown"):
        out = run_cli("--config", corpus_config, "--now", NOW, "audit", *who, "--since", "2000-01-01", "--format", fmt)
        if fmt == "json":
            assert all("crashed" not in f["title"] for f in json.loads(out.stdout)["findings"])


@pytest.mark.parametrize("who", [("--athlete", "c"), ("--all",)])
@pytest.mark.parametrize("week", [None, "2015-08-29", "2023-09-04"])
def test_report_in_every_format_and_a_dry_run_mail(corpus_config: Path, who: tuple[str, ...],
                                                   week: str | None) -> None:  # fmt: skip
    weeks = ("--week", week) if week else ()
    for fmt in ("text", "json", "markdown", "html"):
        out = run_cli("--config", corpus_config, "--now", NOW, "report", *who, *weeks, "--format", fmt)
        if fmt == "json":
            assert {a["athlete"] for a in json.loads(out.stdout)["athletes"]} >= {"c"}
    mail = run_cli("--config", corpus_config, "--now", NOW, "report", *who, *weeks, "--email", "--dry-run")
    assert "Content-Type: multipart/alternative" in mail.stdout


def test_status_and_athletes_name_the_failing_files(corpus_config: Path) -> None:
    status = json.loads(run_cli("--config", corpus_config, "status", "--format", "json").stdout)
    failing = {Path(f["path"]).name for f in status["athletes"][0]["failing_files"]}
    assert {"nick.fit", "empty-sessions.fit"} <= failing
    run_cli("--config", corpus_config, "athletes")
