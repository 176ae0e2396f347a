"""Strava's push subscription (one per application): create it for a callback URL, show it, delete it.

Strava checks the callback at once (a GET with our verify token, answered by `runsync serve`), so the server must
be reachable at that URL before `runsync strava subscribe` runs. The subscription id is kept in the store: the
server accepts only events that carry it.
"""

from __future__ import annotations

from typing import Any

import requests

from runsync.config import StravaSettings
from runsync.errors import ConfigError, TemporaryError, UsageError
from runsync.sources.strava.oauth import AppCredentials


def _url(settings: StravaSettings, suffix: str = "") -> str:
    return f"{settings.api_url.rstrip('/')}/push_subscriptions{suffix}"


def _call(method: str, url: str, settings: StravaSettings, **kwargs: Any) -> Any:
    try:
        response = requests.request(method, url, timeout=settings.timeout_s, **kwargs)
    except requests.RequestException as exc:
        raise TemporaryError(f"cannot reach Strava's push subscription API: {type(exc).__name__}") from None
    if response.status_code >= 500 or response.status_code == 429:
        raise TemporaryError(f"Strava's push subscription API answered HTTP {response.status_code}; try again later")
    if response.status_code >= 400:
        raise UsageError(f"Strava refused: {_reason(response)}")
    return response.json() if response.content else None


def _reason(response: requests.Response) -> str:
    try:
        data = response.json()
        details = "; ".join(" ".join(str(e.get(k, "")) for k in ("field", "code")).strip()
                            for e in data.get("errors") or [] if isinstance(e, dict))  # fmt: skip
        return f"{data.get('message', 'HTTP ' + str(response.status_code))}" + (f" ({details})" if details else "")
    except (ValueError, AttributeError):
        return f"HTTP {response.status_code}"


def _auth(creds: AppCredentials) -> dict[str, str]:
    return {"client_id": str(creds.client_id), "client_secret": creds.client_secret}


def subscribe(settings: StravaSettings, creds: AppCredentials, callback_url: str) -> int:
    if not settings.verify_token:
        raise ConfigError(f"{settings.origin}: strava.verify_token: not set; choose a random string (the server "
                          "checks Strava's handshake with it)")  # fmt: skip
    if not callback_url.startswith(("https://", "http://")):
        raise UsageError(f"--callback: expected the public https:// URL of runsync serve, got {callback_url!r}")
    data = _call("POST", _url(settings), settings, data={**_auth(creds), "callback_url": callback_url,
                                                         "verify_token": settings.verify_token})  # fmt: skip
    if not isinstance(data, dict) or type(data.get("id")) is not int:
        raise TemporaryError("Strava's answer to the subscription carried no id; try again")
    return data["id"]


def subscriptions(settings: StravaSettings, creds: AppCredentials) -> list[dict[str, Any]]:
    data = _call("GET", _url(settings), settings, params=_auth(creds))
    return [s for s in data or [] if isinstance(s, dict)]


def unsubscribe(settings: StravaSettings, creds: AppCredentials, subscription_id: int) -> None:
    _call("DELETE", _url(settings, f"/{int(subscription_id)}"), settings, params=_auth(creds))
