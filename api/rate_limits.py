"""Rate limits (Flask-Limiter): per client address, higher for requests with an API key.

Storage is in memory by default (one process); set ``RATELIMIT_STORAGE_URI`` to a Redis URL
so every worker and host shares the counts. Responses carry ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``; a 429 is problem+json with an integer
``Retry-After``.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

EXEMPT_PATHS = ("/healthz", "/readyz", "/metrics")


def _key_name() -> str | None:
    """The name of the request's API key once authentication has accepted it (``g.api_key``)."""
    key = g.get("api_key")
    return getattr(key, "name", None)


def _client_key() -> str:
    # a valid key is counted per key, so its limit follows it across addresses
    name = _key_name()
    return f"key:{name}" if name else "ip:" + (get_remote_address() or "unknown")


def init_app(app: Flask) -> Limiter:
    anonymous, keyed = app.config["RATE_LIMIT_ANONYMOUS"], app.config["RATE_LIMIT_KEYED"]
    limiter = Limiter(
        key_func=_client_key,
        app=app,
        default_limits=[lambda: keyed if _key_name() else anonymous],
        default_limits_exempt_when=lambda: request.path in EXEMPT_PATHS or request.method == "OPTIONS",
        headers_enabled=True,
        retry_after="delta-seconds",
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    return limiter
