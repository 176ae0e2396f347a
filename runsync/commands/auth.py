"""Authorisation commands: `runsync auth strava ATHLETE [--code CODE]`, `runsync auth garmin ATHLETE`, `runsync auth
intervals ATHLETE|--coach`, `runsync auth database`."""

from __future__ import annotations

import secrets as random_tokens
import sys
from typing import TYPE_CHECKING

import click

from runsync.app import App
from runsync.commands._common import needs_app
from runsync.config import Athlete, StravaSettings
from runsync.config.secrets import CLIENT_SECRET_KEY, Secrets, fetch_client_secret

if TYPE_CHECKING:  # stravalib (~0.4 s to import) loads only when `auth` runs, not for every command
    from runsync.sources.strava import oauth


@click.group()
def auth() -> None:
    """Authorise runsync to read an athlete's data from a service.

    \b
    Example:
      runsync auth strava ana
    """


def ensure_client_secret(settings: StravaSettings, secrets: Secrets) -> oauth.AppCredentials:
    """The app's credentials; asks once for the client secret and keeps it in the secrets store."""
    from runsync.sources.strava import oauth

    if not fetch_client_secret(secrets):
        secret = click.prompt(
            "Strava client secret (from https://www.strava.com/settings/api)", hide_input=True, err=True
        ).strip()
        secrets.set(CLIENT_SECRET_KEY, secret)
    return oauth.ensure_credentials(settings, secrets)


def fetch_code(settings: StravaSettings, creds: oauth.AppCredentials) -> tuple[str, str | None, str]:
    """Serve the redirect on the loopback port, print the URL to open, wait for the browser to come back."""
    from runsync.sources.strava import oauth
    from runsync.sources.strava.loopback import RedirectCatcher

    catcher = RedirectCatcher(settings.redirect_port, random_tokens.token_urlsafe(16))
    url = oauth.authorization_url(settings, creds.client_id, catcher.redirect_uri, catcher.state)
    click.echo("Open this URL in a browser, log in as the athlete and press Authorize:", err=True)
    click.echo(url)
    click.echo(
        "(on a machine without a browser: open it elsewhere, then paste the `code` from the address it"
        " lands on into  runsync auth strava ATHLETE --code CODE)",
        err=True,
    )
    code, scope = catcher.wait()
    return code, scope, catcher.redirect_uri


@auth.command(name="strava")
@click.argument("athlete_id", metavar="ATHLETE")
@click.option("--code", help="The code from the redirect URL (headless machines: no loopback server).")
@click.option("--revoke", is_flag=True, help="Disconnect: tell Strava, delete the tokens and the Strava-only data.")
@click.option("--dry-run", is_flag=True, help="With --revoke: list what would be removed, change nothing.")
@needs_app
def strava(app: App, athlete_id: str, code: str | None, revoke: bool, dry_run: bool) -> None:
    """Authorise Strava for ATHLETE (scope activity:read_all) and keep the tokens in the secrets store; or, with
    --revoke, disconnect: Strava's deauthorisation endpoint is called, the tokens are deleted, and the sessions whose
    only source is Strava are removed with every Strava id (watch, Garmin and archive copies stay).

    \b
    Example:
      runsync auth strava ana
      runsync auth strava ana --code 3f1c0e...   # pasted from the redirect URL
      runsync auth strava ana --revoke --dry-run  # what disconnecting would remove
    """
    from runsync.sources.strava import oauth
    from runsync.sources.strava.client import RateBudget, budgeted_session
    from runsync.sources.strava.sync import OWNER_ID, REFUSED, SOURCE

    athlete = app.config.athlete(athlete_id)
    if dry_run and not revoke:
        raise click.UsageError("--dry-run goes with --revoke")
    if revoke:
        return revoke_strava(app, athlete, dry_run=dry_run)
    secrets, settings = app.secrets, app.config.strava
    creds = ensure_client_secret(settings, secrets)
    scope = None
    if code is None:
        code, scope, _ = fetch_code(settings, creds)
    client = oauth.make_client(settings, budgeted_session(RateBudget(), settings.timeout_s))
    token = oauth.exchange_code(client, creds, code, scope, athlete.id)
    oauth.save_token(secrets, athlete.id, token)
    with app.store.transaction():
        app.store.save_state(athlete.id, SOURCE, "auth_error", None)
        app.store.save_state(athlete.id, SOURCE, REFUSED, None)
        if token.athlete_id:
            app.store.save_state(athlete.id, SOURCE, OWNER_ID, token.athlete_id)
    if app.verbose >= 0:  # a person ran this by hand: confirm it (cron never runs auth)
        click.echo(f"Strava authorised for {athlete.id}; tokens kept in the {secrets.where}", err=True)
    if not athlete.strava:
        click.echo(
            f"note: athletes.{athlete.id}.strava is not true in the config, so sync will not use Strava", err=True
        )


def revoke_strava(app: App, athlete: Athlete, *, dry_run: bool) -> None:
    """`runsync auth strava ATHLETE --revoke [--dry-run]`: what is removed goes to stdout, what happened to stderr."""
    from runsync.sources.strava import oauth
    from runsync.sources.strava.client import RateBudget, budgeted_session
    from runsync.sources.strava.revoke import plan_removal, remove_strava_data

    if dry_run:
        click.echo("\n".join(plan_removal(app.store, athlete.id).lines(planned=True)))
        click.echo("dry run: nothing was changed", err=True)
        return
    secrets, settings = app.secrets, app.config.strava
    if oauth.load_token(secrets, athlete.id) is None:
        told = "no Strava token was stored, so Strava was not told (disconnect at https://www.strava.com/settings/apps)"
    else:
        creds = ensure_client_secret(settings, secrets)
        with budgeted_session(RateBudget(), settings.timeout_s) as session:
            client = oauth.make_client(settings, session)
            told = oauth.deauthorize(client, oauth.TokenKeeper(client, secrets, creds, athlete.id), app.now)
    secrets.delete(oauth.token_key(athlete.id))
    removal = remove_strava_data(app.store, athlete.id, now=app.now, why="runsync auth strava --revoke")
    with app.store.transaction():
        app.store.save_state(athlete.id, "strava", "auth_error", f"disconnected from Strava ({app.now:%Y-%m-%d})")
    click.echo("\n".join(removal.lines()))
    click.echo(f"{athlete.id}: {told}; tokens deleted from the {secrets.where}", err=True)


@auth.command(name="garmin")
@click.argument("athlete_id", metavar="ATHLETE")
@click.option("--email", help="The Garmin account's email (asked for when not given).")
@click.option("--mfa-code", help="The MFA code, when the account asks for one (scripts; else it is asked for).")
@needs_app
def garmin(app: App, athlete_id: str, email: str | None, mfa_code: str | None) -> None:
    """Log in to Garmin Connect for ATHLETE and keep only the library's tokens in the secrets store.

    The password is asked for and never stored. Garmin may change its login at any time; when the tokens stop
    working, sync exits 4 and says to run this again.

    \b
    Example:
      runsync auth garmin ana
      runsync auth garmin ana --email ana@example.org --mfa-code 123456
    """
    from runsync.errors import require_extra
    from runsync.sources.garmin.client import SECRET_KEY, login

    require_extra("garmin", "runsync auth garmin")  # checked before asking for anything, as the keyring is
    athlete = app.config.athlete(athlete_id)
    secrets = app.secrets  # checked before asking for anything: no keyring, no login
    email = email or click.prompt("Garmin Connect email", err=True).strip()
    password = click.prompt("Garmin Connect password (never stored)", hide_input=True, err=True)
    tokens = login(app.config.garmin, email, password, mfa_code=mfa_code,
                   prompt_mfa=lambda: click.prompt("Garmin MFA code (sent by Garmin)", err=True).strip())  # fmt: skip
    secrets.set(SECRET_KEY.format(athlete=athlete.id), tokens)
    with app.store.transaction():
        app.store.save_state(athlete.id, "garmin", "auth_error", None)
    if app.verbose >= 0:
        click.echo(f"Garmin Connect authorised for {athlete.id}; tokens kept in the {secrets.where}", err=True)
    if not athlete.garmin:
        click.echo(f"note: athletes.{athlete.id}.garmin is not true in the config, so sync will not use Garmin",
                   err=True)  # fmt: skip


@auth.command(name="intervals")
@click.argument("athlete_id", metavar="ATHLETE", required=False)
@click.option("--coach", is_flag=True, help="A coach's key: it serves every athlete who shares with the coach.")
@click.option("--key-stdin", is_flag=True, help="Read the API key from standard input (scripts).")
@needs_app
def intervals(app: App, athlete_id: str | None, coach: bool, key_stdin: bool) -> None:
    """Keep ATHLETE's intervals.icu API key (Settings → Developer Settings on intervals.icu) in the secrets store,
    after checking it reads the athlete set as athletes.ATHLETE.intervals; never in the config, the database or a log.

    With --coach, one key for the squad: a coach's key reads every athlete who shares their data with the coach
    (each athlete's own key, when stored, wins). The key is checked against every athlete with `intervals` set.

    \b
    Example:
      runsync auth intervals ana
      runsync auth intervals --coach
      printf '%s' "$KEY" | runsync auth intervals ana --key-stdin
    """
    from runsync.errors import AuthError
    from runsync.sources.intervals.client import COACH_KEY, SECRET_KEY, IntervalsApi

    if coach == (athlete_id is not None):
        raise click.UsageError("name one ATHLETE, or give --coach for a coach's key")
    athletes = ([app.config.athlete(athlete_id)] if athlete_id else
                [a for a in app.config.athletes.values() if a.intervals is not None])  # fmt: skip
    secrets = app.secrets  # checked before asking for anything
    if key_stdin:
        key = sys.stdin.read().strip()
    else:
        key = click.prompt("intervals.icu API key (kept in the secrets store)", hide_input=True, err=True).strip()
    if not key:
        raise click.UsageError("no API key given")
    for athlete in athletes or [None]:
        who = athlete.id if athlete else "coach"
        api = IntervalsApi(app.config.intervals, key, who, (athlete.intervals if athlete else None) or "0")
        try:
            api.profile()  # a refused key (401) or athlete (403) is reported, not stored
        except AuthError as error:
            raise AuthError(str(error).split("; ")[0] + ": the key was not stored") from None
        finally:
            api.close()
    secrets.set(COACH_KEY if coach else SECRET_KEY.format(athlete=athlete_id), key)
    with app.store.transaction():
        for athlete in athletes:
            app.store.save_state(athlete.id, "intervals", "auth_error", None)
    if app.verbose >= 0:
        whom = f"{len(athletes)} athletes (coach's key)" if coach else athlete_id
        click.echo(f"intervals.icu authorised for {whom}; the key is kept in the {secrets.where}", err=True)
    for athlete in athletes:
        if athlete.intervals is None:
            click.echo(f"note: athletes.{athlete.id}.intervals is not set in the config, so sync will not use "
                       "intervals.icu", err=True)  # fmt: skip


@auth.command(name="database")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (scripts).")
@click.pass_context
def database(ctx: click.Context, password_stdin: bool) -> None:
    """Keep the PostgreSQL password for [storage] url in the secrets store (never in the config).

    libpq's own means work too and are tried first: ~/.pgpass or PGPASSFILE, PGPASSWORD, peer or certificate login.

    
    Example:
      runsync auth database
      printf '%s' "$PW" | runsync auth database --password-stdin
    """
    from runsync.commands._common import app_of
    from runsync.config.secrets import database_key
    from runsync.errors import ConfigError, require_extra
    from runsync.store import Store

    require_extra("postgres", "runsync auth database")
    from runsync.store.postgres import with_password

    app: App = app_of(ctx)
    url = app.config.database_url
    if not url:
        raise ConfigError(f"{app.config.path or 'config'}: storage.url: not set (the SQLite store needs no password)")
    secrets = app.secrets
    if password_stdin:
        password = sys.stdin.read().rstrip("\n")
    else:
        password = click.prompt("PostgreSQL password (kept in the secrets store)", hide_input=True, err=True)
    Store.open(with_password(url, password)).close()  # refused logins are reported, not stored
    secrets.set(database_key(url), password)
    if app.verbose >= 0:
        click.echo(f"password for {database_key(url).split(':', 1)[1]} kept in the {secrets.where}", err=True)


COMMANDS = (auth,)
