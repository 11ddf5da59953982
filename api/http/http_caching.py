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

from flask import Request, Response

from api.http.problems import DATABASE_UNAVAILABLE
from api.queries.dataset_version import current_version

NOT_CACHED = ("/healthz", "/readyz", "/metrics")
VARY = ("Accept", "Authorization")


def _etag(response: Response, req: Request) -> str:
    if response.is_streamed:
        basis = f"{current_version()}|{req.url}|{response.content_type}".encode()
    else:
        basis = response.get_data()
    return hashlib.sha256(basis).hexdigest()


def _cache_control(response: Response, req: Request, max_age: int) -> str:
    if req.environ.get("HTTP_AUTHORIZATION"):
        return "private, no-store"
    if req.path in NOT_CACHED or response.status_code >= 300:
        return "no-store"
    return f"public, max-age={max_age}"


def conditional(response: Response, req: Request, max_age: int) -> None:
    """Cache-Control and Vary of every response; the ETag of a 200 to a GET or HEAD, which
    becomes an empty 304 when ``If-None-Match`` names it."""
    headers = response.headers
    if req.method not in ("GET", "HEAD"):
        headers.setdefault("Cache-Control", "no-store")
        return
    headers["Cache-Control"] = _cache_control(response, req, max_age)
    if "Vary" in headers:
        response.vary.update(VARY)
    else:
        headers["Vary"] = ", ".join(VARY)
    if response.status_code != 200:
        return
    try:
        etag = _etag(response, req)
    except DATABASE_UNAVAILABLE:
        return
    response.set_etag(etag)
    if "HTTP_IF_NONE_MATCH" in req.environ and req.if_none_match.contains_weak(etag):
        response.status_code = 304
        response.close()  # an unstarted stream is closed here, inside its request
        response.response = []
        for header in ("Content-Type", "Content-Length", "Content-Disposition"):
            response.headers.pop(header, None)
