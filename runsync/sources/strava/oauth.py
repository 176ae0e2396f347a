"""Strava OAuth 2 through stravalib: the authorisation URL, code exchange, refresh with rotation, token storage.

Strava rotates the refresh token on every refresh and invalidates the old one at once, so a refreshed token is
written back to the secrets store before the new access token is used for anything. Tokens live only in the
secrets store (keyring or the opt-in 0600 file): never in the config, the database or a log line.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import requests
from stravalib import Client, exc
from stravalib.protocol import ApiV3

from runsync.config import StravaSettings
from runsync.config.secrets import Secrets, fetch_client_secret
from runsync.errors import AuthError, ConfigError, TemporaryError

SCOPE = "read,activity:read_all"
REFRESH_MARGIN_S = 300  # refresh when fewer than 5 minutes remain
_STRAVA = "https://www.strava.com"


def reauth_hint(athlete: str) -> str:
    return f"run  runsync auth strava {athlete}"


class StravaProtocol(ApiV3):
    """stravalib's transport with every URL rebased on `[strava] api_url` / `oauth_url` (proxies, tests).

    Credentials are never read from the environment here: runsync refreshes tokens itself (see TokenKeeper)."""

    def __init__(self, settings: StravaSettings, session: requests.Session, access_token: str | None = None):
        self.settings = settings
        super().__init__(access_token=access_token, requests_session=session)

    def _check_credentials(self) -> None:  # stravalib would read STRAVA_CLIENT_* and log warnings
        return None

    def resolve_url(self, url: str) -> str:
        oauth = self.settings.oauth_url.rstrip("/")
        if url.startswith(f"{_STRAVA}/oauth/"):
            return oauth + url[len(f"{_STRAVA}/oauth") :]
        if url.startswith("http"):
            return url
        return f"{self.settings.api_url.rstrip('/')}/{url.strip('/')}"


class StravaClient(Client):
    """A stravalib Client built on StravaProtocol (no default rate limiter: runsync keeps its own budget)."""

    def __init__(self, protocol: StravaProtocol) -> None:  # noqa: D107 - Client.__init__ would build ApiV3
        self.log = protocol.log
        self.protocol = protocol


def make_client(settings: StravaSettings, session: requests.Session, access_token: str | None = None) -> StravaClient:
    return StravaClient(StravaProtocol(settings, session, access_token))


@dataclass(frozen=True)
class Token:
    access_token: str
    refresh_token: str
    expires_at: int
    athlete_id: int | None = None
    scope: str | None = None

    def state(self, now: datetime) -> str:
        """ok, or expiring (refreshed on the next sync) — never the token itself."""
        return "expiring" if self.expires_at - now.timestamp() < REFRESH_MARGIN_S else "ok"


def token_key(athlete: str) -> str:
    return f"strava:{athlete}"


def load_token(secrets: Secrets, athlete: str) -> Token | None:
    text = secrets.get(token_key(athlete))
    if not text:
        return None
    try:
        data = json.loads(text)
        return Token(**{k: data.get(k) for k in Token.__dataclass_fields__})
    except (ValueError, TypeError):
        raise AuthError(
            f"the Strava token for {athlete} in the {secrets.where} is unreadable: {reauth_hint(athlete)}"
        ) from None


def save_token(secrets: Secrets, athlete: str, token: Token) -> None:
    secrets.set(token_key(athlete), json.dumps(asdict(token)))


@dataclass(frozen=True)
class AppCredentials:
    client_id: int
    client_secret: str


def ensure_credentials(settings: StravaSettings, secrets: Secrets) -> AppCredentials:
    if not settings.client_id:
        raise ConfigError(
            f"{settings.origin}: strava.client_id: not set; create an API application at"
            " https://www.strava.com/settings/api"
        )
    try:
        client_id = int(settings.client_id)
    except ValueError:
        raise ConfigError(
            f"{settings.origin}: strava.client_id: expected the numeric id, got {settings.client_id!r}"
        ) from None
    secret = fetch_client_secret(secrets)
    if not secret:
        raise AuthError(
            "no Strava client secret: set RUNSYNC_STRAVA_CLIENT_SECRET, or run  runsync auth strava"
            f" ATHLETE  once to keep it in the {secrets.where}"
        )
    return AppCredentials(client_id, secret)


def authorization_url(settings: StravaSettings, client_id: int, redirect_uri: str, state: str) -> str:
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "approval_prompt": "auto",
        "scope": SCOPE,
        "state": state,
    }
    return f"{settings.oauth_url.rstrip('/')}/authorize?{urlencode(params)}"


def _token_from(info: dict[str, Any], athlete_info: Any = None, scope: str | None = None) -> Token:
    """`athlete_info`: stravalib's SummaryAthlete, a dict, or None."""
    athlete_id = athlete_info.get("id") if isinstance(athlete_info, dict) else getattr(athlete_info, "id", None)
    return Token(info["access_token"], info["refresh_token"], int(info["expires_at"]), athlete_id, scope)


def exchange_code(client: StravaClient, creds: AppCredentials, code: str, scope: str | None = None,
                  athlete: str | None = None) -> Token:  # fmt: skip
    """Trade the code from the redirect for the athlete's tokens (stravalib's exchange_code_for_token)."""
    try:
        info, athlete_info = client.exchange_code_for_token(
            creds.client_id, creds.client_secret, code, return_athlete=True
        )
    except exc.Fault as error:
        raise _oauth_error(
            error,
            "Strava refused the authorisation code (it is single-use and expires quickly); "
            "start again with  runsync auth strava ATHLETE",
            athlete,
        ) from None
    except requests.RequestException as error:
        raise TemporaryError(f"cannot reach Strava to exchange the code: {error}") from None
    return _token_from(dict(info), athlete_info, scope)


def _oauth_error(error: exc.Fault, message: str, athlete: str | None = None) -> Exception:
    status = error.response.status_code if error.response is not None else None
    if status == 403:
        from runsync.sources.strava.refusal import refusal

        return refusal(error.response, athlete)
    if status is not None and status >= 500:
        return TemporaryError(f"Strava's token endpoint failed (HTTP {status}); try again later")
    return AuthError(message)


def deauthorize(client: StravaClient, keeper: TokenKeeper, now: datetime) -> str:
    """Tell Strava the athlete disconnects (POST /oauth/deauthorize); what happened, in words. A token Strava no
    longer accepts means the app was disconnected already; a network or server failure raises TemporaryError."""
    try:
        keeper.ensure_fresh(now)
        client.protocol.post(f"{_STRAVA}/oauth/deauthorize", data={"access_token": keeper.token.access_token})
    except AuthError:
        return "Strava no longer accepted the token (already disconnected there)"
    except exc.Fault as error:
        status = error.response.status_code if error.response is not None else None
        if status in (400, 401, 403):
            return "Strava no longer accepted the token (already disconnected there)"
        raise TemporaryError(f"Strava's deauthorisation failed (HTTP {status}); nothing was removed, try again later"
                             ) from None  # fmt: skip
    except requests.RequestException as error:
        raise TemporaryError(f"cannot reach Strava to disconnect: {error}; nothing was removed") from None
    return "Strava was told: runsync is disconnected from the athlete's account"


class TokenKeeper:
    """One athlete's token: fresh before use, refreshed once after a 401, rotation saved before anything else."""

    def __init__(self, client: StravaClient, secrets: Secrets, creds: AppCredentials, athlete: str) -> None:
        self.client, self.secrets, self.creds, self.athlete = client, secrets, creds, athlete
        self.token: Token | None = None
        self.refreshed = False

    def ensure_fresh(self, now: datetime) -> None:
        if self.token is None:
            self.token = load_token(self.secrets, self.athlete)
            if self.token is None:
                raise AuthError(f"no Strava token for {self.athlete}: {reauth_hint(self.athlete)}")
        if self.token.state(now) != "ok" and not self.refreshed:
            self.refresh()  # once a run: a wrong clock must not turn every call into a refresh
        self.client.access_token = self.token.access_token

    def refresh(self) -> None:
        assert self.token is not None
        try:
            info = self.client.refresh_access_token(
                self.creds.client_id, self.creds.client_secret, self.token.refresh_token
            )
        except exc.Fault as error:
            stored = load_token(self.secrets, self.athlete)
            if stored is not None and stored.refresh_token != self.token.refresh_token:
                self.token = stored  # another process refreshed it meanwhile (Strava rotated the refresh token)
                self.client.access_token = stored.access_token
                return
            raise _oauth_error(
                error, f"Strava token for {self.athlete} was revoked: {reauth_hint(self.athlete)}", self.athlete
            ) from None
        except requests.RequestException as error:
            raise TemporaryError(f"cannot reach Strava to refresh {self.athlete}'s token: {error}") from None
        self.refreshed = True
        self.token = _token_from(dict(info), {"id": self.token.athlete_id}, self.token.scope)
        save_token(self.secrets, self.athlete, self.token)  # Strava already invalidated the old refresh token
        self.client.access_token = self.token.access_token
