"""When the database fails, clients get a quick 503 with Retry-After, and service comes back
by itself when the database does."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
import time
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from api import create_app
from tests.helpers import SERVER_URL, assert_problem, load_seeds, migrate

FAST = 2.5  # seconds: the configured 2 s timeout plus slack


class TcpProxy:
    """Forwards a local port to the database server; stopping it is the database going away."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener: socket.socket | None = None
        self.port = 0
        self.connections: list[socket.socket] = []

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

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
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


def test_a_database_on_a_closed_port_is_a_fast_503() -> None:
    app = create_app({"DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/test"})
    response, elapsed = timed_get(app, "/v1/statements")
    assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0
    assert elapsed < FAST
    ready, _ = timed_get(app, "/readyz")
    assert_problem(ready, 503)
    app.extensions["veille.engine"].dispose()


def test_a_locked_sqlite_database_is_a_503_then_serves_again(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'locked.sqlite3'}"
    migrate(url)
    load_seeds(url)
    app = create_app({"DATABASE_URL": url})
    assert app.test_client().get("/v1/statements").status_code == 200
    app.extensions["veille.engine"].dispose()  # new connections must meet the lock
    holder = sqlite3.connect(tmp_path / "locked.sqlite3")
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE dataset_state SET version = version")
    try:
        response, elapsed = timed_get(app, "/v1/statements")
        assert_problem(response, 503)
        assert elapsed < FAST + 1
    finally:
        holder.rollback()
        holder.close()
    assert app.test_client().get("/v1/statements").status_code == 200
    app.extensions["veille.engine"].dispose()


@pytest.mark.skipif(not SERVER_URL, reason="needs the PostgreSQL server (TEST_DATABASE_URL)")
def test_postgresql_going_away_and_coming_back(databases: Any) -> None:
    direct = databases.create()
    migrate(direct)
    load_seeds(direct)
    server = make_url(direct)
    proxy = TcpProxy((server.host or "127.0.0.1", server.port or 5432))
    proxy.start()
    app = create_app({"DATABASE_URL": server.set(port=proxy.port).render_as_string(hide_password=False)})
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
        app.extensions["veille.engine"].dispose()
