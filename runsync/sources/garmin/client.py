"""Garmin Connect through the maintained garminconnect library (it logs in the way Garmin's mobile app does, and
refreshes its tokens); runsync never implements Garmin's login. This module is the only one that imports it.

What is kept: only the library's tokens (`Client.dumps()`), in the secrets store under `garmin:<athlete>`; the
password is asked for once by `runsync auth garmin` and never stored. Tokens the library refreshed during a sync are
saved back. A nightly sync calls the activity list (and the original file of each new activity) and nothing else: it
does not go through `Garmin.login()`, which would also fetch the profile and the settings on every run.

The seam (`[garmin] api_url`, for tests and proxies) is `redirect()`: the three places the library takes Garmin's
addresses from, pointed at one base URL. It fails with a clear message, instead of reaching Garmin, if the library
ever moves them (tests/test_garmin.py holds it to that).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from runsync.config import GarminSettings
from runsync.errors import AuthError, RateLimited, RunsyncError, TemporaryError, require_extra

SECRET_KEY = "garmin:{athlete}"
TOKEN_PATH = "/di-oauth2-service/oauth/token"
_STATUS = re.compile(r"\b(?:API Error|status=|HTTP) ?(\d{3})\b")


class GarminSeamError(RunsyncError):
    """garminconnect changed where it keeps Garmin's addresses: the [garmin] api_url seam needs updating."""


def redirect(garmin: Any, base_url: str) -> None:
    """Send every call the library makes (login, token exchange and refresh, API) to `base_url`:
    `{base}/sso/...`, `{base}/diauth/...`, `{base}/connectapi/...` instead of sso.garmin.com, diauth.garmin.com and
    connectapi.garmin.com."""
    from garminconnect import client as library

    base = base_url.rstrip("/")
    inner = garmin.client
    for attribute in ("_sso", "_connectapi"):
        if not isinstance(getattr(inner, attribute, None), str):
            raise GarminSeamError(f"garminconnect.client.Client has no {attribute} any more: runsync's Garmin seam "
                                  "([garmin] api_url) must be updated for this version of garminconnect")  # fmt: skip
    if not isinstance(getattr(library, "DI_TOKEN_URL", None), str):
        raise GarminSeamError("garminconnect.client has no DI_TOKEN_URL any more: runsync's Garmin seam must be "
                              "updated for this version of garminconnect")  # fmt: skip
    inner._sso, inner._connectapi = f"{base}/sso", f"{base}/connectapi"
    library.DI_TOKEN_URL = f"{base}/diauth{TOKEN_PATH}"


def new_garmin(settings: GarminSettings, email: str | None = None, password: str | None = None,
               prompt_mfa: Callable[[], str] | None = None, return_on_mfa: bool = False) -> Any:  # fmt: skip
    require_extra("garmin", "Garmin Connect (garmin = true, runsync auth garmin)")
    from garminconnect import Garmin

    library_log = logging.getLogger("garminconnect")  # it logs failures with tracebacks and response bodies:
    library_log.propagate = False  # runsync says in one line which call failed, and never shows a token
    if not library_log.handlers:
        library_log.addHandler(logging.NullHandler())
    garmin = Garmin(email, password, prompt_mfa=prompt_mfa, return_on_mfa=return_on_mfa)
    if settings.api_url:
        redirect(garmin, settings.api_url)
    return garmin


def login(settings: GarminSettings, email: str, password: str, *, mfa_code: str | None = None,
          prompt_mfa: Callable[[], str] | None = None) -> str:  # fmt: skip
    """Log in (MFA: the given code, else `prompt_mfa`); the library's tokens, serialised."""
    garmin = new_garmin(settings, email, password, prompt_mfa=prompt_mfa, return_on_mfa=mfa_code is not None)
    with garmin_errors("login", "the athlete"):
        needs_mfa, state = garmin.login()
        if needs_mfa and mfa_code is not None:
            garmin.client.resume_login(state, mfa_code)
    return str(garmin.client.dumps())


class GarminApi:
    """One athlete's Garmin Connect: list activities, download originals; counts its calls."""

    def __init__(self, settings: GarminSettings, tokens: str, athlete: str) -> None:
        self.athlete, self.tokens, self.calls, self.wellness_calls = athlete, tokens, 0, 0
        self.garmin = new_garmin(settings)
        with garmin_errors("reading the saved tokens", athlete):
            self.garmin.client.loads(tokens)

    @property
    def activities_path(self) -> str:
        return str(self.garmin.garmin_connect_activities)

    def list_activities(self, *, after: str | None = None, before: str | None = None, limit: int = 50,
                        start: int = 0) -> list[dict[str, Any]]:  # fmt: skip
        """Activities newest first, between the local dates `after` and `before` (YYYY-MM-DD, inclusive)."""
        params = {"start": str(start), "limit": str(limit), "startDate": after or "1990-01-01"}
        if before:
            params["endDate"] = before
        self.calls += 1
        with garmin_errors("the activity list", self.athlete):
            found = self.garmin.connectapi(self.activities_path, params=params)
        return [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []

    def download_original(self, activity_id: str) -> bytes:
        """The original upload: a zip holding the FIT file (or the GPX/TCX it was uploaded as)."""
        from garminconnect import Garmin

        self.calls += 1
        with garmin_errors(f"the original file of activity {activity_id}", self.athlete):
            return bytes(self.garmin.download_activity(activity_id, dl_fmt=Garmin.ActivityDownloadFormat.ORIGINAL))

    def current_tokens(self) -> str:
        """The tokens now (the library refreshes them when they are about to expire)."""
        return str(self.garmin.client.dumps())


class garmin_errors:  # noqa: N801 - used as a context manager
    """The library's exceptions as runsync's: 401/403 and refused logins → AuthError (a person must act),
    429 → RateLimited, 5xx and network trouble → TemporaryError (the next run resumes); `what` names the call."""

    def __init__(self, what: str, athlete: str) -> None:
        self.what, self.athlete = what, athlete

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, _tb: object) -> bool:
        if exc is None or isinstance(exc, RunsyncError) or not isinstance(exc, Exception):
            return False
        raise self.translate(exc) from None

    def translate(self, exc: Exception) -> RunsyncError:
        from garminconnect import (
            GarminConnectAuthenticationError,
            GarminConnectConnectionError,
            GarminConnectTooManyRequestsError,
        )

        text = str(exc)
        match = _STATUS.search(text)
        status = int(match.group(1)) if match else None
        rerun = f"run  runsync auth garmin {self.athlete}"
        if isinstance(exc, GarminConnectTooManyRequestsError) or status == 429:
            return RateLimited(f"Garmin Connect is rate limiting ({self.what}); the next run continues")
        if isinstance(exc, GarminConnectAuthenticationError) or status in (401, 403):
            if self.what == "login":
                return AuthError(f"Garmin Connect refused the login: {_short(text)}")
            return AuthError(f"Garmin tokens for {self.athlete} are no longer accepted ({self.what}): {rerun}")
        if isinstance(exc, GarminConnectConnectionError) and status is not None and status < 500 and status != 408:
            error = RunsyncError(f"Garmin Connect answered {status} for {self.what}")
            error.status = status  # type: ignore[attr-defined]
            return error
        return TemporaryError(f"cannot reach Garmin Connect ({self.what}): {_short(text)}; the next run continues")


def _short(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "no answer"
    return first[:200]
