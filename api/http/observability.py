"""Request ids, one JSON log line per request, and Prometheus metrics.

Metrics use prometheus-client; under gunicorn set ``PROMETHEUS_MULTIPROC_DIR`` (the
gunicorn config does) so every worker's counts are collected by ``/metrics``.
"""

from __future__ import annotations

import logging
import os
import random
import re
import time
from http import HTTPStatus

import orjson
from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("veille.access")

REQUESTS = Counter("veille_http_requests", "HTTP requests served", ["method", "route", "status"])
LATENCY = Histogram(
    "veille_http_request_duration_seconds",
    "Time to build the response",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


# request ids need to be unique and unguessable enough to not collide, not secret: a per-process
# generator seeded from the OS (again in each forked worker) gives 128 random bits per request
# without a system call each time
_ID_RANDOM = random.Random()


def new_request_id() -> str:
    """32 lowercase hex digits, all 128 bits random."""
    return f"{_ID_RANDOM.getrandbits(128):032x}"


def _reseed_after_fork() -> None:
    _ID_RANDOM.seed()


os.register_at_fork(after_in_child=_reseed_after_fork)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


# Label values come from these bounded sets only, whatever a client sends: any method, path or
# status of its own choosing would otherwise add a time series (and a /metrics line) per value.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})
KNOWN_STATUSES = frozenset(status.value for status in HTTPStatus)


def _route() -> str:
    """The route template (``/v1/statements/<string:item_id>``); one label for every unknown path."""
    return request.url_rule.rule if request.url_rule else "unmatched"


def _method() -> str:
    return request.method if request.method in KNOWN_METHODS else "other"


def _status(code: int) -> str:
    return str(code) if code in KNOWN_STATUSES else f"{code // 100}xx"


def metrics_response() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, content_type=CONTENT_TYPE_LATEST)


def init_app(app: Flask) -> None:
    configure_logging(app.config["LOG_LEVEL"])

    @app.before_request
    def start() -> None:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.match(given) else new_request_id()
        g.started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        request_id = g.get("request_id") or new_request_id()
        response.headers["X-Request-ID"] = request_id
        duration = time.perf_counter() - g.get("started", time.perf_counter())
        route, method = _route(), _method()
        REQUESTS.labels(method, route, _status(response.status_code)).inc()
        LATENCY.labels(method, route).observe(duration)
        access_log.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": request.method,
                    "route": route,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(duration * 1000, 2),
                    "remote": request.remote_addr,
                }
            },
        )
        return response
