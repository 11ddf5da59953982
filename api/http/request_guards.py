"""Refuse what no endpoint can serve before it reaches one: long URLs, big bodies,
NUL bytes and invalid UTF-8 (werkzeug would otherwise replace them silently)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Request

from api.errors import ClientError

TOO_LARGE = "veille.body_too_large"
# What is read and thrown away of a refused chunked body, so that the client, still sending,
# receives the 413 instead of a connection reset; past this the connection is simply closed.
DRAIN_LIMIT = 16 * 1024 * 1024


class ChunkedBodyLimit:
    """WSGI middleware: a chunked body (no Content-Length) is read up to the limit here.

    werkzeug cuts such a stream at MAX_CONTENT_LENGTH without an error, so a body too large
    would reach the views truncated (and fail as bad JSON, a 400). Read here, it is either
    handed on whole with its length, or flagged for the 413 of :func:`refuse_unservable`.
    """

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = environ["wsgi.input"]
            data = body.read(self.limit + 1)
            if len(data) > self.limit:
                environ[TOO_LARGE] = True
                data, drained = b"", len(data)
                while drained < DRAIN_LIMIT and (chunk := body.read(64 * 1024)):
                    drained += len(chunk)
            environ["wsgi.input"] = io.BytesIO(data)
            environ["CONTENT_LENGTH"] = str(len(data))
            del environ["HTTP_TRANSFER_ENCODING"]  # the body is now plain bytes of a known length
        return self.app(environ, start_response)


def _raw_target_length(environ: dict[str, Any]) -> int:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return len(raw)
    query = environ.get("QUERY_STRING", "")
    return len(environ.get("PATH_INFO", "")) + (len(query) + 1 if query else 0)


def _bad_bytes(raw: bytes) -> str | None:
    if b"\x00" in raw:
        return "contains a NUL byte"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "is not valid UTF-8"
    return None


def refuse_unservable(req: Request, max_url: int, max_body: int) -> None:
    """Before the view: 414, 413 or 400 for a request no endpoint can serve."""
    environ = req.environ
    length = _raw_target_length(environ)
    if length > max_url:
        raise ClientError(414, f"The URL is {length} characters long; the limit is {max_url}.")
    if environ.get(TOO_LARGE):
        raise ClientError(413, f"The chunked request body is over the limit of {max_body} bytes.")
    content_length = req.content_length
    if content_length is not None and content_length > max_body:
        raise ClientError(413, f"The request body is {content_length} bytes; the limit is {max_body}.")
    # PATH_INFO is the raw path decoded as latin-1 (PEP 3333): its bytes are what was sent
    checks = {
        "path": environ.get("PATH_INFO", "").encode("latin-1", "replace"),
        "query string": unquote_to_bytes(req.query_string.replace(b"+", b" ")),
    }
    for where, raw in checks.items():
        problem = _bad_bytes(raw)
        if problem:
            raise ClientError(400, f"The {where} {problem}.")
