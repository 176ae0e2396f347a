"""What Strava's 403 answers mean, in a line a person can act on (Strava's developer program, June 2026).

Every app is in the Standard tier: up to 10 connected athletes, and its owner needs a Strava subscription. Strava
answers 403 when the app's athlete limit is reached ("Limit of connected athletes exceeded"), when the app is
inactive because its owner has no subscription (an error on resource Application, field Status, code Inactive), or
when the athlete's token lacks a permission. Each is an AuthError (exit 4) for that athlete only: the others sync.
"""

from __future__ import annotations

from typing import Any

from runsync.errors import AuthError

TIERS_PAGE = "https://developers.strava.com/docs/getting-started/"
SETTINGS_PAGE = "https://www.strava.com/settings/api"
STANDARD_TIER_ATHLETES = 10


class StravaRefused(AuthError):
    """Strava answered 403; `cause` is one of "athlete-limit", "inactive-app", "forbidden"."""

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        self.cause = cause


def refusal(response: Any, athlete: str | None) -> StravaRefused:
    """The 403 `response` as one line naming the athlete, the cause Strava gives and what to do."""
    message, errors = _body(response)
    who = athlete or "this athlete"
    hint = f"runsync auth strava {athlete}" if athlete else "runsync auth strava ATHLETE"
    if any(_is(e, "Application", "Status", "Inactive") for e in errors) or "inactive" in message.lower():
        return StravaRefused(f"Strava refused {who}: the Strava app is inactive: the account that owns it needs an "
                             f"active Strava subscription (subscribe, then reactivate the app at {SETTINGS_PAGE})",
                             "inactive-app")  # fmt: skip
    if "connected athletes" in message.lower() or "athlete limit" in message.lower():
        return StravaRefused(f"Strava refused {who}: the app's athlete limit is reached (Standard tier: "
                             f"{STANDARD_TIER_ATHLETES} connected athletes; disconnect one with  runsync auth strava "
                             f"OTHER --revoke, or apply for Extended Access: see {TIERS_PAGE})", "athlete-limit")
    said = f": {message}" if message else ""
    return StravaRefused(f"Strava refused {who} (403 Forbidden{said}): the app or the athlete's authorisation lacks "
                         f"a permission; authorise again with  {hint}", "forbidden")  # fmt: skip


def _body(response: Any) -> tuple[str, list[dict[str, Any]]]:
    try:
        data = response.json()
    except Exception:  # not JSON: an HTML error page
        return "", []
    if not isinstance(data, dict):
        return "", []
    errors = data.get("errors")
    errors = [errors] if isinstance(errors, dict) else errors if isinstance(errors, list) else []
    return str(data.get("message") or "")[:200], [e for e in errors if isinstance(e, dict)]


def _is(error: dict[str, Any], resource: str, field: str, code: str) -> bool:
    return error.get("resource") == resource and error.get("field") == field and error.get("code") == code


def capacity(headers: Any) -> tuple[int, int] | None:
    """(connected athletes, the app's limit) from a response's headers, when Strava sends them. Strava says the
    capacity is "returned with every API request as part of the HTTP headers" without documenting their names, so
    any header naming athlete capacity is read: one "used,limit" pair, or separate ...-Usage and ...-Limit ones."""
    found: dict[str, str] = {}
    for name, value in getattr(headers, "items", lambda: [])():
        lowered = name.lower().replace("_", "-")
        if "athlete" in lowered and ("capacity" in lowered or "limit" in lowered or "usage" in lowered):
            found[lowered] = str(value)
    used = _first_int(v for k, v in found.items() if "usage" in k or "count" in k or "connected" in k)
    limit = _first_int(v for k, v in found.items() if "limit" in k)
    if used is not None and limit is not None:
        return used, limit
    for value in found.values():
        parts = [p.strip() for p in value.split(",")]
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            return int(parts[0]), int(parts[1])
    return None


def _first_int(values: Any) -> int | None:
    for value in values:
        text = str(value).strip()
        if text.isdigit():
            return int(text)
    return None
