"""Conditional GETs and the Cache-Control policy, for every response.

Every successful GET/HEAD gets a strong ``ETag``: the SHA-256 of the body, or for streamed
exports (not buffered) of the dataset version, URL and negotiated type they are a function
of. ``If-None-Match`` (strong or ``W/`` tags, lists, ``*``; weak comparison as RFC 9110
says) turns the response into a 304 that keeps every header of the 200, so ETag,
Cache-Control and Vary are the same. Public reads are cacheable for ``CACHE_MAX_AGE``
seconds; anything sent with credentials is ``private, no-store``; errors are not cached.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, request

from api.http.problems import DATABASE_UNAVAILABLE
from api.queries.dataset_version import current_version

NOT_CACHED = ("/healthz", "/readyz", "/metrics")
VARY = "Accept, Authorization"


def _etag(response: Response) -> str:
    if response.is_streamed:
        basis = f"{current_version()}|{request.url}|{response.content_type}".encode()
    else:
        basis = response.get_data()
    return hashlib.sha256(basis).hexdigest()


def _cache_control(response: Response, max_age: int) -> str:
    if request.headers.get("Authorization"):
        return "private, no-store"
    if request.path in NOT_CACHED or response.status_code >= 300:
        return "no-store"
    return f"public, max-age={max_age}"


def init_app(app: Flask) -> None:
    max_age = app.config["CACHE_MAX_AGE"]

    @app.after_request
    def conditional(response: Response) -> Response:
        if request.method not in ("GET", "HEAD"):
            response.headers.setdefault("Cache-Control", "no-store")
            return response
        response.headers["Cache-Control"] = _cache_control(response, max_age)
        response.vary.update(v.strip() for v in VARY.split(","))
        if response.status_code != 200:
            return response
        try:
            response.set_etag(_etag(response))
        except DATABASE_UNAVAILABLE:
            return response
        if request.if_none_match and request.if_none_match.contains_weak(response.get_etag()[0]):
            response.status_code = 304
            response.close()  # an unstarted stream is closed here, inside its request
            response.response = []
            for header in ("Content-Type", "Content-Length", "Content-Disposition"):
                response.headers.pop(header, None)
        return response
