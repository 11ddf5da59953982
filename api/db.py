"""Declarative base, engine construction and the per-request session.

The session lifecycle lives here and in the request teardown: query functions take a
session and never commit; a unit of work is wrapped in ``with session.begin():`` by
whoever owns it (the loader, a write view).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def make_engine(
    url: str, *, pool_size: int = 5, timeout_seconds: int = 5, statement_timeout_ms: int = 15000
) -> Engine:
    """An engine configured for the backend: pragmas on SQLite, pre-ping pool on PostgreSQL.

    ``timeout_seconds`` bounds how long a request waits for the database (connecting, a
    pooled connection, a SQLite lock) before it fails with 503 instead of hanging.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": timeout_seconds})
        event.listen(engine, "connect", _sqlite_pragmas(timeout_seconds * 1000))
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=timeout_seconds,
        connect_args={
            "connect_timeout": timeout_seconds,
            "options": f"-c statement_timeout={int(statement_timeout_ms)}",
        },
    )


def init_app(app: Flask) -> None:
    engine = make_engine(
        app.config["DATABASE_URL"],
        pool_size=app.config["DB_POOL_SIZE"],
        timeout_seconds=app.config["DB_TIMEOUT_SECONDS"],
        statement_timeout_ms=app.config["DB_STATEMENT_TIMEOUT_MS"],
    )
    app.extensions["veille.engine"] = engine
    app.extensions["veille.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine() -> Engine:
    return current_app.extensions["veille.engine"]


def get_session() -> Session:
    """The session of the current request (or app context), created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["veille.sessionmaker"]()
    return g.db_session


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """The request's session for one write: committed at the end, rolled back on any error."""
    session = get_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
