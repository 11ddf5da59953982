"""Rate limits (Flask-Limiter): per client address, higher for requests with an API key.

Storage is in memory by default (one process); set ``RATELIMIT_STORAGE_URI`` to a Redis URL
so every worker and host shares the counts. ``memory://`` is served by :class:`SweptMemoryStorage`,
the library's memory storage without its expiry timer thread. Responses carry ``X-RateLimit-Limit``,
``X-RateLimit-Remaining`` and ``X-RateLimit-Reset``; a 429 is problem+json with an integer
``Retry-After``. Failed authentications have their own, lower limit per address.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, current_app, g, request
from flask_limiter import HeaderNames, Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage

EXEMPT_PATHS = ("/healthz", "/readyz", "/metrics")
SWEEP_SECONDS = 1.0
AUTH_FAILURES = "auth-failures"  # the namespace of the failed-authentication counters
LIMITER_RETRY_AFTER = "X-Veille-Limiter-Retry-After"  # never sent: see the after_request hook
log = logging.getLogger(__name__)


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


def client_address() -> str:
    return get_remote_address() or "unknown"


def _client_key() -> str:
    # a valid key is counted per key, so its limit follows it across addresses
    name = _key_name()
    return f"key:{name}" if name else "ip:" + client_address()


def _storage_uri(configured: str) -> str:
    return "veille-memory://" if configured.strip() in ("memory://", "memory:///") else configured


def _failures() -> tuple[Limiter, RateLimitItem] | None:
    limiter = current_app.extensions.get("veille.limiter")
    if limiter is None or not limiter.enabled:
        return None
    return limiter, current_app.extensions["veille.auth_failures_limit"]


def _storage_failed(error: Exception) -> None:
    # as for the request limits (swallow_errors): a storage outage lets requests through
    # rather than failing every request that carries a key
    log.warning("rate limit storage: %s: %s", error.__class__.__name__, error)


def auth_failures_retry_after() -> int | None:
    """Seconds until this address may present a key again, or None when it may now.

    Failed authentications are counted per client address, apart from (and far below) the
    request limits: a key cannot be guessed by the thousand, and a 401 is not free.
    """
    failures = _failures()
    if failures is None:
        return None
    limiter, limit = failures
    try:
        if limiter.limiter.test(limit, AUTH_FAILURES, client_address()):
            return None
        reset_at = limiter.limiter.get_window_stats(limit, AUTH_FAILURES, client_address()).reset_time
    except Exception as error:
        _storage_failed(error)
        return None
    return max(1, math.ceil(reset_at - time.time()))


def count_auth_failure() -> None:
    failures = _failures()
    if failures is not None:
        limiter, limit = failures
        try:
            limiter.limiter.hit(limit, AUTH_FAILURES, client_address())
        except Exception as error:
            _storage_failed(error)


def _retry_after_only_where_it_means_something(response: Response) -> Response:
    """``Retry-After`` on a 429 (the limiter's window) or a 503 (the view's own), nowhere else.

    Flask-Limiter writes its header on every response it counted, a 200 included, and on a
    503 replaces the view's value with its window's; it writes under a private name instead
    and this hook, which runs after it, keeps that value for 429s only.
    """
    window = response.headers.pop(LIMITER_RETRY_AFTER, None)
    if response.status_code == 429:
        if window is not None and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = window
    elif response.status_code != 503:
        response.headers.pop("Retry-After", None)
    return response


def init_app(app: Flask) -> Limiter:
    anonymous, keyed = app.config["RATE_LIMIT_ANONYMOUS"], app.config["RATE_LIMIT_KEYED"]
    # parsed here so that a malformed setting stops the start, not every keyed request
    app.extensions["veille.auth_failures_limit"] = parse(app.config["RATE_LIMIT_AUTH_FAILURES"])
    # registered before the limiter's own after_request, so it runs after it
    app.after_request(_retry_after_only_where_it_means_something)
    limiter = Limiter(
        key_func=_client_key,
        app=app,
        default_limits=[lambda: keyed if _key_name() else anonymous],
        default_limits_exempt_when=lambda: request.path in EXEMPT_PATHS or request.method == "OPTIONS",
        headers_enabled=True,
        header_name_mapping={HeaderNames.RETRY_AFTER: LIMITER_RETRY_AFTER},
        retry_after="delta-seconds",
        storage_uri=_storage_uri(app.config["RATELIMIT_STORAGE_URI"]),
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    app.extensions["veille.limiter"] = limiter
    return limiter
