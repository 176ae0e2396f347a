"""`runsync report --email` against a real SMTP server on loopback (aiosmtpd): the demo squad's messages arrive
with both parts and the chart; STARTTLS with a self-signed certificate; a refused login; a server that is down;
a refused recipient; and a hostile activity name that must arrive as text."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from runsync.store import Store
from tests.conftest import run_cli
from tests.smtp_server import Sink, free_port, self_signed, start_server

HOSTILE = "<script>alert(1)</script>"


def point_at(config: Path, port: int, security: str = "none", username: str | None = None) -> None:
    text = config.read_text(encoding="utf-8").replace("port = 8025", f"port = {port}")
    text = text.replace('security = "none"', f'security = "{security}"')
    if username:
        text = text.replace("[email]\n", f'[email]\nusername = "{username}"\n')
    config.write_text(text, encoding="utf-8")


@pytest.fixture
def sink() -> Iterator[Sink]:
    yield Sink()


def sent_rows(config: Path) -> list[tuple]:
    with sqlite3.connect(config.parent / "runsync.db") as conn:
        return conn.execute("SELECT recipient, athlete FROM reports_sent ORDER BY recipient, athlete").fetchall()


def parts(message) -> dict[str, object]:  # noqa: ANN001
    return {part.get_content_type(): part for part in message.walk()}


def test_report_all_email_delivers_one_message_per_recipient_with_text_html_and_chart(squad: Path, sink: Sink) -> None:
    server = start_server(sink)
    try:
        point_at(squad, server.port)
        out = run_cli("--config", squad, "report", "--all", "--email")
    finally:
        server.stop()
    assert out.stdout == "" and out.stderr == ""  # cron: silent on success
    by_recipient = {r.recipients[0]: r.message for r in sink.received}
    assert sorted(by_recipient) == ["coach@example.org", "demo@example.org", "sam@example.org"]
    assert all(len(r.recipients) == 1 for r in sink.received)
    coach = by_recipient["coach@example.org"]
    assert coach["Subject"].startswith("runsync: week of ")
    assert coach["Subject"].endswith("— 1 alert, 2 warnings for the squad (2 athletes)")
    assert by_recipient["demo@example.org"]["Subject"].endswith("— 1 alert, 2 warnings for demo")
    assert by_recipient["sam@example.org"]["Subject"].endswith("— nothing needs attention for sam")
    found = parts(coach)
    assert coach.get_content_type() == "multipart/alternative"
    assert {"text/plain", "multipart/related", "text/html", "image/png"} <= set(found)
    html = found["text/html"].get_content()
    assert 'src="cid:chart-demo@runsync"' in html and 'src="cid:chart-sam@runsync"' in html
    cids = [p["Content-ID"] for p in coach.walk() if p.get_content_type() == "image/png"]
    assert cids == ["<chart-demo@runsync>", "<chart-sam@runsync>"]
    assert found["image/png"].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    text = found["text/plain"].get_content()
    assert text.index("Demo Runner (demo)") < text.index("Sam Steady (sam)")  # who needs attention first
    assert "[alert NEW] 3 hard days in a row" in text
    assert sent_rows(squad) == [("coach@example.org", "demo"), ("coach@example.org", "sam"),
                                ("demo@example.org", "demo"), ("sam@example.org", "sam")]  # fmt: skip


def test_findings_already_mailed_to_a_recipient_are_not_new_the_next_time(squad: Path, sink: Sink) -> None:
    server = start_server(sink)
    try:
        point_at(squad, server.port)
        run_cli("--config", squad, "report", "--athlete", "demo", "--email")
        run_cli("--config", squad, "report", "--athlete", "demo", "--email")
        run_cli("--config", squad, "report", "--athlete", "demo", "--email", "--to", "new-coach@example.org")
    finally:
        server.stop()
    first, second, other = (r.message.get_body(("plain",)).get_content() for r in sink.received)
    assert "[alert NEW]" in first and "[alert NEW]" not in second and "[alert]" in second
    assert "[alert NEW]" in other  # never mailed to this address before


def test_starttls_with_a_self_signed_certificate_and_a_login_from_the_environment(
    squad: Path, sink: Sink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test's certificate (OpenSSL's default paths)
    server = start_server(sink, tls=(cert, key), login=("coach", "s3cret"))
    try:
        point_at(squad, server.port, "starttls", "coach")
        run_cli("--config", squad, "report", "--athlete", "sam", "--email", env={"RUNSYNC_SMTP_PASSWORD": "s3cret"})
    finally:
        server.stop()
    assert [r.recipients for r in sink.received] == [["sam@example.org"]]


def test_a_refused_login_exits_4_naming_server_and_user_and_nothing_is_marked_sent(
    squad: Path, sink: Sink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    server = start_server(sink, tls=(cert, key), login=("coach", "s3cret"))
    try:
        point_at(squad, server.port, "starttls", "coach")
        out = run_cli("--config", squad, "report", "--all", "--email", env={"RUNSYNC_SMTP_PASSWORD": "wrong-pw"},
                      expect=4)  # fmt: skip
    finally:
        server.stop()
    assert f"127.0.0.1:{server.port} refused the login of coach" in out.stderr
    assert "wrong-pw" not in out.stderr + out.stdout
    assert sink.received == [] and sent_rows(squad) == []


def test_a_server_that_is_down_exits_5_naming_host_and_port(squad: Path) -> None:
    port = free_port()
    point_at(squad, port)
    out = run_cli("--config", squad, "report", "--all", "--email", expect=5)
    assert f"cannot reach the SMTP server 127.0.0.1:{port}" in out.stderr
    assert sent_rows(squad) == []


def test_a_refused_recipient_is_named_the_others_are_sent_and_only_they_are_recorded(squad: Path, sink: Sink) -> None:
    sink.refuse = {"sam@example.org"}
    server = start_server(sink)
    try:
        point_at(squad, server.port)
        out = run_cli("--config", squad, "report", "--all", "--email", expect=3)
    finally:
        server.stop()
    assert "refused recipient sam@example.org (550" in out.stderr
    assert sorted(r.recipients[0] for r in sink.received) == ["coach@example.org", "demo@example.org"]
    assert ("sam@example.org", "sam") not in sent_rows(squad)


def test_dry_run_writes_the_eml_and_sends_nothing(squad: Path) -> None:
    out = run_cli("--config", squad, "report", "--athlete", "sam", "--email", "--dry-run")
    assert out.stdout.startswith("Subject: runsync: week of ") or "\nSubject: runsync: week of " in out.stdout
    assert "To: sam@example.org" in out.stdout and "Content-Type: multipart/alternative" in out.stdout
    assert sent_rows(squad) == []


def test_a_hostile_activity_name_arrives_as_text_in_the_html(squad: Path, sink: Sink) -> None:
    weeks = json.loads(run_cli("--config", squad, "report", "--athlete", "sam", "--format", "json").stdout)
    interval = next(f for f in weeks["athletes"][0]["weeks"][-1]["findings"] if f["rule"] == "interval-sessions")
    store = Store.open(squad.parent / "runsync.db")
    with store.transaction():
        store.save_session(store.session(interval["sessions"][0]).replace(name=HOSTILE))
    store.close()
    server = start_server(sink)
    try:
        point_at(squad, server.port)
        run_cli("--config", squad, "report", "--athlete", "sam", "--email", "--week", interval["end"])
    finally:
        server.stop()
    html = sink.received[0].message.get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    markdown = run_cli("--config", squad, "report", "--athlete", "sam", "--week", interval["end"],
                       "--format", "markdown").stdout  # fmt: skip
    assert "\\<script\\>" in markdown and "<script>" not in markdown
