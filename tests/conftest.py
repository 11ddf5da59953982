"""Fixtures: real databases on the backend under test.

``TEST_DATABASE_URL`` unset → SQLite files under pytest's tmp dir. Set to a PostgreSQL URL
(e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) → every database the tests
need is created on that server with a unique name and dropped at the end, so runs never
see each other's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from api import create_app
from api.checks import SeedRows
from api.dataset.seed_files import read_seeds
from tests.helpers import SEEDS_DIR, SERVER_URL, load_seeds, migrate


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # a developer's shortcut only: .ci/run runs the chaos test without it
    if os.environ.get("VEILLE_SKIP_CHAOS"):
        skip = pytest.mark.skip(reason="VEILLE_SKIP_CHAOS is set")
        for item in items:
            if "chaos" in item.keywords:
                item.add_marker(skip)


def pytest_report_header() -> str:
    backend = make_url(SERVER_URL).render_as_string(hide_password=True) if SERVER_URL else "SQLite"
    return f"veille test backend: {backend}"


class Databases:
    """Throwaway databases on the backend under test."""

    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir
        self.run_id = uuid.uuid4().hex[:10]
        self.created: list[str] = []
        self.admin: Engine | None = (
            create_engine(SERVER_URL, isolation_level="AUTOCOMMIT") if SERVER_URL else None
        )

    @property
    def backend(self) -> str:
        return "postgresql" if self.admin else "sqlite"

    def create(self) -> str:
        name = f"veille_test_{self.run_id}_{len(self.created)}"
        self.created.append(name)
        if self.admin is None:
            return f"sqlite:///{self.tmp_dir / (name + '.sqlite3')}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self.admin is None:
            return
        with self.admin.connect() as connection:
            for name in self.created:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("databases"))
    yield dbs
    dbs.drop_all()


@pytest.fixture(scope="session")
def seed_rows() -> SeedRows:
    """The curated dataset as the loader reads it: the expectation the API is checked against."""
    return read_seeds(SEEDS_DIR)


@pytest.fixture(scope="session")
def seeded_url(databases: Databases) -> str:
    url = databases.create()
    migrate(url)
    load_seeds(url)
    return url


@pytest.fixture(scope="session")
def app(seeded_url: str) -> Iterator[Flask]:
    # rate limits have their own tests; here they would only throttle the suite
    application = create_app({"DATABASE_URL": seeded_url, "TESTING": True, "RATELIMIT_ENABLED": False})
    yield application
    application.extensions["veille.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def empty_url(databases: Databases) -> str:
    """A fresh database migrated to head, with no data."""
    url = databases.create()
    migrate(url)
    return url
