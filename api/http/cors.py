"""Cross-origin reads: the CORS headers of the API and of ``/openapi.json``, decided at start.

``VEILLE_CORS_ORIGINS`` is ``*`` (any origin, answered with ``*``) or a comma-separated list of
origins, each answered with itself (compared regardless of case; a request with no ``Origin`` is
answered with the first of the list). ``/openapi.json`` is open to any origin. Reads only: a
preflight is answered for GET, HEAD and OPTIONS, with the request headers it asks for, for an
hour. Error responses get these headers as soon as they are made, before the rest of the
pipeline adds its own (so they keep the place they had under flask-cors, which this replaces
with the same headers in the same order).
"""

from __future__ import annotations

from urllib.parse import unquote

from flask import Request, Response

EXPOSED_HEADERS = (
    "ETag",
    "Link",
    "Retry-After",
    "X-Dataset-Version",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-Request-ID",
)
EXPOSE = ", ".join(EXPOSED_HEADERS)
METHODS = "GET, HEAD, OPTIONS"
MAX_AGE = "3600"
ALLOW_ORIGIN = "Access-Control-Allow-Origin"


class Policy:
    """Which origins may read a resource, and how they are answered."""

    def __init__(self, listed: tuple[str, ...], *, any_origin: bool, wildcard: bool) -> None:
        self.first = min(listed, default=None)  # the answer to a request without Origin
        self.listed = frozenset(origin.casefold() for origin in listed)
        self.any_origin = any_origin  # ``*``: every origin may read
        self.wildcard = wildcard  # every origin is answered ``*`` rather than with itself
        # an answer naming the request's origin depends on it when another could be named
        self.varies = any_origin or len(listed) > 1

    def allowed_origin(self, origin: str | None) -> str | None:
        """The ``Access-Control-Allow-Origin`` value for a request's ``Origin``, or None."""
        if not origin:
            return "*" if self.any_origin else self.first
        if self.wildcard:
            return "*"
        if self.any_origin or origin.casefold() in self.listed:
            return origin
        return None

    def headers(self, environ: dict[str, str], method: str) -> list[tuple[str, str]]:
        origin = self.allowed_origin(environ.get("HTTP_ORIGIN"))
        if origin is None:
            return []
        headers = [(ALLOW_ORIGIN, origin), ("Access-Control-Expose-Headers", EXPOSE)]
        if environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK") == "true":
            headers.append(("Access-Control-Allow-Private-Network", "false"))
        # flask-cors compared the requested method with the list as text: "T, H" passes too
        requested = (
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", "").upper() if method == "OPTIONS" else ""
        )
        if requested and requested in METHODS:
            asked = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
            allowed = ", ".join(sorted(name.strip() for name in asked.split(","))) if asked else ""
            if allowed:
                headers.append(("Access-Control-Allow-Headers", allowed))
            headers += [("Access-Control-Max-Age", MAX_AGE), ("Access-Control-Allow-Methods", METHODS)]
        if origin != "*" and self.varies:
            headers.append(("Vary", "Origin"))
        return headers


class Cors:
    """The CORS policies of an app's resources, from its ``CORS_ORIGINS`` setting."""

    def __init__(self, setting: str) -> None:
        entries = tuple(o.strip() for o in setting.split(",") if o.strip())
        wildcard = setting.strip() == "*"
        self.api = Policy(tuple(o for o in entries if o != "*"), any_origin="*" in entries, wildcard=wildcard)
        self.spec = Policy((), any_origin=True, wildcard=wildcard)

    def policy(self, path: str) -> Policy | None:
        """The policy of a request path: the spec's, the API's (any path under ``/v``), or none."""
        path = unquote(path)
        if path == "/openapi.json":
            return self.spec
        # flask-cors read the API's resource, ``/v1*``, as a regular expression: "/v" then any 1s
        return self.api if path.startswith("/v") else None

    def add_headers(self, response: Response, req: Request) -> None:
        """Add a response's CORS headers, unless it has them already (an error response does)."""
        if response.headers.get(ALLOW_ORIGIN):
            return
        policy = self.policy(req.path)
        if policy is not None:
            response.headers.extend(policy.headers(req.environ, req.method))
