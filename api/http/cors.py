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
from typing import Any
from urllib.parse import unquote

from flask import Flask, Response, request
from flask_cors.core import ACL_ORIGIN, get_cors_options, parse_resources, try_match_pattern
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


# request headers the CORS answer depends on (besides the route and the method)
ASKED = (
    "HTTP_ORIGIN",
    "HTTP_ACCESS_CONTROL_REQUEST_METHOD",
    "HTTP_ACCESS_CONTROL_REQUEST_HEADERS",
    "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK",
)
# distinct (resource, method, CORS request headers) whose answer is kept; past that, asked each time
KEPT_ANSWERS = 1024


def cors_headers(app: Flask) -> Callable[[Response], Response]:
    """flask-cors's after-request function for this app's settings (what ``CORS(app, ...)``
    would register), resolved once, with its answers kept.

    The headers flask-cors adds depend only on the resource the path matches (found here with
    flask-cors's own matcher, in its order), the method and the CORS request headers (``Origin``,
    ``Access-Control-Request-*``). So flask-cors answers once per such request, on a blank
    response, and the headers it added there are added to every response like it, in the same
    order. A response that has its CORS headers already (an error handler's) is left alone, as
    flask-cors leaves it."""
    origins = cors_origins(app.config["CORS_ORIGINS"])
    options = {
        "methods": ["GET", "HEAD", "OPTIONS"],
        "expose_headers": EXPOSED_HEADERS,
        "max_age": 3600,
        "send_wildcard": origins == "*",
    }
    resources = [
        (pattern, get_cors_options(app, options, own))
        for pattern, own in parse_resources(
            {r"/v1*": {"origins": origins}, r"/openapi.json": {"origins": "*"}}
        )
    ]
    flask_cors = make_after_request_function(resources)
    answers: dict[tuple[Any, ...], list[tuple[str, str]]] = {}

    def add_cors_headers(response: Response) -> Response:
        headers = response.headers
        if headers.get(ACL_ORIGIN):
            return response
        environ = request.environ
        path = unquote(request.path)
        resource = next((i for i, (p, _) in enumerate(resources) if try_match_pattern(path, p)), None)
        key = (resource, environ["REQUEST_METHOD"], *(environ.get(name) for name in ASKED))
        added = answers.get(key)
        if added is None:
            blank = Response()
            before = len(blank.headers)
            added = flask_cors(blank).headers.to_wsgi_list()[before:]
            if len(answers) < KEPT_ANSWERS:
                answers[key] = added
        for name, value in added:
            headers.add(name, value)
        return response

    return add_cors_headers
