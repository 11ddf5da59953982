"""Issue 12 over real HTTP through gunicorn: chunked bodies past the limit, a foreign Host,
concurrent creations across worker processes. Each test serves its own throwaway database."""

from __future__ import annotations

import http.client
import threading
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest

from tests.helpers import snapshot
from tests.servers import LiveServer

LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def served(live_server: LiveServer) -> tuple[str, str, str]:
    """(base URL, database URL, write key header) of gunicorn serving a seeded throwaway database."""
    return live_server.base, live_server.url, live_server.key()


def connect(base: str) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)


def post_chunked(base: str, auth: str, chunks: list[bytes]) -> tuple[int, str, dict[str, Any]]:
    connection = connect(base)
    connection.putrequest("POST", "/v1/entities")
    for name, value in {
        "Transfer-Encoding": "chunked",
        "Content-Type": "application/json",
        "Authorization": auth,
    }.items():
        connection.putheader(name, value)
    connection.endheaders()
    for chunk in chunks:
        connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    connection.send(b"0\r\n\r\n")
    response = connection.getresponse()
    result = response.status, response.getheader("Content-Type") or "", orjson.loads(response.read())
    connection.close()
    return result


def test_a_chunked_body_past_the_limit_is_a_413_problem(served: tuple[str, str, str]) -> None:
    base, url, auth = served
    before = snapshot(url)
    # a valid entity padded past 1 MiB: refused for its size, not as bad JSON
    padded = orjson.dumps({"id": "chunked-big", "name": "Big", "type": "person", "description": " " * LIMIT})
    chunks = [padded[i : i + 65536] for i in range(0, len(padded), 65536)]
    status, content_type, body = post_chunked(base, auth, chunks)
    assert (status, content_type) == (413, "application/problem+json")
    assert body["status"] == 413
    assert str(LIMIT) in body["detail"]
    assert snapshot(url) == before


def test_a_chunked_body_within_the_limit_is_read_whole(served: tuple[str, str, str]) -> None:
    base, _url, auth = served
    entity = orjson.dumps(
        {"id": "chunked-small", "name": "Small", "type": "person", "description": "d" * 900}
    )
    status, _content_type, body = post_chunked(base, auth, [entity[:7], entity[7:4000], entity[4000:]])
    assert status == 201
    assert body["description"] == "d" * 900


def get(base: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
    connection = connect(base)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    result = response.status, dict(response.getheaders()), orjson.loads(response.read())
    connection.close()
    return result


def test_a_foreign_host_is_not_reflected_over_http(served: tuple[str, str, str]) -> None:
    base, _url, _auth = served
    status, headers, body = get(base, "/v1/statements?limit=1", {"Host": "evil.example"})
    assert status == 200
    assert headers["Cache-Control"].startswith("public")
    assert "evil" not in headers["Link"]
    assert body["links"]["next"].startswith("http://127.0.0.1:8000/v1/statements?")
    # the server's own address is a loopback host: its links point at it
    status, headers, body = get(base, "/v1/statements?limit=1", {})
    assert body["links"]["next"].startswith(f"{base}/v1/statements?")


def test_concurrent_creations_across_workers_give_one_201_and_409s(served: tuple[str, str, str]) -> None:
    base, _url, auth = served
    start = threading.Barrier(20)
    statuses: list[int] = []
    content_types: list[str] = []

    def create() -> None:
        connection = connect(base)
        start.wait()
        connection.request(
            "POST",
            "/v1/entities",
            body=orjson.dumps({"id": "raced-entity", "name": "Raced", "type": "person"}),
            headers={"Authorization": auth, "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
        content_types.append(response.getheader("Content-Type") or "")
        connection.close()

    threads = [threading.Thread(target=create) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] + [409] * 19
    assert content_types.count("application/problem+json") == 19
