"""Alembic environment: the only way the schema is made, on SQLite and PostgreSQL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from api import models  # noqa: F401  (registers every table on Base.metadata)
from api.config import read_setting
from api.db import Base, make_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


# Search structures that only one backend has, made by raw DDL in migration 0002, and the
# indexes of migrations 0008 and 0011, written per backend (ids in byte order on PostgreSQL).
BACKEND_ONLY_TABLES = ("search_fts",)
BACKEND_ONLY = {
    ("column", "tsv"),
    ("index", "ix_search_documents_tsv"),
    ("index", "ix_statements_said_on_order"),
    ("index", "ix_statements_speaker_said_on_order"),
    ("index", "ix_live_counts_order"),
}


def include_object(_obj, name, type_, _reflected, _compare_to) -> bool:  # type: ignore[no-untyped-def]
    if type_ == "table" and name and name.startswith(BACKEND_ONLY_TABLES):
        return False
    return (type_, name) not in BACKEND_ONLY


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or read_setting("DATABASE_URL")


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
