"""Helpers shared by the fixtures and the test modules."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.cli import alembic_config
from api.config import PROJECT_ROOT, normalise_database_url
from api.db import make_engine
from api.models import DatasetState
from api.seed_files import read_seeds
from api.seed_loader import LOAD_ORDER, load_seed_rows

SERVER_URL = normalise_database_url(os.environ.get("TEST_DATABASE_URL", ""))
SEEDS_DIR = Path(os.environ.get("VEILLE_SEEDS_DIR", PROJECT_ROOT / "seeds"))
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn_server(database_url: str) -> Iterator[str]:
    """gunicorn serving ``database_url`` on a free loopback port; yields its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VEILLE_RATE_LIMIT_ANONYMOUS": "1000000/minute",
        "VEILLE_LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": "2",
    }
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "api:create_app()",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("gunicorn did not start: " + (process.stderr.read() or b"").decode()[-2000:])
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def load_seeds(url: str, seeds_dir: Path = SEEDS_DIR) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session, session.begin():
            load_seed_rows(session, read_seeds(seeds_dir))
    finally:
        engine.dispose()


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
