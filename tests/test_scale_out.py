"""More than one machine: GET and HEAD read from the replica (when one is set), everything else
from the primary; two app processes on one PostgreSQL and one Redis agree on rate limits,
ETags and dataset versions."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from api.db import get_session
from api.models import DatasetState
from tests.helpers import SERVER_URL, Writable, assert_problem, load_seeds, migrate
from tests.servers import Reply, create_key, http_get, serve
from tests.test_failures import FAST, TcpProxy, in_thread, timed_get

# the PostgreSQL server the suite uses, else the usual local one (the two-process tests need one
# whatever the backend under test)
POSTGRESQL = SERVER_URL or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# a Redis database of this file's own (tests/test_limits.py has 13); nothing is flushed: every
# test counts under client addresses of its own, which expire with their minute
REDIS_DATABASE = 12
ANONYMOUS_LIMIT = 10

NEW_ENTITY = {
    "id": "scale-out-entity",
    "name": "Scale Out Entity",
    "type": "organization",
    "description": "Written through one process, read through the other",
}


# -- routing: any backend ---------------------------------------------------------------------


def test_get_and_head_read_the_replica_and_writes_go_to_the_primary(
    databases: Any, writable: Writable, make_app: Callable[..., Flask]
) -> None:
    primary = writable.url
    replica = databases.create()
    migrate(replica)  # a replica that has replayed nothing yet: what a lagging one shows
    key = writable.key("write")
    routed = make_app(DATABASE_URL=primary, DATABASE_READ_URL=replica, RATELIMIT_ENABLED=False)
    client, on_primary = routed.test_client(), writable.app.test_client()
    seeded_id = on_primary.get("/v1/entities?limit=1").get_json()["data"][0]["id"]
    assert client.get("/v1/entities").get_json()["data"] == []
    assert client.head(f"/v1/entities/{seeded_id}").status_code == 404
    assert client.get("/v1").headers["X-Dataset-Version"] == "0"

    version = on_primary.get("/v1").headers["X-Dataset-Version"]
    created = client.post("/v1/entities", json=NEW_ENTITY, headers={"Authorization": key})
    assert created.status_code == 201, created.get_data(as_text=True)  # the key is on the primary only
    assert created.headers["X-Dataset-Version"] == str(int(version) + 1)
    assert on_primary.get(f"/v1/entities/{NEW_ENTITY['id']}").status_code == 200
    assert client.get(f"/v1/entities/{NEW_ENTITY['id']}").status_code == 404


def test_the_read_replica_sessions_refuse_writes(seeded_url: str, make_app: Callable[..., Flask]) -> None:
    # named twice (a replica URL that is in fact the primary), a write routed to reads would succeed
    app = make_app(DATABASE_READ_URL=seeded_url)
    with app.test_request_context("/v1", method="GET"):
        session = get_session()
        with pytest.raises(DBAPIError):
            session.execute(update(DatasetState).values(version=DatasetState.version))
        session.rollback()
    with app.test_request_context("/v1/entities", method="POST"):
        session = get_session()
        session.execute(update(DatasetState).values(version=DatasetState.version))
        session.rollback()


def test_a_replica_on_a_closed_port_makes_reads_and_readiness_a_fast_503(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(DATABASE_READ_URL="postgresql+psycopg://postgres@127.0.0.1:9/test")
    response, elapsed = timed_get(app, "/v1/statements")
    assert_problem(response, 503)
    assert elapsed < FAST
    assert_problem(app.test_client().get("/readyz"), 503)


@pytest.mark.skipif(not SERVER_URL, reason="needs the PostgreSQL server (TEST_DATABASE_URL)")
def test_a_stalled_replica_is_a_fast_503_for_reads_and_writes_still_pass(
    writable: Writable, make_app: Callable[..., Flask]
) -> None:
    primary = writable.url
    server = make_url(primary)
    proxy = TcpProxy((server.host or "127.0.0.1", server.port or 5432))
    proxy.start()
    replica = server.set(port=proxy.port).render_as_string(hide_password=False)
    key = writable.key("write")
    app = make_app(DATABASE_URL=primary, DATABASE_READ_URL=replica, RATELIMIT_ENABLED=False)
    try:
        assert app.test_client().get("/v1/statements").status_code == 200  # a pooled replica connection
        proxy.freeze()
        response, elapsed = in_thread(lambda: timed_get(app, "/v1/statements"), within=10)
        assert_problem(response, 503)
        assert elapsed < FAST, "the replica's engine must have the primary's deadlines"
        created = app.test_client().post("/v1/entities", json=NEW_ENTITY, headers={"Authorization": key})
        assert created.status_code == 201
        proxy.thaw()
        assert app.test_client().get(f"/v1/entities/{NEW_ENTITY['id']}").status_code == 200
    finally:
        proxy.thaw()
        proxy.stop()


# -- two app processes, one PostgreSQL, one Redis -----------------------------------------------


def _reachable_or_skip() -> None:
    try:
        with create_engine(POSTGRESQL, connect_args={"connect_timeout": 2}).connect():
            pass
    except OperationalError as exc:
        pytest.skip(f"needs PostgreSQL at {make_url(POSTGRESQL).render_as_string()}: {exc.orig}")
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"needs Redis at {REDIS_HOST}:{REDIS_PORT}: {exc}")


@pytest.fixture(scope="module")
def shared_database() -> Iterator[str]:
    """A seeded database of this module's own on the PostgreSQL server, dropped at the end."""
    _reachable_or_skip()
    admin = create_engine(POSTGRESQL, isolation_level="AUTOCOMMIT")
    name = f"veille_scale_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(POSTGRESQL).set(database=name).render_as_string(hide_password=False)
        migrate(url)
        load_seeds(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def hosts(shared_database: str) -> Iterator[tuple[str, str]]:
    """Two app hosts behind a proxy: A reads the primary, B reads through the replica setting
    (pointed at the primary: its sessions for GET and HEAD are read-only)."""
    env = {
        "RATELIMIT_STORAGE_URI": f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DATABASE}",
        "VEILLE_RATE_LIMIT_ANONYMOUS": f"{ANONYMOUS_LIMIT}/minute",
        "VEILLE_TRUSTED_PROXIES": "1",
        # the origin clients know: links, hence bodies and ETags, do not name the host that answered
        "VEILLE_PUBLIC_URL": "https://api.example.org",
        "WEB_CONCURRENCY": "1",
    }
    with ExitStack() as stack:
        a = stack.enter_context(serve(shared_database, **env))
        b = stack.enter_context(serve(shared_database, VEILLE_DATABASE_READ_URL=shared_database, **env))
        yield a, b


def new_client() -> dict[str, str]:
    """A client address never seen before, as the trusted proxy reports it."""
    return {"X-Forwarded-For": "2001:db8::" + ":".join(f"{n:x}" for n in uuid.uuid4().fields[1:5])}


def send(method: str, url: str, body: dict[str, Any], headers: dict[str, str]) -> Reply:
    """One request with a JSON body; any status is a Reply."""
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **headers}
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw_headers, payload = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, raw_headers, payload = error.code, error.headers, error.read()
    return Reply(status, {k.lower(): v for k, v in raw_headers.items()}, payload, time.monotonic() - started)


def test_one_limit_is_counted_across_both_processes(hosts: tuple[str, str]) -> None:
    client = new_client()
    replies = [http_get(hosts[n % 2] + "/v1", headers=client) for n in range(ANONYMOUS_LIMIT)]
    assert [r.status for r in replies] == [200] * ANONYMOUS_LIMIT
    assert {r.headers["x-ratelimit-limit"] for r in replies} == {str(ANONYMOUS_LIMIT)}
    remaining = [int(r.headers["x-ratelimit-remaining"]) for r in replies]
    assert remaining == list(range(ANONYMOUS_LIMIT - 1, -1, -1))
    for base in hosts:
        refused = http_get(base + "/v1", headers=client)
        assert refused.status == 429
        assert refused.content_type == "application/problem+json"
        assert 0 < int(refused.headers["retry-after"]) <= 60
    assert http_get(hosts[1] + "/v1", headers=new_client()).status == 200  # others are not affected


@pytest.mark.parametrize("path", ["/v1/statements?limit=5", "/v1/export"])  # a page; a streamed export
def test_the_same_url_has_the_same_etag_on_both_and_either_answers_304(
    hosts: tuple[str, str], path: str
) -> None:
    client = new_client()
    a, b = (http_get(base + path, headers=client) for base in hosts)
    assert (a.status, b.status) == (200, 200)
    assert a.body == b.body
    assert a.headers["etag"] == b.headers["etag"]
    assert a.headers["x-dataset-version"] == b.headers["x-dataset-version"]
    for base in reversed(hosts):
        conditional = http_get(base + path, headers={**client, "If-None-Match": a.headers["etag"]})
        assert conditional.status == 304
        assert conditional.headers["etag"] == a.headers["etag"]
        assert conditional.body == b""


def test_a_write_through_one_process_is_what_the_other_serves(
    hosts: tuple[str, str], shared_database: str
) -> None:
    a, b = hosts
    client = new_client()
    key = create_key(shared_database, scope="write")
    item = f"/v1/entities/{NEW_ENTITY['id']}"
    listing = http_get(b + "/v1/entities?limit=500", headers=client)
    assert http_get(b + item, headers=client).status == 404
    version = int(listing.headers["x-dataset-version"])

    created = send("POST", a + "/v1/entities", NEW_ENTITY, {"Authorization": key})
    assert created.status == 201, created.body
    assert created.headers["x-dataset-version"] == str(version + 1)
    served = http_get(b + item, headers=client)
    assert served.status == 200
    assert served.headers["x-dataset-version"] == str(version + 1)
    assert json.loads(served.body) == json.loads(created.body)
    assert served.headers["etag"] == created.headers["etag"]
    # B's cached list is stale: its old ETag no longer matches on B
    relisted = http_get(
        b + "/v1/entities?limit=500", headers={**client, "If-None-Match": listing.headers["etag"]}
    )
    assert relisted.status == 200
    assert NEW_ENTITY["id"] in {entity["id"] for entity in json.loads(relisted.body)["data"]}

    # and back: B writes to the primary (its reads are read-only), A serves the change
    renamed = send(
        "PATCH",
        b + item,
        {"name": "Scale Out Entity, Renamed"},
        {"Authorization": key, "If-Match": served.headers["etag"]},
    )
    assert renamed.status == 200, renamed.body
    assert renamed.headers["x-dataset-version"] == str(version + 2)
    seen = http_get(a + item, headers=client)
    assert json.loads(seen.body)["name"] == "Scale Out Entity, Renamed"
    assert seen.headers["x-dataset-version"] == str(version + 2)
    assert seen.headers["etag"] == renamed.headers["etag"]
