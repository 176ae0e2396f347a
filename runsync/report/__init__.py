"""The weekly report: one Report value (build.py) rendered as text, markdown, json (render.py) or html (html.py).

The names below are loaded on first use, so `audit` (which only needs report.findings) does not pay for jinja2 and
the report builder at start-up."""

from __future__ import annotations

from typing import Any

from runsync import lazy_exports

_WHERE = {
    "CHART_WEEKS": "build", "DEFAULT_WEEKS": "build", "build_report": "build", "last_complete_week": "build",
    "chart_cid": "html", "charts": "html", "to_html": "html", "to_html_file": "html",
    "AthleteReport": "model", "Report": "model", "ReportFinding": "model",
    "WeekSummary": "model", "subject": "model",
    "to_json": "render", "to_markdown": "render", "to_text": "render",
}  # fmt: skip

__all__ = ["RENDERERS", *sorted(_WHERE)]
_exported = lazy_exports(__name__, _WHERE)


def __getattr__(name: str) -> Any:
    if name == "RENDERERS":
        from runsync.report.html import to_html_file
        from runsync.report.render import to_json, to_markdown, to_text

        return {"text": to_text, "markdown": to_markdown, "json": to_json, "html": to_html_file}
    return _exported(name)
