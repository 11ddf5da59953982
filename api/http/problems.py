"""RFC 9457 problem details: the one error shape of the API, and its handlers."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from flask import Flask, Response
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES

from api.errors import ClientError

PROBLEM_MIMETYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 2
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
log = logging.getLogger(__name__)


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    errors: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(orjson.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def problem_from_http_exception(error: HTTPException) -> Response:
    """Turn any werkzeug/webargs HTTP exception into problem+json, keeping its headers."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    detail = data.get("message") or (error.description if status < 500 else None)
    headers = dict(data.get("headers") or {})
    response = error.get_response()
    for name in ("Allow", "Retry-After", "WWW-Authenticate", "Location"):
        if name in response.headers:
            headers[name] = response.headers[name]
    return problem_response(status, error.name, detail, errors=data.get("errors"), headers=headers)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, problem_from_http_exception)

    @app.errorhandler(ClientError)
    def client_error(error: ClientError) -> Response:
        # werkzeug's reason phrases, so a status has the title its HTTPException would give it
        title = HTTP_STATUS_CODES[error.status]
        return problem_response(error.status, title, error.detail, errors=error.errors, headers=error.headers)

    def database_unavailable(error: Exception) -> Response:
        # unreachable, locked, read-only, pool exhausted, statement timeout: the client may retry
        log.warning("database unavailable: %s: %s", error.__class__.__name__, str(error).splitlines()[0])
        return problem_from_http_exception(
            ServiceUnavailable(
                description="The database is unavailable right now; try again shortly.",
                retry_after=RETRY_AFTER_SECONDS,
            )
        )

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(IntegrityError)
    def conflict(error: IntegrityError) -> Response:
        # every write checks its constraints first; one that still fails lost a race to a
        # concurrent write (the same new id twice): the transaction was rolled back whole
        log.info("write conflict: %s", str(error.orig).splitlines()[0])
        return problem_response(
            409,
            "Conflict",
            "A concurrent write changed the same data (for example, created the same id); nothing was "
            "written. Read the current state and retry if still needed.",
        )

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        # the trace goes to the log, never to the client
        log.exception("unhandled error", exc_info=error)
        return problem_from_http_exception(InternalServerError())
