"""Declarative base, engine construction, the per-request session and the Alembic configuration.

The session lifecycle lives here and in the request teardown: query functions take a
session and never commit; a unit of work is wrapped in ``with session.begin():`` by
whoever owns it (the loader, a write view).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from api.config import PROJECT_ROOT

if TYPE_CHECKING:
    from alembic.config import Config

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


log = logging.getLogger(__name__)
READ_METHODS = frozenset({"GET", "HEAD"})


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(busy_timeout_ms: int, *, read_only: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    return on_connect


class ServerStalled(psycopg.OperationalError):
    """The server kept the connection open but did not answer in time (it was closed)."""


class DeadlineConnection(psycopg.Connection):  # type: ignore[type-arg]
    """A psycopg connection that gives up on a server that stops answering.

    A frozen server (SIGSTOP, a stalled VM, a wedged disk) keeps its sockets open and its
    kernel acknowledges every packet, so neither ``statement_timeout`` (the server must run to
    enforce it) nor TCP keepalives or ``tcp_user_timeout`` (the peer's kernel answers) ever
    fire: a request would wait for the whole outage. Every round trip of psycopg goes through
    :meth:`wait`; here it has a deadline, and a connection that misses it is closed (its state
    is unknown), which SQLAlchemy then treats as a disconnect and discards.
    """

    # seconds, set per connection by make_engine: any round trip (statement_timeout plus a
    # margin; None while a batch job has lifted it), and one that must be instant on a live
    # server (a ping, a rollback)
    answer_within: float | None = 17.0
    quick_within: float = 2.0

    def wait(self, gen: Any, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        limits = [t for t in (timeout, self.answer_within) if t is not None]
        if not limits:
            return super().wait(gen, *args, **kwargs)
        budget = min(limits)
        try:
            return super().wait(gen, *args, timeout=budget, **kwargs)
        except psycopg.errors._WaitTimeout as exc:  # psycopg's own name for its wait timeout
            self.pgconn.finish()
            raise ServerStalled(
                f"the database did not answer within {budget:g} s; connection closed"
            ) from exc

    @contextmanager
    def answering_within(self, seconds: float) -> Iterator[None]:
        """A tighter deadline for round trips that must be instant (a ping, a rollback)."""
        saved = self.answer_within
        self.answer_within = seconds if saved is None else min(seconds, saved)
        try:
            yield
        finally:
            self.answer_within = saved

    def rollback(self) -> None:
        # a rollback is never slow on a live server: the pool's reset on check-in must not
        # hold a worker for a whole statement budget when the server froze mid-request
        with self.answering_within(self.quick_within):
            super().rollback()


def _postgresql_guards(engine: Engine, *, quick_seconds: float, answer_seconds: float) -> None:
    """Deadlines on every round trip, and a ping at check-out that fails fast on a stall."""

    @event.listens_for(engine, "do_connect")
    def connect(_dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> DeadlineConnection:
        connection = DeadlineConnection.connect(*cargs, **cparams)
        connection.answer_within = answer_seconds
        connection.quick_within = quick_seconds
        return connection

    @event.listens_for(engine, "connect")
    def fresh(dbapi_connection: Any, record: Any) -> None:
        record.info["fresh"] = True  # just made: a ping would tell nothing new

    @event.listens_for(engine, "checkout")
    def ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        dbapi_connection.answer_within = answer_seconds  # whatever a previous user lifted
        if record.info.pop("fresh", False):
            return
        try:
            with dbapi_connection.answering_within(quick_seconds):
                # outside a transaction: the request's reads may run in autocommit (see _reads),
                # which cannot be switched on inside one
                saved, dbapi_connection.autocommit = dbapi_connection.autocommit, True
                cursor = dbapi_connection.cursor()
                try:
                    cursor.execute(";")
                finally:
                    cursor.close()
                # only on success: a connection that failed the ping is closed and discarded
                dbapi_connection.autocommit = saved
        except ServerStalled:
            # stalled, not gone: reconnecting would wait once more (connect_timeout), so the
            # request fails now; SQLAlchemy wraps this into its OperationalError (a 503)
            raise
        except psycopg.OperationalError as exc:
            # gone (a restart, a dropped connection): the pool reconnects and tries once more
            raise DisconnectionError(str(exc)) from exc


def lift_statement_timeout(connection: Connection) -> None:
    """For a batch job's transaction on PostgreSQL: no ``statement_timeout``, no client deadline.

    The deadline comes back when the connection is next checked out of the pool.
    """
    connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
    dbapi_connection = connection.connection.dbapi_connection
    if isinstance(dbapi_connection, DeadlineConnection):
        dbapi_connection.answer_within = None


def make_engine(
    url: str,
    *,
    pool_size: int = 5,
    timeout_seconds: int = 5,
    statement_timeout_ms: int = 15000,
    read_only: bool = False,
) -> Engine:
    """An engine configured for the backend: pragmas on SQLite, deadlines on PostgreSQL.

    ``timeout_seconds`` bounds how long a request waits for the database before it fails
    with 503 instead of hanging: connecting, a pooled connection, a lock (SQLite's busy
    timeout, PostgreSQL's ``lock_timeout``), the check-out ping. A statement may run for
    ``statement_timeout_ms``; past that plus ``timeout_seconds`` without an answer the server
    is taken for stalled and the connection closed. ``read_only`` makes every transaction
    refuse writes (SQLite ``query_only``, PostgreSQL ``default_transaction_read_only``).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": timeout_seconds})
        event.listen(engine, "connect", _sqlite_pragmas(timeout_seconds * 1000, read_only=read_only))
        return engine
    options = (
        f"-c statement_timeout={int(statement_timeout_ms)} -c lock_timeout={int(timeout_seconds * 1000)}"
    )
    if read_only:
        options += " -c default_transaction_read_only=on"
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=timeout_seconds,
        connect_args={
            # libpq counts connect_timeout per address tried, with a 2 s floor
            "connect_timeout": max(timeout_seconds, 2),
            "options": options,
            # a peer that vanishes (host down, cable cut) is also noticed by the kernel:
            # data unacknowledged for 10 s, or an idle connection failing its keepalives
            "tcp_user_timeout": 10000,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        },
    )
    _postgresql_guards(
        engine,
        quick_seconds=float(timeout_seconds),
        answer_seconds=statement_timeout_ms / 1000 + timeout_seconds,
    )
    return engine


def _reads(engine: Engine) -> Engine:
    """How GET and HEAD requests use ``engine``. On PostgreSQL, in autocommit: a read's
    BEGIN and its ROLLBACK at the end of the request are two round trips out of five for one
    item, and buy nothing at READ COMMITTED, where every statement takes its own snapshot
    inside a transaction too. SQLite is left as it is: its driver never opens a transaction
    for a SELECT."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def init_app(app: Flask) -> None:
    """The primary engine, and the read engine GET and HEAD requests use (the primary itself
    unless ``DATABASE_READ_URL`` names a replica)."""
    limits = {
        "pool_size": app.config["DB_POOL_SIZE"],
        "timeout_seconds": app.config["DB_TIMEOUT_SECONDS"],
        "statement_timeout_ms": app.config["DB_STATEMENT_TIMEOUT_MS"],
    }
    engine = make_engine(app.config["DATABASE_URL"], **limits)
    app.extensions["veille.engine"] = engine
    app.extensions["veille.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    read_url = app.config["DATABASE_READ_URL"]
    # a replica is read-only, as a real one is: a GET that wrote would fail on every setup
    # alike, and the primary named here too (a test, a replica not there yet) takes no write
    read_engine = make_engine(read_url, read_only=True, **limits) if read_url else engine
    app.extensions["veille.read_engine"] = read_engine
    app.extensions["veille.read_sessionmaker"] = sessionmaker(
        _reads(read_engine), expire_on_commit=False, info={_READS: True}
    )
    app.teardown_appcontext(_close_session)


# session.info keys: a GET's session (reads only), the connection statements run on, and the
# session's own bind while a GET's connection stands in for it
_READS = "veille.reads"
_CONNECTION = "veille.connection"
_BIND = "veille.bind"


def connection_of(session: Session) -> Connection:
    """The connection the statements of ``session`` run on, asked for once (api.queries.run).

    A GET's session checks a connection out of the read engine's pool when first needed and
    becomes bound to it, so the ORM, if the GET uses it too, reads on the same connection; it
    is closed with the session. Its reads need neither the ORM's transaction nor the session's
    bookkeeping (60 us of a request) and run in their own statements, as they would in the
    session (each sees the latest commit, on both backends). When the ORM has a connection
    already, that one is shared. Any other session's statements run on the session's
    connection, inside its unit of work, which a commit or rollback releases (the next
    statement asks again)."""
    info = session.info
    connection: Connection | None = info.get(_CONNECTION)
    if connection is not None and not connection.closed and not connection.invalidated:
        return connection
    if info.get(_READS) and not session.in_transaction():
        _release(session)  # one that went bad
        connection = session.get_bind().connect()
        info[_BIND], session.bind = session.bind, connection
    else:
        connection = session.connection()
    info[_CONNECTION] = connection
    return connection


def _release(session: Session) -> None:
    """Give the session its own bind back and close the connection that stood in for it."""
    connection = session.info.pop(_CONNECTION, None)
    if _BIND in session.info:
        session.bind = session.info.pop(_BIND)
        if connection is not None:
            _close_connection(connection)


def _close_connection(connection: Connection) -> None:
    try:
        connection.close()
    except (OperationalError, InterfaceError) as exc:
        # as for the session below: the database went away; the connection is dropped
        log.warning("closing a connection: %s: %s", exc.__class__.__name__, str(exc).splitlines()[0])
        connection.invalidate()


def get_engine() -> Engine:
    """The primary: every write, the commands, migrations."""
    return current_app.extensions["veille.engine"]


def get_read_engine() -> Engine:
    """The engine GET and HEAD requests read from: the replica when one is set, else the primary."""
    return current_app.extensions["veille.read_engine"]


def get_session() -> Session:
    """The session of the current request (or app context), created on first use: on the read
    engine for GET and HEAD, on the primary for any other method and outside a request."""
    if "db_session" not in g:
        reads = has_request_context() and request.method in READ_METHODS
        g.db_session = current_app.extensions[
            "veille.read_sessionmaker" if reads else "veille.sessionmaker"
        ]()
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
        close_session(session)


def close_session(session: Session) -> None:
    """Close ``session`` and the read connection it had (see :func:`connection_of`), never
    raising: at the end of a request, or of a stream that read on after it."""
    try:
        session.close()
    except (OperationalError, InterfaceError) as exc:
        # the database went away mid-request and the rollback of close() failed: the response
        # (a 503 or a finished read) is already made, and an error raised from a teardown
        # would replace it with the server's HTML 500; the connection is dropped instead
        log.warning("closing the session: %s: %s", exc.__class__.__name__, str(exc).splitlines()[0])
        session.invalidate()
    _release(session)


def alembic_config(database_url: str) -> Config:
    """Alembic's configuration for ``database_url``: this project's migrations, the app's logging."""
    from alembic.config import Config  # noqa: PLC0415 — Alembic is for commands and /readyz, not for boot

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def upgrade_schema(database_url: str, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` (``flask migrate``, ``flask synth``)."""
    from alembic import command  # noqa: PLC0415 — as above

    command.upgrade(alembic_config(database_url), revision)
