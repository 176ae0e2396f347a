"""Findings as text (a coach's note: most severe first, wrapped to the terminal), markdown, and the JSON contract of
DESIGN.md."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from runsync.model import Finding, finding_to_dict
from runsync.report.export import rich_text

if TYPE_CHECKING:
    from rich.console import Console

JSON_VERSION = 1


def findings_json(findings: Iterable[Finding]) -> str:
    return json.dumps({"version": JSON_VERSION, "findings": [finding_to_dict(f) for f in findings]}, indent=2)


def _dates(finding: Finding) -> str:
    if finding.start == finding.end:
        return f"{finding.start:%a %d %b %Y}"
    return f"{finding.start:%d %b} – {finding.end:%d %b %Y}"


def _sessions(finding: Finding) -> str:
    return ", ".join(finding.sessions)


ORDER = {"alert": 0, "warning": 1, "info": 2}
STYLES = {"alert": "bold red", "warning": "bold yellow", "info": "dim"}
TEXT_WIDTH = 100  # when the output is not a terminal (cron mail, a file): lines wrap here


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Alerts first, then warnings, then information; within each, by athlete and date."""
    return sorted(findings, key=lambda f: (ORDER.get(f.severity, 3), f.athlete, f.start, f.end, f.title))


def grouped(findings: list[Finding]) -> list[list[Finding]]:
    """Each finding alone, except information with the same athlete, rule and title: one group (six identical
    '5 × 1000 m, rest 120 s, pace held' notes are one line that says when)."""
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for f in ordered(findings):
        key = (f.athlete, f.rule, f.title) if f.severity == "info" else (f.key,)
        groups.setdefault(key, []).append(f)
    return list(groups.values())


def findings_text(findings: list[Finding], new_keys: set[str] | frozenset[str] = frozenset(), *,
                  width: int | None = None, colour: bool = False) -> str:  # fmt: skip
    """Most severe first, each finding a heading line and its message wrapped to `width` (the terminal's, when
    there is one), coloured by severity only when `colour` (a terminal); repeated information grouped."""
    if not findings:
        return "No findings: the training follows the rules audited."
    return rich_text(lambda console: _draw_findings(console, findings, new_keys), width or TEXT_WIDTH, colour)


def _draw_findings(console: Console, findings: list[Finding], new_keys: set[str] | frozenset[str]) -> None:
    from rich.padding import Padding
    from rich.text import Text

    for group in grouped(findings):
        first = group[0]
        head = Text()
        head.append(f"{first.severity.upper():<8}", style=STYLES.get(first.severity, ""))
        head.append(f"{first.athlete}  ")
        if len(group) == 1:
            head.append(f"{_dates(first)}  ")
            head.append(first.title, style="bold")
            if first.key in new_keys:
                head.append("  (new)", style="cyan")
        else:
            head.append(first.title, style="bold")
            head.append(f"  ({len(group)} times)")
            if any(f.key in new_keys for f in group):
                head.append(f"  ({sum(f.key in new_keys for f in group)} new)", style="cyan")
        console.print(head, overflow="fold")
        if len(group) == 1:
            body = Text(f"{first.message} [based on {', '.join(first.basis)}; sessions {_sessions(first)}]")
        else:
            body = Text("on " + ", ".join(f"{f.start:%a %d %b}" + (f" ({_sessions(f)})" if f.sessions else "")
                                          for f in group))  # fmt: skip
        console.print(Padding(body, (0, 0, 0, 8)), overflow="fold", style="dim" if first.severity == "info" else "")


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
