"""The weekly report: one Report value (build.py) rendered as text, markdown, json (render.py) or html (html.py)."""

from runsync.report.build import CHART_WEEKS, DEFAULT_WEEKS, build_report, last_complete_week
from runsync.report.html import chart_cid, charts, to_html, to_html_file
from runsync.report.model import AthleteReport, IntervalLine, Report, ReportFinding, WeekSummary, subject
from runsync.report.render import to_json, to_markdown, to_text

RENDERERS = {"text": to_text, "markdown": to_markdown, "json": to_json, "html": to_html_file}

__all__ = [
    "CHART_WEEKS",
    "DEFAULT_WEEKS",
    "RENDERERS",
    "AthleteReport",
    "IntervalLine",
    "Report",
    "ReportFinding",
    "WeekSummary",
    "build_report",
    "chart_cid",
    "charts",
    "last_complete_week",
    "subject",
    "to_html",
    "to_html_file",
    "to_json",
    "to_markdown",
    "to_text",
]
