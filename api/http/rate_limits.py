"""Rate limits: per client address, higher for requests with an API key, counted by ``limits``.

The limit settings are parsed once, when the app is made (a malformed one stops it). A counted
request is one hit of a fixed-window counter per client (``ip:<address>``, or ``key:<name>`` for
a valid API key), route and limit, kept where ``RATELIMIT_STORAGE_URI`` says: memory by default
(one process), Redis to share the counts between workers and hosts. ``memory://`` is served by
:class:`SweptMemoryStorage`, the library's memory storage without its expiry timer thread.
Counters are named as Flask-Limiter named them when it counted here, so a rolling deploy keeps
counting in Redis where the previous version stopped.

A counted response carries ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and
``X-RateLimit-Reset`` (the epoch second after the window ends); a 429 is problem+json with an
integer ``Retry-After``. ``/healthz``, ``/readyz``, ``/metrics``, OPTIONS, unmatched URLs and
static files are not counted. If the storage fails, counting moves to this process's memory
(logged) and the storage is asked again after 1, 2, 4… 32 seconds: no request is refused for it.
Failed authentications have their own, lower limit per address, in the same storage.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, Request, Response, current_app, g, request
from limits import RateLimitItem, parse, parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from api.errors import ClientError

EXEMPT_PATHS = ("/healthz", "/readyz", "/metrics")
SWEEP_SECONDS = 1.0
AUTH_FAILURES = "auth-failures"  # the namespace of the failed-authentication counters
# a failed storage is asked again after 2**n seconds, n = 0…LAST_RETRY_EXPONENT, then from 0 again
LAST_RETRY_EXPONENT = 5
EXTENSION = "veille.rate_limits"
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


def client_address() -> str:
    return request.remote_addr or "127.0.0.1"


def _storage_uri(configured: str) -> str:
    return "veille-memory://" if configured.strip() in ("memory://", "memory:///") else configured


def _limits(setting: str) -> list[RateLimitItem]:
    """The limits a setting names (``10/second;300/minute``), each once, shortest window first."""
    return sorted(dict.fromkeys(parse_many(setting))) if setting else []


# counters whose window end this process remembers; past that, the ended ones are forgotten
REMEMBERED_WINDOWS = 10_000


class RateLimits:
    """An app's limits and the counters they are counted with."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.anonymous = _limits(config["RATE_LIMIT_ANONYMOUS"])
        self.keyed = _limits(config["RATE_LIMIT_KEYED"])
        self.auth_failures = parse(config["RATE_LIMIT_AUTH_FAILURES"])
        self._storage = storage_from_string(_storage_uri(config["RATELIMIT_STORAGE_URI"]))
        self._in_storage = FixedWindowRateLimiter(self._storage)
        self._in_memory = FixedWindowRateLimiter(SweptMemoryStorage())
        self._storage_failed = False
        self._retries = 0
        self._asked_at = time.time()
        # when each counter's window ends, as last learnt (see _reset_at)
        self._resets: dict[str, int] = {}

    @property
    def counters(self) -> FixedWindowRateLimiter:
        """The storage's counters, or this process's while the storage is unreachable."""
        return self._in_memory if self._storage_failed else self._in_storage

    def count(self, req: Request) -> None:
        """Count a request before its view: a 429 past its limit; ``g.rate_limit`` for its headers."""
        endpoint = req.endpoint
        if not endpoint or endpoint.rpartition(".")[2] == "static":
            return
        try:
            self._count(req, endpoint)
        except ClientError:
            raise
        except Exception as error:
            if self._storage_failed:
                log.exception("rate limit storage: the request is not counted")
            else:
                self._fail_over(error)
                self.count(req)

    def _count(self, req: Request, endpoint: str) -> None:
        if self._storage_failed and self._storage_answers_again():
            log.info("rate limit storage recovered")
            self._storage_failed, self._retries = False, 0
            self._resets.clear()  # the windows remembered were the memory's
        if req.path in EXEMPT_PATHS or req.method == "OPTIONS":
            return
        # a valid key is counted per key, so its limit follows it across addresses
        name = getattr(g.get("api_key"), "name", None)
        key, items = (f"key:{name}", self.keyed) if name else ("ip:" + client_address(), self.anonymous)
        storage = self.counters.storage
        # each limit's counter takes one hit (the fixed window of limits' FixedWindowRateLimiter,
        # whose count the headers show without reading it again); the headers tell of the first
        # limit passed, the shortest window, or of the one exceeded
        shown = None
        for item in items:
            counter = item.key_for(key, endpoint)
            count = storage.incr(counter, item.get_expiry())
            if count > item.amount:
                log.info("ratelimit %s (%s) exceeded at endpoint: %s", item, key, endpoint)
                g.rate_limit = (item.amount, 0, self._reset_at(storage, counter, count, item.get_expiry()))
                raise ClientError(429, str(item))
            shown = shown or (item.amount, count, counter, item.get_expiry())
        if shown is not None:
            amount, count, counter, expiry = shown
            g.rate_limit = (amount, amount - count, self._reset_at(storage, counter, count, expiry))

    def _reset_at(self, storage: Any, counter: str, count: int, expiry: int) -> int:
        """When the window of ``counter`` ends (epoch seconds), for ``X-RateLimit-Reset``.

        A fixed window ends when the hit that opened it says, and it never moves (its expiry is
        set once): learnt from the hit that opened it (count 1) or from the storage, once, and
        remembered until it has passed. Asking the storage on every request was a second round
        trip (0.1 ms of a Redis client's CPU) for a value that had not changed."""
        now = time.time()
        if count == 1:
            reset = int(now + expiry + 1)
        else:
            reset = self._resets.get(counter, 0)
            if reset <= now:
                reset = int(storage.get_expiry(counter) + 1)
        if len(self._resets) >= REMEMBERED_WINDOWS:
            # list(): taken at once (other threads may add windows meanwhile)
            self._resets = {name: at for name, at in list(self._resets.items()) if at > now}
            if len(self._resets) >= REMEMBERED_WINDOWS:
                self._resets.clear()
        self._resets[counter] = reset
        return reset

    def _fail_over(self, error: Exception) -> None:
        log.warning(
            "rate limit storage unreachable (%s: %s): counting in this process's memory",
            error.__class__.__name__,
            error,
        )
        self._storage_failed = True
        self._resets.clear()

    def _storage_answers_again(self) -> bool:
        if self._retries > LAST_RETRY_EXPONENT:
            self._retries = 0
        if time.time() - self._asked_at <= 2**self._retries:
            return False
        self._asked_at = time.time()
        self._retries += 1
        return self._storage.check()


def add_headers(response: Response) -> None:
    """``X-RateLimit-*`` of a counted request, and its 429's ``Retry-After`` (seconds to the reset)."""
    if "rate_limit" not in g:
        return
    limit, remaining, reset_at = g.rate_limit
    headers = response.headers
    headers.add("X-RateLimit-Limit", str(limit))
    headers.add("X-RateLimit-Remaining", str(remaining))
    headers.add("X-RateLimit-Reset", str(reset_at))
    if response.status_code == 429 and "Retry-After" not in headers:
        headers["Retry-After"] = str(int(reset_at - time.time()))


def retry_after_only_where_it_means_something(response: Response) -> None:
    """``Retry-After`` on a 429 (the limit's window) or a 503 (the view's own), nowhere else."""
    if response.status_code not in (429, 503) and "Retry-After" in response.headers:
        del response.headers["Retry-After"]


def _storage_error(error: Exception) -> None:
    # as for the request limits: a storage outage lets requests through rather than failing
    # every request that carries a key
    log.warning("rate limit storage: %s: %s", error.__class__.__name__, error)


def auth_failures_retry_after() -> int | None:
    """Seconds until this address may present a key again, or None when it may now.

    Failed authentications are counted per client address, apart from (and far below) the
    request limits: a key cannot be guessed by the thousand, and a 401 is not free.
    """
    limits = current_app.extensions.get(EXTENSION)
    if limits is None:
        return None
    try:
        if limits.counters.test(limits.auth_failures, AUTH_FAILURES, client_address()):
            return None
        window = limits.counters.get_window_stats(limits.auth_failures, AUTH_FAILURES, client_address())
    except Exception as error:
        _storage_error(error)
        return None
    return max(1, math.ceil(window.reset_time - time.time()))


def count_auth_failure() -> None:
    limits = current_app.extensions.get(EXTENSION)
    if limits is not None:
        try:
            limits.counters.hit(limits.auth_failures, AUTH_FAILURES, client_address())
        except Exception as error:
            _storage_error(error)


def init_app(app: Flask) -> RateLimits | None:
    """The app's rate limits, or None when ``VEILLE_RATE_LIMIT_ENABLED`` is false."""
    if not app.config["RATELIMIT_ENABLED"]:
        return None
    limits = app.extensions[EXTENSION] = RateLimits(app.config)
    return limits
