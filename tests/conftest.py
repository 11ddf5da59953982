"""Fixtures: real databases on the backend under test, and one fixture per kind of test app.

- ``app`` / ``client``: the seeded database shared by the whole session, read only.
- ``empty_url``: a database migrated to head, with no data.
- ``make_app`` (``limited_app``): apps with settings of the test's own, on the shared seeded
  database unless told otherwise; ``limited_app`` starts from a low anonymous rate limit.
- ``writable`` / ``module_writable``: a seeded database of the test's (the module's) own, an
  app on it and keys on demand, for tests that write.
- ``live_server``: gunicorn over a seeded database of the module's own, keys on demand.
- ``new_seeded_url``: makes a throwaway seeded database, for a module's fixture that must
  change it before an app opens it (test_relations' retired rows, test_browser's server).
  Apps of one module's kind stay in that module: test_synth's synthetic database,
  test_chaos' private PostgreSQL cluster.

``TEST_DATABASE_URL`` unset → SQLite files under pytest's tmp dir. Set to a PostgreSQL URL
(e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``) → every database the tests
need is created on that server with a unique name and dropped at the end, so runs never
see each other's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from api import create_app
from api.checks import SeedRows
from api.dataset.seed_files import read_seeds
from tests.helpers import SEEDS_DIR, SERVER_URL, Writable, close_app, load_seeds, migrate
from tests.servers import LiveServer, serve


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
def seeded_url(new_seeded_url: Callable[[], str]) -> str:
    """The seeded database the session shares: read only."""
    return new_seeded_url()


@pytest.fixture(scope="session")
def app(seeded_url: str) -> Iterator[Flask]:
    # rate limits have their own tests; here they would only throttle the suite
    application = create_app({"DATABASE_URL": seeded_url, "TESTING": True, "RATELIMIT_ENABLED": False})
    yield application
    close_app(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def empty_url(databases: Databases) -> str:
    """A fresh database migrated to head, with no data."""
    url = databases.create()
    migrate(url)
    return url


@pytest.fixture(scope="session")
def new_seeded_url(databases: Databases) -> Callable[[], str]:
    """Makes a throwaway database with the seeds loaded (dropped with the others at the end)."""

    def make() -> str:
        url = databases.create()
        migrate(url)
        load_seeds(url)
        return url

    return make


@pytest.fixture
def make_app(seeded_url: str) -> Iterator[Callable[..., Flask]]:
    """Makes apps with settings of the test's own: ``make_app(RATE_LIMIT_ANONYMOUS="2/minute")``.
    On the shared seeded database unless ``DATABASE_URL`` is given; rate limits on, as in
    production, unless the settings say otherwise. Closed after the test."""
    made: list[Flask] = []

    def make(**config: Any) -> Flask:
        application = create_app({"DATABASE_URL": seeded_url, **config})
        made.append(application)
        return application

    yield make
    for application in made:
        close_app(application)


@pytest.fixture
def limited_app(make_app: Callable[..., Flask]) -> Callable[..., Flask]:
    """``make_app`` starting from an anonymous limit of 3 requests a minute."""
    return lambda **config: make_app(**{"RATE_LIMIT_ANONYMOUS": "3/minute", **config})


@pytest.fixture
def writable(new_seeded_url: Callable[[], str]) -> Iterator[Writable]:
    """A seeded database of the test's own, an app on it and keys on demand."""
    target = Writable(new_seeded_url())
    yield target
    target.close()


@pytest.fixture(scope="module")
def module_writable(new_seeded_url: Callable[[], str]) -> Iterator[Writable]:
    """``writable`` shared by one module's tests: for writes that are refused or never meet."""
    target = Writable(new_seeded_url())
    yield target
    target.close()


@pytest.fixture(scope="module")
def live_server(new_seeded_url: Callable[[], str]) -> Iterator[LiveServer]:
    """gunicorn over a seeded database of the module's own (its tests may write)."""
    url = new_seeded_url()
    with serve(url) as base:
        yield LiveServer(base, url)
