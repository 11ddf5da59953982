"""Security headers on every response, and a Content-Security-Policy that fits each kind.

API responses (JSON, CSV, problem+json…) are never meant to run anything in a browser, so
their policy forbids everything. The two documentation pages (/docs, /redoc) may run only
the self-hosted Swagger UI and ReDoc (``api/docs_assets.py``) plus the inline elements of
flask-smorest's templates, allowed by their SHA-256 hash, computed from the page served, so
no ``'unsafe-inline'`` script. ReDoc also needs ``blob:`` workers (its search index runs in
one) and inline styles (styled-components writes its rules at run time); Swagger UI and
ReDoc both draw ``data:`` images from their CSS.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache

from flask import Flask, Response, request

DOCS_ENDPOINTS = ("openapi_swagger_ui", "openapi_redoc")
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
_INLINE = {
    tag: re.compile(rf"<{tag}(?![^>]*\bsrc\s*=)[^>]*>(.*?)</{tag}\s*>", re.DOTALL | re.IGNORECASE)
    for tag in ("script", "style")
}


def _hashes(html: str, tag: str) -> list[str]:
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE[tag].findall(html)
    ]


@lru_cache(maxsize=8)
def docs_policy(html: str) -> str:
    """The policy of a documentation page: self-hosted code and that page's inline scripts only."""
    return "; ".join(
        [
            "default-src 'none'",
            " ".join(["script-src 'self'", *_hashes(html, "script")]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def _is_docs_page(response: Response) -> bool:
    endpoint = request.endpoint or ""
    return endpoint.rpartition(".")[2] in DOCS_ENDPOINTS and response.mimetype == "text/html"


def init_app(app: Flask) -> None:
    """Register the hook; call it after ``http_caching.init_app``.

    after_request hooks run in reverse order of registration, so this one sees a documentation
    page's body before a conditional GET turns it into an empty 304 that must keep its policy.
    """

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.update(HEADERS)
        if _is_docs_page(response) and not response.direct_passthrough and response.get_data():
            policy = docs_policy(response.get_data(as_text=True))
        else:
            policy = API_POLICY
        response.headers["Content-Security-Policy"] = policy
        return response
