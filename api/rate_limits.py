"""Rate limits (Flask-Limiter): per client address, higher for requests with an API key.

Storage is in memory by default (one process); set ``RATELIMIT_STORAGE_URI`` to a Redis URL
so every worker and host shares the counts. ``memory://`` is served by :class:`SweptMemoryStorage`,
the library's memory storage without its expiry timer thread. Responses carry ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``; a 429 is problem+json with an integer
``Retry-After``.
"""

from __future__ import annotations

import time

from flask import Flask, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

EXEMPT_PATHS = ("/healthz", "/readyz", "/metrics")
SWEEP_SECONDS = 1.0


class SweptMemoryStorage(MemoryStorage):
    """limits' memory storage, expiring counters inline instead of from a timer thread.

    The parent starts a ``threading.Timer`` whenever the previous one (10 ms) has ended: under
    load that is a thread start every few requests, measured at a sixth of an item request's
    time. Here expired counters are dropped by the request that finds them (``get`` already
    does so for its key) and every other key is swept at most once per ``SWEEP_SECONDS``, so
    memory stays bounded by the clients of the last window.
    """

    STORAGE_SCHEME = ["veille-memory"]  # noqa: RUF012  (the library's own declaration is a list)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the one the parent starts; none is started again
        self._swept_at = time.monotonic()

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the parent's private timer start
        now = time.monotonic()
        if now - self._swept_at >= SWEEP_SECONDS:
            self._swept_at = now
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def _key_name() -> str | None:
    """The name of the request's API key once authentication has accepted it (``g.api_key``)."""
    key = g.get("api_key")
    return getattr(key, "name", None)


def _client_key() -> str:
    # a valid key is counted per key, so its limit follows it across addresses
    name = _key_name()
    return f"key:{name}" if name else "ip:" + (get_remote_address() or "unknown")


def _storage_uri(configured: str) -> str:
    return "veille-memory://" if configured.strip() in ("memory://", "memory:///") else configured


def init_app(app: Flask) -> Limiter:
    anonymous, keyed = app.config["RATE_LIMIT_ANONYMOUS"], app.config["RATE_LIMIT_KEYED"]
    limiter = Limiter(
        key_func=_client_key,
        app=app,
        default_limits=[lambda: keyed if _key_name() else anonymous],
        default_limits_exempt_when=lambda: request.path in EXEMPT_PATHS or request.method == "OPTIONS",
        headers_enabled=True,
        retry_after="delta-seconds",
        storage_uri=_storage_uri(app.config["RATELIMIT_STORAGE_URI"]),
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    return limiter
