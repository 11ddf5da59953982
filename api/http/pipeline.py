"""The one pair of request hooks: what every request goes through before and after its view.

Before the view, in this order (the first to refuse the request stops it): the request id and
start time (observability), the URL and body guards (request_guards), authentication (auth),
the rate limit count (rate_limits: after authentication, so that a valid key gets its limit).

After it, in this order, each step seeing what the previous ones wrote:

1. ``X-Dataset-Version``, unless the response is a server error or an operations endpoint's
   (those never touch the database: they must answer while it stalls);
2. CORS (cors), which an error response already had from its handler;
3. the security headers (security_headers): they see a documentation page before a conditional
   GET empties it;
4. Cache-Control, Vary, the ETag and the 304 (http_caching), then the year-long Cache-Control of
   versioned assets (docs_assets);
5. the ``X-RateLimit-*`` headers, and ``Retry-After`` on 429 and 503 only (rate_limits);
6. ``X-Request-ID``, the metrics and the access log line (observability): they see the final status.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import suppress
from typing import Any

from flask import Flask, Response, request

from api.http import auth, docs_assets, http_caching, observability, rate_limits, request_guards
from api.http.cors import cors_headers
from api.http.problems import DATABASE_UNAVAILABLE
from api.http.security_headers import add_security_headers
from api.queries.dataset_version import current_version


def _with_cors(
    cors: Callable[[Response], Response], app: Flask, handle: Callable[[Any], Any]
) -> Callable[[Any], Response]:
    """An error handler whose response gets its CORS headers first, before the after hook adds
    any other (as flask-cors's own registration does: the headers keep their place)."""

    def handled(error: Any) -> Response:
        return cors(app.make_response(handle(error)))

    return handled


def init_app(app: Flask, *, unversioned_blueprints: Collection[str]) -> None:
    """Register the pair; ``unversioned_blueprints`` answer without ``X-Dataset-Version``."""
    observability.configure_logging(app.config["LOG_LEVEL"])
    max_url, max_body = app.config["MAX_URL_LENGTH"], app.config["MAX_CONTENT_LENGTH"]
    max_age = app.config["CACHE_MAX_AGE"]
    limits = rate_limits.init_app(app)
    cors = cors_headers(app)
    app.handle_user_exception = _with_cors(cors, app, app.handle_user_exception)  # type: ignore[method-assign]
    app.handle_exception = _with_cors(cors, app, app.handle_exception)  # type: ignore[method-assign]

    @app.before_request
    def before() -> None:
        req = request._get_current_object()  # type: ignore[attr-defined]
        observability.start(req.environ)
        request_guards.refuse_unservable(req, max_url, max_body)
        auth.authenticate(req)
        if limits is not None:
            limits.count(req)

    @app.after_request
    def after(response: Response) -> Response:
        req = request._get_current_object()  # type: ignore[attr-defined]
        endpoint = req.endpoint
        if response.status_code < 500 and req.blueprint not in unversioned_blueprints:
            # when the database is down the body already says so: no version to tell
            with suppress(*DATABASE_UNAVAILABLE):
                response.headers["X-Dataset-Version"] = current_version()
        cors(response)
        add_security_headers(response, endpoint)
        http_caching.conditional(response, req, max_age)
        docs_assets.cache_for_a_year(response, endpoint)
        rate_limits.add_headers(response)
        rate_limits.retry_after_only_where_it_means_something(response)
        observability.finish(response, req)
        return response
