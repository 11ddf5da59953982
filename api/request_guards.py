"""Refuse what no endpoint can serve before it reaches one: long URLs, big bodies,
NUL bytes and invalid UTF-8 (werkzeug would otherwise replace them silently)."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Flask, request
from webargs.flaskparser import abort


def _raw_target_length() -> int:
    environ = request.environ
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


def init_app(app: Flask) -> None:
    max_url, max_body = app.config["MAX_URL_LENGTH"], app.config["MAX_CONTENT_LENGTH"]

    @app.before_request
    def guard() -> None:
        length = _raw_target_length()
        if length > max_url:
            abort(414, message=f"The URL is {length} characters long; the limit is {max_url}.")
        if request.content_length is not None and request.content_length > max_body:
            abort(
                413, message=f"The request body is {request.content_length} bytes; the limit is {max_body}."
            )
        # PATH_INFO is the raw path decoded as latin-1 (PEP 3333): its bytes are what was sent
        checks = {
            "path": request.environ.get("PATH_INFO", "").encode("latin-1", "replace"),
            "query string": unquote_to_bytes(request.query_string.replace(b"+", b" ")),
        }
        for where, raw in checks.items():
            problem = _bad_bytes(raw)
            if problem:
                abort(400, message=f"The {where} {problem}.")
