"""Helpers shared by the fixtures and the test modules."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from alembic import command
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import create_app
from api.collections import LOAD_ORDER
from api.config import PROJECT_ROOT, normalise_database_url
from api.dataset.loader import load_seed_rows
from api.dataset.seed_files import read_seeds
from api.db import alembic_config, make_engine
from api.models import DatasetState

SERVER_URL = normalise_database_url(os.environ.get("TEST_DATABASE_URL", ""))
SEEDS_DIR = Path(os.environ.get("VEILLE_SEEDS_DIR", PROJECT_ROOT / "seeds"))
BIN = Path(sys.executable).parent


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def load_seeds(url: str, seeds_dir: Path = SEEDS_DIR) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            load_seed_rows(session, read_seeds(seeds_dir))
    finally:
        engine.dispose()


def close_app(app: Flask) -> None:
    """Close an app's connection pools: its engine, and its read replica's when it has one."""
    app.extensions["veille.engine"].dispose()
    app.extensions["veille.read_engine"].dispose()


def new_key(app: Flask, name: str, scope: str) -> str:
    """A new API key made by ``flask keys create`` on ``app``'s database: the Authorization value."""
    result = app.test_cli_runner().invoke(args=["keys", "create", "--name", name, "--scope", scope])
    assert result.exit_code == 0, result.output
    return f"Bearer {result.output.strip()}"


class Writable:
    """A seeded database of its own and an app on it (rate limits off), for tests that write:
    the session's seeded database stays exactly the seeds. Keys are made on demand."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
        self.keys: dict[str, str] = {}

    def key(self, name: str, scope: str | None = None) -> str:
        """The Authorization value of the key named ``k-<name>`` (revisions show it as their
        actor) with ``scope``, by default the name; made on first use."""
        if name not in self.keys:
            self.keys[name] = new_key(self.app, f"k-{name}", scope or name)
        return self.keys[name]

    def close(self) -> None:
        close_app(self.app)


def snapshot(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every dataset table, in primary-key order."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            tables: dict[str, list[dict[str, Any]]] = {}
            for name, model in [*LOAD_ORDER, ("dataset_state", DatasetState)]:
                table = model.__table__
                rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
                tables[name] = [dict(row._mapping) for row in rows]
            return tables
    finally:
        engine.dispose()


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is RFC 9457 problem+json with the given status; returns the body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["title"]
    assert body["type"] == "about:blank"
    return body
