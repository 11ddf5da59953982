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
from typing import Any

import orjson
from flask import Request, Response, g
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


def metrics_response() -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, content_type=CONTENT_TYPE_LATEST)


# the counter and histogram of each method label, route and status code, bound once: ``labels()``
# validates and looks its arguments up on every call
_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}


def _series_of(method: str, route: str, status: int) -> tuple[Counter, Histogram]:
    series = _series.get((method, route, status))
    if series is None:
        label = str(status) if status in KNOWN_STATUSES else f"{status // 100}xx"
        series = _series[method, route, status] = (
            REQUESTS.labels(method, route, label),
            LATENCY.labels(method, route),
        )
    return series


def start(environ: dict[str, Any]) -> None:
    """Before the view: the request id (the client's, if well formed) and the start time."""
    given = environ.get("HTTP_X_REQUEST_ID", "")
    g.request_id = given if REQUEST_ID.match(given) else new_request_id()
    g.started = time.perf_counter()


def finish(response: Response, req: Request) -> None:
    """After everything else: the request id header, the metrics and the access log line."""
    request_id = g.get("request_id") or new_request_id()
    response.headers["X-Request-ID"] = request_id
    duration = time.perf_counter() - g.get("started", time.perf_counter())
    # labels come from bounded sets only (see KNOWN_METHODS), the route is the URL rule's template
    route = req.url_rule.rule if req.url_rule else "unmatched"
    requests, latency = _series_of(
        req.method if req.method in KNOWN_METHODS else "other", route, response.status_code
    )
    requests.inc()
    latency.observe(duration)
    access_log.info(
        "request",
        extra={
            "fields": {
                "request_id": request_id,
                "method": req.method,
                "route": route,
                "path": req.path,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 2),
                "remote": req.remote_addr,
            }
        },
    )
