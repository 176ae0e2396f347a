"""long-run-share: one run carries more than half of a week's running distance."""

from runsync import Rule, hookimpl
from runsync.rules import ReportSection, SectionLine
from runsync.training import week_start_of


class LongRunShare(Rule):
    id = "long-run-share"
    description = "One run carries more than half of the week's running distance"
    defaults = {"max_share": 0.5}

    def check(self, ctx):
        for week, totals in ctx.weeks.iterrows():
            runs = [s for s in ctx.session_list if s.is_run and week_start_of(s.local_date, ctx.week_start) == week]
            longest = max(runs, key=lambda s: s.distance_m or 0, default=None)
            if not longest or not totals["distance_m"]:
                continue
            share = longest.distance_m / totals["distance_m"]
            if share > ctx.config["max_share"]:
                yield self.finding(
                    ctx,
                    "info",
                    [longest],
                    start=week,
                    end=week,
                    title=f"One run is {share:.0%} of the week",
                    message=f"{longest.distance_m / 1000:.1f} of {totals['distance_m'] / 1000:.1f} km in one run.",
                    basis=("distance",),
                    metrics={"share": round(share, 2)},
                )

    def report_section(self, ctx, week, findings):
        """The weekly report gets a "Long runs" section from this rule's findings of that week."""
        lines = tuple(SectionLine(f.start, f.title, f.severity) for f in findings)
        return ReportSection(self.id, "Long runs", lines, covers_info=True) if lines else None


@hookimpl
def register_rules():
    return [LongRunShare]
