"""Chaos: a private PostgreSQL cluster frozen, resumed, killed and restarted under real gunicorn.

Marked ``chaos``: ``VEILLE_SKIP_CHAOS=1`` or ``-m "not chaos"`` skips it locally (it takes about
a minute); `.ci/run` runs it on its own and never skips it. It never touches the shared server.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator

import orjson
import pytest
from sqlalchemy import create_engine, text

from tests.helpers import load_seeds, migrate
from tests.servers import PostgresCluster, Reply, gunicorn, http_get

pytestmark = pytest.mark.chaos

# every route family that reads the database (the stable ids are the curated seeds')
DATA_ROUTES = [
    "/v1",
    "/v1/articles",
    "/v1/entities?type=person",
    "/v1/entities/belarus",
    "/v1/statements?limit=5",
    "/v1/events",
    "/v1/search?q=minsk",
    "/v1/timeline?interval=year",
    "/v1/entities/resolve?name=Minsk",
    "/v1/changes",
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    pg = PostgresCluster()
    try:
        pg.init()
        pg.start()
        admin = create_engine(pg.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE veille"))
        admin.dispose()
        migrate(pg.url("veille"))
        load_seeds(pg.url("veille"))
        yield pg
    finally:
        pg.remove()


@pytest.fixture(scope="module")
def server(cluster: PostgresCluster) -> Iterator[str]:
    # served as `make run` serves (one worker with threads, limits in memory), the limit lifted
    # so that the burst below is never throttled
    env = {"DATABASE_URL": cluster.url("veille"), "VEILLE_RATE_LIMIT_ANONYMOUS": "1000000/minute"}
    with gunicorn(env) as base:
        yield base


def assert_unavailable(reply: Reply, path: str) -> None:
    assert reply.status == 503, (path, reply.status, reply.body[:300])
    assert reply.content_type == "application/problem+json", (path, reply.content_type)
    assert orjson.loads(reply.body)["status"] == 503
    assert int(reply.headers["retry-after"]) == 2, (path, reply.headers)


def wait_for_200(url: str, within: float) -> float:
    started = time.monotonic()
    while True:
        reply = http_get(url, timeout=within)
        if reply.status == 200:
            return time.monotonic() - started
        assert time.monotonic() - started < within, (
            f"still {reply.status} after {within} s: {reply.body[:200]!r}"
        )
        time.sleep(0.1)


def test_frozen_database_gives_fast_503s_and_service_resumes_with_it(
    cluster: PostgresCluster, server: str
) -> None:
    for path in DATA_ROUTES:
        assert http_get(server + path).status == 200, path

    cluster.signal_all(signal.SIGSTOP)
    try:
        for path in DATA_ROUTES:
            health = http_get(server + "/healthz", timeout=5)
            assert health.status == 200
            assert health.seconds < 0.5, f"/healthz took {health.seconds:.2f} s with the database frozen"
            reply = http_get(server + path, timeout=10)
            assert_unavailable(reply, path)
            assert reply.seconds < 3, f"{path} took {reply.seconds:.2f} s with the database frozen"
    finally:
        cluster.signal_all(signal.SIGCONT)

    recovered_in = wait_for_200(server + "/v1/statements?limit=5", within=2)
    assert recovered_in < 2
    for path in DATA_ROUTES:
        assert http_get(server + path).status == 200, path


def wait_until(condition: Callable[[], bool], within: float) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"not reached within {within} s"
        time.sleep(0.05)


def burst(url: str, stop: threading.Event, replies: list[Reply], failures: list[str]) -> None:
    while not stop.is_set():
        try:
            replies.append(http_get(url, timeout=20))
        except OSError as error:  # a dropped connection is as bad as an HTML page
            failures.append(f"{url}: {error!r}")


def test_database_killed_mid_burst_never_gives_html_or_500_and_comes_back(
    cluster: PostgresCluster, server: str
) -> None:
    replies: list[Reply] = []
    failures: list[str] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=burst, args=(server + path, stop, replies, failures))
        for path in ("/v1/statements?limit=50", "/v1/search?q=minsk", "/v1/entities/belarus", "/v1/events")
    ]
    for thread in threads:
        thread.start()
    try:
        # requests in flight when the database dies: stop it once the burst is well under way,
        # and keep going until the service has answered for a while without it
        wait_until(lambda: sum(reply.status == 200 for reply in replies) >= 20, within=30)
        cluster.stop("immediate")
        seen = len(replies)
        wait_until(lambda: len(replies) >= seen + 20, within=30)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert not failures, failures[:5]
    statuses = {reply.status for reply in replies}
    assert statuses <= {200, 503}, statuses
    assert 200 in statuses and 503 in statuses, "the burst must span the stop"
    for reply in replies:
        kind = reply.content_type
        assert "html" not in kind, reply.body[:200]
        if reply.status == 503:
            assert kind == "application/problem+json"
            assert int(reply.headers["retry-after"]) == 2

    down = http_get(server + "/v1/statements", timeout=10)
    assert_unavailable(down, "/v1/statements")
    assert down.seconds < 3

    cluster.start()
    wait_for_200(server + "/v1/statements?limit=5", within=5)
    for path in DATA_ROUTES:
        assert http_get(server + path).status == 200, path
