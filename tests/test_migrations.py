"""Alembic is the only way the schema is made: it upgrades, downgrades and matches the models."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from api.db import alembic_config, make_engine
from tests.helpers import SERVER_URL, migrate

DATASET_TABLES = {
    "articles",
    "article_cited_outlets",
    "entities",
    "entity_aliases",
    "events",
    "event_evidence",
    "event_participants",
    "mentions",
    "statements",
    "statement_about",
    "dataset_state",
    "search_documents",
    "api_keys",
    "revisions",
    "idempotency_records",
    "live_counts",
}
# FTS5 keeps its index in a virtual table and shadow tables (SQLite only)
FTS_TABLES = {"search_fts", "search_fts_data", "search_fts_idx", "search_fts_docsize", "search_fts_config"}
EXPECTED = DATASET_TABLES if SERVER_URL else DATASET_TABLES | FTS_TABLES


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_leaves_the_full_schema(databases: Any) -> None:
    url = databases.create()
    migrate(url)
    assert tables(url) == EXPECTED
    command.downgrade(alembic_config(url), "base")
    assert tables(url) == set()
    migrate(url)
    assert tables(url) == EXPECTED


def test_models_and_migrations_agree(empty_url: str) -> None:
    # raises when autogenerate would find a difference
    command.check(alembic_config(empty_url))


@pytest.mark.skipif(bool(SERVER_URL), reason="SQLite connection settings")
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    finally:
        engine.dispose()


@pytest.mark.skipif(not SERVER_URL, reason="PostgreSQL pool settings")
def test_postgresql_pool_replaces_a_dead_connection_before_use(empty_url: str) -> None:
    engine = make_engine(empty_url, pool_size=1)
    try:
        assert engine.dialect.driver == "psycopg"
        with engine.connect() as connection:
            backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin = create_engine(empty_url)
        with admin.connect() as connection:  # the pooled connection's server process ends
            connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": backend})
        admin.dispose()
        with engine.connect() as connection:  # the check-out ping finds it dead: a new one serves
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != backend
    finally:
        engine.dispose()
