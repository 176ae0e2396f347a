"""Findings as text (a coach's note: one line per finding), markdown, and the JSON contract of DESIGN.md."""

from __future__ import annotations

import json
from collections.abc import Iterable

from runsync.model import Finding, finding_to_dict

JSON_VERSION = 1
MARK = {"info": "·", "warning": "!", "alert": "!!"}


def findings_json(findings: Iterable[Finding]) -> str:
    return json.dumps({"version": JSON_VERSION, "findings": [finding_to_dict(f) for f in findings]}, indent=2)


def _dates(finding: Finding) -> str:
    if finding.start == finding.end:
        return f"{finding.start:%a %d %b %Y}"
    return f"{finding.start:%d %b} – {finding.end:%d %b %Y}"


def _sessions(finding: Finding) -> str:
    return ", ".join(finding.sessions)


def findings_text(findings: list[Finding], new_keys: set[str] | frozenset[str] = frozenset()) -> str:
    """One line per finding: athlete, dates, severity, title, the message with its numbers, the sessions."""
    if not findings:
        return "No findings: the training follows the rules audited."
    lines = []
    for f in findings:
        new = " (new)" if f.key in new_keys else ""
        lines.append(f"{f.athlete}  {_dates(f)}  {f.severity.upper()}{new}: {f.title}. {f.message}"
                     f" [based on {', '.join(f.basis)}; sessions {_sessions(f)}]")  # fmt: skip
    return "\n".join(lines)


def findings_markdown(findings: list[Finding], new_keys: set[str] | frozenset[str] = frozenset()) -> str:
    if not findings:
        return "_No findings._"
    out: list[str] = []
    for athlete in dict.fromkeys(f.athlete for f in findings):
        out.append(f"## {athlete}\n")
        for f in (f for f in findings if f.athlete == athlete):
            new = " **new**" if f.key in new_keys else ""
            out.append(f"- **{f.severity}**{new} · {_dates(f)} · `{f.rule}` — **{f.title}**. {f.message} "
                       f"_(based on {', '.join(f.basis)}; sessions {_sessions(f)})_")  # fmt: skip
        out.append("")
    return "\n".join(out).rstrip() + "\n"


RENDERERS = {"text": findings_text, "markdown": findings_markdown}
