"""The weekly distance chart: a small bar chart as PNG bytes (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import io

from runsync.report.model import AthleteReport
from runsync.report.render import METRES

BAR, CHOSEN, TEXT, GRID = "#b9c7d6", "#1f5f99", "#333333", "#e3e7ec"


def chart_png(athlete: AthleteReport, units: str) -> bytes:
    """Weekly running distance over the chart span, the chosen week highlighted; ~640 × 220 px at 2× density."""
    from matplotlib.figure import Figure  # imported here: matplotlib costs ~0.3 s, only reports need it

    figure = Figure(figsize=(6.4, 2.2), dpi=200)
    axes = figure.add_subplot()
    values = [metres / METRES[units] for _, metres in athlete.chart]
    labels = [f"{day.day} {day:%b}" for day, _ in athlete.chart]
    colours = [BAR] * (len(values) - 1) + [CHOSEN]
    bars = axes.bar(range(len(values)), values, color=colours, width=0.7)
    axes.bar_label(bars, labels=[f"{v:.0f}" if v else "" for v in values], fontsize=7, color=TEXT, padding=2)
    axes.set_xticks(range(len(values)), labels, fontsize=7, color=TEXT)
    axes.tick_params(axis="y", labelsize=7, colors=TEXT, length=0)
    axes.set_ylabel(units, fontsize=8, color=TEXT)
    axes.set_ylim(0, max(values + [1.0]) * 1.18)
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(GRID)
    axes.set_title(f"Weekly running distance, last {len(values)} weeks", fontsize=8, color=TEXT, loc="left")
    figure.tight_layout(pad=0.4)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()
