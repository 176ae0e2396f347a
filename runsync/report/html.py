"""The Report as HTML for mail clients: Jinja2 with autoescape (activity names come from users), inline CSS,
no scripts; each chart's `src` is given by the caller: `cid:...` in a mail, a data: URI in a saved file."""

from __future__ import annotations

import base64
from collections.abc import Mapping

import jinja2

from runsync.report import render
from runsync.report.chart import CHARTS_EXTRA, available, chart_png
from runsync.report.model import Report, subject

SEVERITY_COLOURS = {"alert": "#b42318", "warning": "#b54708", "info": "#475467"}
ZONE_COLOURS = ("#98a2b3", "#32d583", "#fdb022", "#f97066", "#b42318")  # zones 1-5


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("runsync", "templates"),
        autoescape=True,  # every template here is HTML
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["distance"] = render.distance
    env.filters["duration"] = render.duration
    return env


def chart_cid(athlete_id: str) -> str:
    """The Content-ID (without <>) of an athlete's chart in a mail."""
    return f"chart-{athlete_id}@runsync"


def to_html(report: Report, chart_src: Mapping[str, str]) -> str:
    """`chart_src`: athlete id → the img src of their chart (an athlete missing from it gets no chart)."""
    athletes = report.by_attention() if report.squad else list(report.athletes)
    return (
        _environment()
        .get_template("report.html")
        .render(
            report=report,
            athletes=athletes,
            subject=subject(report),
            units=report.units,
            zone_colours=ZONE_COLOURS,
            chart_src=chart_src,
            charts_note=None if available() else CHARTS_EXTRA,
            colours=SEVERITY_COLOURS,
            render=render,
        )
    )


def charts(report: Report) -> dict[str, bytes]:
    """athlete id → chart PNG; none without the charts extra (the report says so)."""
    return {a.athlete: chart_png(a) for a in report.athletes if not a.note} if available() else {}


def to_html_file(report: Report) -> str:
    """A standalone HTML file: the charts inline as data: URIs."""
    sources = {aid: "data:image/png;base64," + base64.b64encode(png).decode() for aid, png in charts(report).items()}
    return to_html(report, sources)
