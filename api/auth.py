"""Bearer API keys on every request; write views require a scope.

A request may present ``Authorization: Bearer <key>``. A key that is unknown, malformed or
revoked is a 401 whatever the method (a client should learn its key is bad); a write
without a key is a 401; a key without the needed scope is a 403. Keys are never read from
the query string.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, g, request
from webargs.flaskparser import abort

from api.api_keys import Identity, identify
from api.db import get_session

F = TypeVar("F", bound=Callable[..., Any])
KEY_PARAMETERS = ("api_key", "apikey", "key", "token", "access_token")


def _challenge(error: str | None = None) -> dict[str, str]:
    value = 'Bearer realm="veille"' + (f', error="{error}"' if error else "")
    return {"WWW-Authenticate": value}


def current_identity() -> Identity | None:
    return g.get("api_key")


def require_scope(scope: str) -> Callable[[F], F]:
    """The view needs a valid key with ``scope`` (401 without a key, 403 without the scope)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            identity = current_identity()
            if identity is None:
                abort(
                    401,
                    message="This operation needs an API key: Authorization: Bearer <key>.",
                    headers=_challenge(),
                )
            if not identity.allows(scope):
                abort(403, message=f"The key {identity.name!r} lacks the {scope!r} scope.")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def init_app(app: Flask) -> None:
    @app.before_request
    def authenticate() -> None:
        named = [p for p in KEY_PARAMETERS if p in request.args]
        if named:
            abort(
                400,
                message=f"API keys are never accepted in the query string ({named[0]}); use Authorization: Bearer.",
            )
        header = request.headers.get("Authorization")
        if header is None:
            return
        scheme, _, presented = header.partition(" ")
        identity = identify(get_session(), presented.strip()) if scheme.lower() == "bearer" else None
        if identity is None:
            abort(
                401,
                message="The API key is unknown, malformed or revoked.",
                headers=_challenge("invalid_token"),
            )
        g.api_key = identity
