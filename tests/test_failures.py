"""When the database fails, clients get a quick 503 with Retry-After, and service comes back
by itself when the database does."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, g
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from api.db import get_session, lift_statement_timeout, make_engine
from tests.helpers import SERVER_URL, assert_problem, load_seeds, migrate

FAST = 2.5  # seconds: the configured 2 s timeout plus slack


class TcpProxy:
    """Forwards a local port to the database server; stopping it is the database going away,
    freezing it is the database stalling (connections stay open, nothing comes back)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener: socket.socket | None = None
        self.port = 0
        self.connections: list[socket.socket] = []
        self.flowing = threading.Event()
        self.flowing.set()

    def freeze(self) -> None:
        self.flowing.clear()

    def thaw(self) -> None:
        self.flowing.set()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                self.flowing.wait()
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.listener:
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self.listener.close()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
                connection.close()
        self.connections = []


def timed_get(app: Any, path: str) -> tuple[Any, float]:
    started = time.monotonic()
    response = app.test_client().get(path)
    return response, time.monotonic() - started


def test_a_database_on_a_closed_port_is_a_fast_503(make_app: Callable[..., Flask]) -> None:
    app = make_app(DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:9/test")
    response, elapsed = timed_get(app, "/v1/statements")
    assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0
    assert elapsed < FAST
    ready, _ = timed_get(app, "/readyz")
    assert_problem(ready, 503)


def test_a_locked_sqlite_database_is_a_503_then_serves_again(
    tmp_path: Any, make_app: Callable[..., Flask]
) -> None:
    url = f"sqlite:///{tmp_path / 'locked.sqlite3'}"
    migrate(url)
    load_seeds(url)
    app = make_app(DATABASE_URL=url)
    assert app.test_client().get("/v1/statements").status_code == 200
    app.extensions["veille.engine"].dispose()  # new connections must meet the lock
    holder = sqlite3.connect(tmp_path / "locked.sqlite3")
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE dataset_state SET version = version")
    try:
        response, elapsed = timed_get(app, "/v1/statements")
        assert_problem(response, 503)
        assert response.headers["Retry-After"] == "2"
        assert elapsed < FAST + 1
        health, elapsed = timed_get(app, "/healthz")
        assert health.status_code == 200
        assert elapsed < 0.5, "/healthz must not wait for the database"
    finally:
        holder.rollback()
        holder.close()
    assert app.test_client().get("/v1/statements").status_code == 200


@pytest.mark.skipif(not SERVER_URL, reason="needs the PostgreSQL server (TEST_DATABASE_URL)")
def test_postgresql_going_away_and_coming_back(
    new_seeded_url: Callable[[], str], make_app: Callable[..., Flask]
) -> None:
    server = make_url(new_seeded_url())
    proxy = TcpProxy((server.host or "127.0.0.1", server.port or 5432))
    proxy.start()
    app = make_app(DATABASE_URL=server.set(port=proxy.port).render_as_string(hide_password=False))
    try:
        assert app.test_client().get("/v1/statements").status_code == 200
        proxy.stop()
        response, elapsed = timed_get(app, "/v1/statements")
        assert_problem(response, 503)
        assert elapsed < FAST
        proxy.start()
        recovered = app.test_client().get("/v1/statements")
        assert recovered.status_code == 200, "the pool should reconnect without a restart"
    finally:
        proxy.stop()


def in_thread(call: Any, within: float) -> Any:
    """``call()`` in a thread; fails the test (instead of hanging it) when it takes too long."""
    outcome: list[Any] = []
    worker = threading.Thread(target=lambda: outcome.append(call()), daemon=True)
    worker.start()
    worker.join(within)
    assert outcome, f"no answer within {within} s"
    return outcome[0]


@pytest.fixture
def proxied(new_seeded_url: Callable[[], str], make_app: Callable[..., Flask]) -> Any:
    """An app that reaches a seeded PostgreSQL database through a TcpProxy."""
    if not SERVER_URL:
        pytest.skip("needs the PostgreSQL server (TEST_DATABASE_URL)")
    direct = new_seeded_url()
    server = make_url(direct)
    proxy = TcpProxy((server.host or "127.0.0.1", server.port or 5432))
    proxy.start()
    app = make_app(DATABASE_URL=server.set(port=proxy.port).render_as_string(hide_password=False))
    try:
        yield app, proxy, direct
    finally:
        proxy.thaw()
        proxy.stop()


def test_a_stalled_postgresql_is_a_fast_503_and_healthz_still_answers(proxied: Any) -> None:
    app, proxy, _ = proxied
    assert app.test_client().get("/v1/statements").status_code == 200  # a pooled connection
    proxy.freeze()
    response, elapsed = in_thread(lambda: timed_get(app, "/v1/statements"), within=10)
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "2"
    assert elapsed < FAST
    health, elapsed = in_thread(lambda: timed_get(app, "/healthz"), within=10)
    assert health.status_code == 200
    assert elapsed < 0.5
    proxy.thaw()
    assert app.test_client().get("/v1/statements").status_code == 200


def test_a_table_lock_held_on_postgresql_is_a_fast_503(proxied: Any) -> None:
    app, _, direct = proxied
    holder = create_engine(direct)
    try:
        with holder.connect() as connection:
            connection.execute(text("LOCK TABLE statements IN ACCESS EXCLUSIVE MODE"))
            response, elapsed = in_thread(lambda: timed_get(app, "/v1/statements"), within=20)
            assert_problem(response, 503)
            assert elapsed < FAST + 0.5
            connection.rollback()
        assert app.test_client().get("/v1/statements").status_code == 200
    finally:
        holder.dispose()


def test_the_database_dying_during_a_request_never_escapes_as_a_server_error(proxied: Any) -> None:
    app, _, direct = proxied
    admin = create_engine(direct, isolation_level="AUTOCOMMIT")

    @app.get("/test-dies-mid-request")
    def dies_mid_request() -> str:
        g.backend = get_session().execute(text("SELECT pg_backend_pid()")).scalar_one()
        return "read before the database went away"

    # runs before the session's own teardown (they run in reverse order): its server process
    # ends (as in a shutdown) with a transaction open, so the session's rollback fails
    @app.teardown_appcontext
    def terminate(_exc: BaseException | None) -> None:
        if "backend" in g:
            with admin.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": g.backend})

    try:
        response = app.test_client().get("/test-dies-mid-request")
        assert response.status_code == 200
        assert response.get_data(as_text=True) == "read before the database went away"
        assert app.test_client().get("/v1/statements").status_code == 200
    finally:
        admin.dispose()


def test_a_batch_job_may_lift_the_statement_timeout_and_the_client_deadline(databases: Any) -> None:
    if not SERVER_URL:
        pytest.skip("needs the PostgreSQL server (TEST_DATABASE_URL)")
    # statement_timeout 1 s, client deadline 1 s + 1 s: a 2.5 s statement passes only lifted
    engine = make_engine(databases.create(), timeout_seconds=1, statement_timeout_ms=1000)
    try:
        with engine.begin() as connection:
            lift_statement_timeout(connection)
            connection.execute(text("SELECT pg_sleep(2.5)"))
        with engine.connect() as connection, pytest.raises(OperationalError, match="statement timeout"):
            connection.execute(text("SELECT pg_sleep(2.5)"))
    finally:
        engine.dispose()


def test_a_server_freezing_during_a_statement_is_given_up_after_its_budget(proxied: Any) -> None:
    _, proxy, direct = proxied
    # statement_timeout 1 s + 1 s margin: the frozen server never cancels, the client does
    url = make_url(direct).set(port=proxy.port).render_as_string(hide_password=False)
    engine = make_engine(url, timeout_seconds=1, statement_timeout_ms=1000)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))  # checked out and live
            proxy.freeze()

            def frozen_statement() -> tuple[str, float]:
                started = time.monotonic()
                try:
                    connection.execute(text("SELECT count(*) FROM statements"))
                except OperationalError as error:
                    return str(error), time.monotonic() - started
                return "answered", time.monotonic() - started

            message, elapsed = in_thread(frozen_statement, within=10)
        assert "did not answer within 2 s" in message
        assert elapsed < 3
        proxy.thaw()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        proxy.thaw()
        engine.dispose()
