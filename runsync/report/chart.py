"""The report's chart, as PNG bytes (matplotlib, Agg backend: no display needed): weekly running distance as bars,
and under it fitness, fatigue and form from the training load, day by day over the same weeks."""

from __future__ import annotations

import io

from runsync.errors import missing_module
from runsync.model import METRES
from runsync.report.model import AthleteReport

BAR, CHOSEN, TEXT, GRID = "#b9c7d6", "#1f5f99", "#333333", "#e3e7ec"
FITNESS, FATIGUE, FORM_UP, FORM_DOWN = "#1f5f99", "#b54708", "#067647", "#b42318"


CHARTS_EXTRA = "charts need runsync's charts extra: pip install 'runsync[charts]'"


def available() -> bool:
    """Whether matplotlib is installed (the charts extra): without it the report is sent without charts."""
    return missing_module("charts") is None


def chart_png(athlete: AthleteReport) -> bytes:
    """~640 px wide at 2x density, in the athlete's units; the load panel only when there is a load curve."""
    from matplotlib.figure import Figure  # imported here: matplotlib costs ~0.3 s, only reports need it

    units = athlete.units
    curve = [p for p in athlete.load_curve if p[1] or p[2]]
    panels = 2 if curve else 1
    figure = Figure(figsize=(6.4, 2.2 * panels), dpi=200, layout="constrained")
    axes = figure.subplots(panels, 1, squeeze=False)[:, 0]
    _distance_panel(axes[0], athlete, units)
    if curve:
        _load_panel(axes[1], athlete)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def _style(axes) -> None:  # noqa: ANN001 - matplotlib Axes
    axes.tick_params(axis="both", labelsize=7, colors=TEXT, length=0)
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(GRID)


def _distance_panel(axes, athlete: AthleteReport, units: str) -> None:  # noqa: ANN001
    values = [metres / METRES[units] for _, metres in athlete.chart]
    labels = [f"{day.day} {day:%b}" for day, _ in athlete.chart]
    colours = [BAR] * (len(values) - 1) + [CHOSEN]
    bars = axes.bar(range(len(values)), values, color=colours, width=0.7)
    axes.bar_label(bars, labels=[f"{v:.0f}" if v else "" for v in values], fontsize=7, color=TEXT, padding=2)
    axes.set_xticks(range(len(values)), labels, fontsize=7, color=TEXT)
    axes.set_ylabel(units, fontsize=8, color=TEXT)
    axes.set_ylim(0, max(values + [1.0]) * 1.18)
    _style(axes)
    axes.set_title(f"Weekly running distance, last {len(values)} weeks", fontsize=8, color=TEXT, loc="left")


def _load_panel(axes, athlete: AthleteReport) -> None:  # noqa: ANN001
    days = [p[0] for p in athlete.load_curve]
    fitness, fatigue, form = ([p[i] for p in athlete.load_curve] for i in (1, 2, 3))
    x = range(len(days))
    axes.fill_between(x, form, 0, where=[f >= 0 for f in form], color=FORM_UP, alpha=0.18, linewidth=0)
    axes.fill_between(x, form, 0, where=[f < 0 for f in form], color=FORM_DOWN, alpha=0.18, linewidth=0)
    axes.plot(x, fitness, color=FITNESS, linewidth=1.4, label="fitness")
    axes.plot(x, fatigue, color=FATIGUE, linewidth=1.0, label="fatigue")
    axes.plot(x, form, color=TEXT, linewidth=0.8, linestyle=":", label="form (fitness − fatigue)")
    ticks = list(range(0, len(days), 14))  # every other week start (the curve starts on the chart's first week)
    axes.set_xticks(ticks, [f"{days[i].day} {days[i]:%b}" for i in ticks], fontsize=7, color=TEXT)
    axes.axhline(0, color=GRID, linewidth=0.8)
    _style(axes)
    axes.legend(fontsize=6.5, frameon=False, loc="upper left", ncol=3)
    axes.set_title("Training load: fitness, fatigue and form, day by day", fontsize=8, color=TEXT, loc="left")
