"""Cross-origin reads: the CORS headers of the API and of ``/openapi.json``, by flask-cors.

``VEILLE_CORS_ORIGINS`` is ``*`` (any origin, answered with ``*``) or a comma-separated list of
origins. ``/openapi.json`` is open to any origin. Reads only: a preflight is answered for GET,
HEAD and OPTIONS, for an hour. flask-cors resolves these options once, at start, and its own
after-request function writes the headers; the request pipeline (api/http/pipeline.py) calls
it at its place among the other steps, and error handlers call it first, as flask-cors's own
registration did.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response
from flask_cors.core import get_cors_options, parse_resources
from flask_cors.extension import make_after_request_function

EXPOSED_HEADERS = [
    "ETag",
    "Link",
    "X-Dataset-Version",
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
]


def cors_origins(setting: str) -> str | list[str]:
    """``*`` (any origin, answered with ``*``) or a comma-separated list of origins."""
    return "*" if setting.strip() == "*" else [o.strip() for o in setting.split(",") if o.strip()]


def cors_headers(app: Flask) -> Callable[[Response], Response]:
    """flask-cors's after-request function for this app's settings (what ``CORS(app, ...)``
    would register), resolved once."""
    origins = cors_origins(app.config["CORS_ORIGINS"])
    options = {
        "methods": ["GET", "HEAD", "OPTIONS"],
        "expose_headers": EXPOSED_HEADERS,
        "max_age": 3600,
        "send_wildcard": origins == "*",
    }
    resources = parse_resources({r"/v1*": {"origins": origins}, r"/openapi.json": {"origins": "*"}})
    return make_after_request_function(
        [(pattern, get_cors_options(app, options, own)) for pattern, own in resources]
    )
