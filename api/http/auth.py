"""Bearer API keys on every request.

A request may present ``Authorization: Bearer <key>``. A key that is unknown, malformed or
revoked is a 401 whatever the method (a client should learn its key is bad) and counts
against the client address: past ``RATE_LIMIT_AUTH_FAILURES`` any request with a key is a 429
until the window ends. A valid one becomes ``g.api_key`` (its name and scopes). Keys are never
read from the query string.
"""

from __future__ import annotations

from flask import Request, g

from api.db import get_session
from api.errors import ClientError
from api.http.api_keys import identify
from api.http.rate_limits import auth_failures_retry_after, count_auth_failure

KEY_PARAMETERS = ("api_key", "apikey", "key", "token", "access_token")


def _challenge(error: str | None = None) -> dict[str, str]:
    value = 'Bearer realm="veille"' + (f', error="{error}"' if error else "")
    return {"WWW-Authenticate": value}


def require_scope(scope: str) -> None:
    """A 401 or 403 unless the request carries a valid key with ``scope`` (admin implies write)."""
    identity = g.get("api_key")
    if identity is None:
        raise ClientError(
            401, "This operation needs an API key: Authorization: Bearer <key>.", headers=_challenge()
        )
    granted = set(identity.scopes) | ({"write", "read"} if "admin" in identity.scopes else set())
    if scope not in granted:
        raise ClientError(403, f"The key {identity.name!r} lacks the {scope!r} scope.")


def authenticate(req: Request) -> None:
    """Before the view: ``g.api_key`` for a valid key; 401, or 429 past the failures, for another."""
    named = [p for p in KEY_PARAMETERS if p in req.args]
    if named:
        raise ClientError(
            400,
            f"API keys are never accepted in the query string ({named[0]}); use Authorization: Bearer.",
        )
    header = req.headers.get("Authorization")
    if header is None:
        return
    # checked before the key is: past the limit, not even a right key is looked at
    retry_after = auth_failures_retry_after()
    if retry_after is not None:
        raise ClientError(
            429,
            "Too many failed authentications from this address; try again later.",
            headers={"Retry-After": str(retry_after)},
        )
    scheme, _, presented = header.partition(" ")
    identity = identify(get_session(), presented.strip()) if scheme.lower() == "bearer" else None
    if identity is None:
        count_auth_failure()
        raise ClientError(
            401,
            "The API key is unknown, malformed or revoked.",
            headers=_challenge("invalid_token"),
        )
    g.api_key = identity
