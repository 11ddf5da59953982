"""Operations endpoints: liveness, readiness, metrics (not part of the versioned API)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app
from sqlalchemy import text

from api.db import alembic_config, get_engine, get_read_engine
from api.errors import ClientError
from api.http.jsonio import json_response
from api.http.observability import metrics_response
from api.http.problems import RETRY_AFTER_SECONDS

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> Response:
    """The process is alive (no dependency is checked)."""
    return json_response({"status": "ok"})


@blp.get("/readyz")
def readyz() -> Response:
    """Ready when the database (and its read replica, if set) answers and its schema is at the
    latest migration."""
    # Alembic only here: a worker that boots does not load it before the first probe
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    head = ScriptDirectory.from_config(alembic_config(current_app.config["DATABASE_URL"])).get_current_head()
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
        current = MigrationContext.configure(connection).get_current_revision()
    if get_read_engine() is not get_engine():
        # every read goes there: a host whose replica is away could answer only writes
        with get_read_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    if current != head:
        raise ClientError(
            503,
            f"The database schema is at revision {current}, not {head}: run the migrations.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return json_response({"status": "ready", "database": "ok", "migration": current})


@blp.get("/metrics")
def metrics() -> Response:
    """Prometheus text format: request counts and latency histograms per route and status."""
    return metrics_response()
