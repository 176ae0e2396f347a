"""Team commands: worker (runs queued sync jobs), serve (Strava's webhook), strava (the push subscription)."""

from __future__ import annotations

from pathlib import Path

import click

from runsync.app import App
from runsync.commands._common import echo_verbose, end_with, needs_app
from runsync.errors import ConfigError, ExitStatus, UsageError


@click.command()
@click.option("--burst", is_flag=True, help="Exit when no job is ready (cron, tests) instead of waiting for more.")
@click.option("--athlete", "athletes", multiple=True, help="Only this athlete's jobs (repeatable).")
@click.option("--max-jobs", type=click.IntRange(min=1), help="Exit after this many jobs.")
@click.option("--poll", "poll_s", type=click.FloatRange(min=0.1, max=3600), default=2.0, show_default=True,
              help="Seconds between looks at an empty queue.")  # fmt: skip
@click.option("--schedule", is_flag=True, help="Also enqueue what [schedule] says is due: each athlete's nightly "
              "sync and weekly mail at their local time (several workers may: each run is queued once).")  # fmt: skip
@needs_app
def worker(app: App, burst: bool, athletes: tuple[str, ...], max_jobs: int | None, poll_s: float,
           schedule: bool) -> None:  # fmt: skip
    """Run queued sync jobs: one athlete's one source, or one activity a Strava webhook named.

    Run as many as you like, on any machine that reaches the database (and the watch folders, for file jobs).
    SIGTERM finishes the job in hand, then stops. A job whose worker died is taken over. The database out of reach:
    the worker waits and goes on when it is back (--burst: exits 5).

    \b
    Examples:
      runsync worker --schedule      # under systemd: waits for jobs, runs the schedule
      runsync worker --burst -q      # from cron: runs what is queued, then exits
    """
    from runsync.sync.worker import work

    for athlete_id in athletes:
        app.config.athlete(athlete_id)

    def tell(outcome) -> None:  # noqa: ANN001 - runsync.sync.worker.Outcome
        line = f"{outcome.job.label}: {outcome.status}" + (f": {outcome.message}" if outcome.message else "")
        if outcome.status == "failed" or outcome.exit_status == ExitStatus.TEMPORARY:
            click.echo(f"runsync: {line}", err=True)  # a failure, or queued again for later: a rate limit, a 5xx
        else:
            echo_verbose(app, line)

    if schedule and not app.config.schedule.enabled:
        raise ConfigError(f"{app.config.schedule.origin}: [schedule]: nothing scheduled; set sync_at and/or report_at "
                          '(e.g. sync_at = "03:00", report_at = "07:00")')  # fmt: skip

    def outage(why: str | None) -> None:
        click.echo(f"runsync: {why}; waiting for the database" if why else "runsync: the database is back", err=True)

    run = work(app, burst=burst, athletes=athletes or None, poll_s=poll_s, max_jobs=max_jobs, on_outcome=tell,
               schedule=schedule, on_outage=outage)  # fmt: skip
    for job in run.recovered:
        click.echo(f"runsync: {job.label}: its worker died; queued again", err=True)
    echo_verbose(app, run.summary())
    end_with(run.exit_status())


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (a reverse proxy's "
              "upstream; 0.0.0.0 only without a proxy).")  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@click.option("--forwarded-allow-ips", help="The reverse proxy's address(es), comma-separated: trust its "
              "X-Forwarded-For for the client address (rate limits are per client).")  # fmt: skip
@needs_app
def serve(app: App, host: str, port: int, forwarded_allow_ips: str | None) -> None:
    """Serve Strava's webhook (POST/GET /strava/webhook) behind a reverse proxy; events become jobs.

    Needs [strava] verify_token in the config; then create the subscription with `runsync strava subscribe`.
    Also GET /healthz (JSON; 503 when the database is out of reach: the webhook then answers 503 too, and Strava
    retries) and GET /metrics (Prometheus' text format). The database going away and coming back is taken in stride.

    \b
    Example:
      runsync serve --port 8080 --forwarded-allow-ips 127.0.0.1
    """
    from runsync.errors import ConfigError, require_extra

    require_extra("server", "runsync serve")
    from runsync.web.app import serve as run_server

    settings = app.config.strava
    if not settings.verify_token:
        raise ConfigError(f"{settings.origin}: strava.verify_token: not set; choose a random string (Strava's "
                          "subscription handshake is checked with it)")  # fmt: skip
    store = app.store
    from runsync.sync.worker import Clock

    run_server(store, app.config, host=host, port=port, forwarded_allow_ips=forwarded_allow_ips,
               ready=lambda url: click.echo(f"runsync: listening on {url}", err=True),
               clock=Clock(app.now))  # fmt: skip


@click.group()
def strava() -> None:
    """Strava's push subscription (webhooks) for this application.

    \b
    Example:
      runsync strava subscribe --callback https://runsync.example.org/strava/webhook
    """


def _creds(app: App):  # noqa: ANN202 - runsync.sources.strava.oauth.AppCredentials
    from runsync.sources.strava.oauth import ensure_credentials

    return ensure_credentials(app.config.strava, app.secrets)


@strava.command()
@click.option("--callback", required=True, help="The public https:// URL that reaches `runsync serve`'s "
              "/strava/webhook.")  # fmt: skip
@needs_app
def subscribe(app: App, callback: str) -> None:
    """Create the subscription (Strava checks the callback at once: `runsync serve` must answer there).

    \b
    Example:
      runsync strava subscribe --callback https://runsync.example.org/strava/webhook
    """
    from runsync.sources.strava.events import SUBSCRIPTION_ID
    from runsync.sources.strava.subscription import subscribe as create
    from runsync.sources.strava.sync import APP_WIDE, SOURCE

    subscription_id = create(app.config.strava, _creds(app), callback)
    with app.store.transaction():
        app.store.save_state(APP_WIDE, SOURCE, SUBSCRIPTION_ID, subscription_id)
    click.echo(f"subscribed: Strava subscription {subscription_id} posts to {callback}", err=True)


@strava.command(name="subscription")
@needs_app
def show_subscription(app: App) -> None:
    """Show the application's subscription as Strava has it (and the id the server accepts).

    \b
    Example:
      runsync strava subscription
    """
    from runsync.sources.strava.events import SUBSCRIPTION_ID
    from runsync.sources.strava.subscription import subscriptions
    from runsync.sources.strava.sync import APP_WIDE, SOURCE

    ours = app.store.state(APP_WIDE, SOURCE, SUBSCRIPTION_ID)
    found = subscriptions(app.config.strava, _creds(app))
    for sub in found:
        mark = " (accepted by runsync serve)" if sub.get("id") == ours else " (not the one runsync accepts)"
        click.echo(f"{sub.get('id')}\t{sub.get('callback_url')}\tcreated {sub.get('created_at')}{mark}")
    if not found:
        click.echo("no subscription: create one with  runsync strava subscribe --callback URL", err=True)


@strava.command()
@needs_app
def unsubscribe(app: App) -> None:
    """Delete the application's subscription: Strava stops posting events (nightly sync still polls).

    \b
    Example:
      runsync strava unsubscribe
    """
    from runsync.sources.strava.events import SUBSCRIPTION_ID
    from runsync.sources.strava.subscription import subscriptions
    from runsync.sources.strava.subscription import unsubscribe as delete
    from runsync.sources.strava.sync import APP_WIDE, SOURCE

    creds = _creds(app)
    found = subscriptions(app.config.strava, creds)
    if not found:
        raise UsageError("no subscription to delete")
    for sub in found:
        delete(app.config.strava, creds, int(sub["id"]))
        click.echo(f"deleted Strava subscription {sub['id']}", err=True)
    with app.store.transaction():
        app.store.save_state(APP_WIDE, SOURCE, SUBSCRIPTION_ID, None)


@click.command()
@click.option("--print", "print_", is_flag=True, required=True, help="Print the units (to stdout, or --write them).")
@click.option("--units", "which", type=click.Choice(["all", "team", "timer"]), default="all", show_default=True,
              help="team: worker@ and serve (PostgreSQL, a club); timer: nightly sync and Monday mail (one machine).")
@click.option("--user", default="runsync", show_default=True, help="The system user the units run as.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True, help="runsync serve's port.")
@click.option("--write", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Write each unit into this folder (e.g. /etc/systemd/system) instead of printing them.")
@needs_app
def service(app: App, print_: bool, which: str, user: str, port: int, folder: Path | None) -> None:
    """Print systemd units for running runsync as a service, hardened (own user, read-only system).

    \b
    Example:
      runsync service --print --units team --write /etc/systemd/system
      systemctl enable --now runsync-worker@1 runsync-worker@2 runsync-serve
    """
    from runsync.service.units import UnitSettings, render_units

    if app.config.path is None:
        raise UsageError("runsync service --print needs a config file (--config PATH): the units name it")
    units = render_units(app.config, UnitSettings(config=app.config.path, user=user, port=port), which)
    if folder is None:
        click.echo("\n".join(f"# {name}\n{text}" for name, text in units.items()).rstrip())
        return
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in units.items():
        (folder / name).write_text(text, encoding="utf-8")
        click.echo(f"wrote {folder / name}", err=True)


COMMANDS = (worker, serve, strava, service)
