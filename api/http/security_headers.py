"""Security headers on every response, and a Content-Security-Policy that fits each kind.

API responses (JSON, CSV, problem+json…) are never meant to run anything in a browser, so
their policy forbids everything. The two documentation pages may load only the self-hosted
Swagger UI and ReDoc (``api/http/docs_assets.py``), the API's own ``/openapi.json`` and ``data:``
images (both UIs draw icons from their CSS), nothing from another origin. Checked in headless
Chromium, each page gets only what it needs:

- /docs: flask-smorest's template starts Swagger UI with an inline ``<script>``, allowed by its
  SHA-256 hash computed from the page served (no ``'unsafe-inline'`` script); no inline style
  at all (React's ``style`` props go through the CSSOM, which CSP does not restrict).
- /redoc: no inline script; ReDoc builds its search index in a ``blob:`` worker, and
  styled-components writes ``<style>`` elements at run time, so styles are ``'unsafe-inline'``
  there (a hash cannot name them). ReDoc 2's sidebar footer also asks for a Redocly logo on
  a CDN: the policy blocks it and ReDoc drops the image, so the page still loads nothing from
  outside.
- /explore (``api/views/explore.py``): its own script and style files and the self-hosted Vega
  bundles, nothing inline. Vega compiles chart expressions with ``Function`` unless told
  otherwise; the page passes ``ast: true`` to vega-embed, whose bundle includes Vega's
  expression interpreter, so no ``'unsafe-eval'`` is needed. ``connect-src 'self'``: the page
  calls this API only.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

from flask import Response

DOCS_ENDPOINTS = ("openapi_swagger_ui", "openapi_redoc")
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)


def _script_hashes(html: str) -> list[str]:
    """CSP sources allowing exactly the inline scripts of this page."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in INLINE_SCRIPT.findall(html)
    ]


COMMON_DOCS_DIRECTIVES = (
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
)


@lru_cache(maxsize=8)
def docs_policy(endpoint: str, html: str) -> str:
    """The policy of a documentation page: self-hosted code plus what that page needs."""
    scripts = " ".join(["script-src 'self'", *_script_hashes(html)])
    if endpoint == "openapi_redoc":
        specific = ["style-src 'self' 'unsafe-inline'", "worker-src blob:"]
    else:
        specific = ["style-src 'self'"]
    return "; ".join(["default-src 'none'", scripts, *specific, *COMMON_DOCS_DIRECTIVES])


EXPLORE_ENDPOINT = "explore.page"
EXPLORE_POLICY = "; ".join(
    ["default-src 'none'", "script-src 'self'", "style-src 'self'", *COMMON_DOCS_DIRECTIVES]
)


def add_security_headers(response: Response, endpoint: str | None) -> None:
    """The headers of every response, and the policy of its kind of page (the API's unless a
    documentation page or the explorer); before a conditional GET empties a page into a 304."""
    headers = response.headers
    for name, value in HEADERS:
        headers[name] = value
    page = (endpoint or "").rpartition(".")[2]
    if page in DOCS_ENDPOINTS and response.mimetype == "text/html" and not response.is_streamed:
        html = response.get_data(as_text=True)
        policy = docs_policy(page, html) if html else API_POLICY
    elif endpoint == EXPLORE_ENDPOINT:
        policy = EXPLORE_POLICY
    else:
        policy = API_POLICY
    headers["Content-Security-Policy"] = policy
