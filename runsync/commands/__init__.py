"""The CLI commands, one module per area (core, auth, audit, report, team).

A command's module is imported only when that command runs or shows its help: `runsync --help` lists every
command from COMMANDS without importing one, so it starts at once. tests/test_meta.py checks that each line here is
the command's own first help line.
"""

from __future__ import annotations

import importlib

import click

# name → (module in runsync.commands, attribute, the command's short help as `runsync --help` lists it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("core", "init", "Write a starter config file."),
    "demo": ("core", "demo", "Write six weeks of sample watch files for a demo squad, sync them, show the sessions "
                             "and audit them."),
    "sync": ("core", "sync_command", "Import new activities from every configured source."),
    "import": ("core", "import_command", "Import activity files (FIT, GPX, TCX, also gzipped), folders of them, or a "
                                         "Strava or Garmin export archive."),
    "sessions": ("core", "sessions", "List sessions by the athlete's local date."),
    "wellness": ("days", "wellness", "List wellness days: resting HR, HRV (rMSSD), sleep, weight, how the athlete "
                                     "felt."),
    "plan": ("days", "plan", "List the planned workouts (intervals.icu's calendar) and the session that did each."),
    "athletes": ("core", "athletes", "List configured athletes, their sources and what is stored."),
    "status": ("core", "status", "Show per athlete and source the last sync, files that still fail, token state, "
                                 "and the writer lock."),
    "auth": ("auth", "auth", "Authorise runsync to read an athlete's data from a service."),
    "audit": ("audit", "audit", "Audit the training: easy days, interval sessions, mileage ramp (and any plugin's "
                                "rules)."),
    "rules": ("audit", "rules", "List the installed rules: id, plugin, enabled, effective config."),
    "log": ("audit", "log", "Log training done without a watch."),
    "reanalyse": ("audit", "reanalyse", "Bring every stored session analysis up to date (or recompute all with "
                                        "--force)."),
    "report": ("report", "report", "The weekly report: distance, time, runs by intensity, strength, intervals, "
                                   "findings (new ones marked)."),
    "worker": ("team", "worker", "Run queued sync jobs: one athlete's one source, or one activity a Strava webhook "
                                 "named."),
    "serve": ("team", "serve", "Serve Strava's webhook (POST/GET /strava/webhook) behind a reverse proxy; events "
                               "become jobs."),
    "service": ("team", "service", "Print systemd units for running runsync as a service, hardened (own user, "
                                   "read-only system)."),
    "strava": ("team", "strava", "Strava's push subscription (webhooks) for this application."),
}  # fmt: skip


class LazyCommands(click.Group):
    """A group whose commands load on first use (click's documented lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute, _ = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"runsync.commands.{module}"), attribute)
            add_verbosity_options(command)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][2]) for name in self.list_commands(ctx)])


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: int | bool) -> None:
    if value:  # ctx.meta is shared by the whole command chain: `runsync sync -q` == `runsync -q sync`
        ctx.meta["verbose"] = -1 if param.name == "quiet" else value


def add_verbosity_options(command: click.Command) -> None:
    """Accept -v/-q after the command name too, as cron lines and habits write them."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_verbosity_options(sub)
        return
    command.params += [
        click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_set_verbosity,
                     help="Say what was done."),
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set_verbosity,
                     help="Print nothing but errors."),
    ]  # fmt: skip
