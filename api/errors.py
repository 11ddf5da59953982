"""The one way code says a request cannot be served as asked: ``raise ClientError(...)``.

Free of Flask, so queries, writes and checks raise it without knowing about HTTP;
``api.http.problems`` renders it as problem+json.
"""

from __future__ import annotations

from collections.abc import Mapping


class ClientError(Exception):
    """A request refused with ``status``: a 4xx, or a 503 the service decides on (readiness).

    ``detail`` explains it to the client, ``errors`` names the places at fault (a parameter, a
    body field) and ``headers`` are added to the response (Retry-After, WWW-Authenticate).
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: dict[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers
