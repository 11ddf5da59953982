"""What a hostile or careless client sends gets a 4xx problem+json and writes nothing (issue 12).

Each case here answered 500 (or was stored) before: nested validation errors, JSON that the
standard library parses but the database cannot hold, forged cursors, concurrent creations.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from random import Random
from typing import Any

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from tests.helpers import Writable, assert_problem, snapshot

ENTITY = {"id": "hostile-test-entity", "name": "Hostile Test", "type": "person"}


def opened(target: Writable) -> tuple[Flask, str, str]:
    """(app, database URL, Authorization value of an admin key) of a throwaway seeded database."""
    return target.app, target.url, target.key("admin")


def post_raw(client: FlaskClient, auth: str, path: str, body: bytes | str, **headers: str) -> Any:
    return client.post(
        path, data=body, headers={"Authorization": auth, "Content-Type": "application/json", **headers}
    )


def test_a_nested_field_error_is_a_422_naming_the_field_path(writable: Writable) -> None:
    app, url, auth = opened(writable)
    client = app.test_client()
    before = snapshot(url)
    etag = client.get("/v1/entities/belarus").headers["ETag"]
    response = client.patch(
        "/v1/entities/belarus",
        json={"aliases": [{"alias": "x"}]},
        headers={"Authorization": auth, "If-Match": etag},
    )
    body = assert_problem(response, 422)
    assert body["errors"] == {"aliases.0.language": ["Missing data for required field."]}
    assert "aliases.0.language" in body["detail"]
    assert snapshot(url) == before


def test_a_scalar_where_an_object_belongs_is_a_422_at_that_field(writable: Writable) -> None:
    app, url, auth = opened(writable)
    client = app.test_client()
    before = snapshot(url)
    response = client.post(
        "/v1/articles", json={"published": {"value": 5}, "title": 7}, headers={"Authorization": auth}
    )
    body = assert_problem(response, 422)
    # "published.value" today; a date field that also takes shorthand strings may name "published"
    assert any(name.split(".")[0] == "published" for name in body["errors"]), body["errors"]
    assert body["errors"]["title"] == ["Not a valid string."]
    response = client.post(
        "/v1/entities", json={**ENTITY, "aliases": ["plain"]}, headers={"Authorization": auth}
    )
    assert assert_problem(response, 422)["errors"]["aliases.0"] == ["Invalid input type."]
    assert snapshot(url) == before


def test_a_body_that_is_not_an_object_is_a_422_about_the_body(writable: Writable) -> None:
    app, _url, auth = opened(writable)
    response = post_raw(app.test_client(), auth, "/v1/entities", "[1, 2]")
    assert assert_problem(response, 422)["errors"] == {"$": ["Invalid input type."]}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("[" * 1100 + "]" * 1100, "depth limit exceeded"),
        ('{"a":' * 1100 + "1" + "}" * 1100, "depth limit exceeded"),
        ('{"name": ' + "[" * 40 + "]" * 40 + "}", "nests more than 32 levels"),
        (
            '{"id": "big-number", "name": "n", "type": "person", "description": ' + "9" * 5000 + "}",
            "infinity",
        ),
        ('{"id": "lone-surrogate", "name": "\\ud800", "type": "person"}', "surrogate"),
        ('{"id": "nul-inside", "name": "a\\u0000b", "type": "person"}', "U+0000"),
        ('{"id": "nul-key", "name": "n", "type": "person", "x\\u0000": 1}', "U+0000"),
        (b'{"id": "bad-utf8", "name": "\xff", "type": "person"}', "not valid JSON"),
    ],
    ids=[
        "array-1100-deep",
        "object-1100-deep",
        "40-deep",
        "5000-digits",
        "lone-surrogate",
        "nul",
        "nul-key",
        "utf8",
    ],
)
def test_json_the_database_cannot_hold_is_a_400_and_nothing_is_stored(
    writable: Writable, body: str | bytes, reason: str
) -> None:
    app, url, auth = opened(writable)
    client = app.test_client()
    before = snapshot(url)
    problem = assert_problem(post_raw(client, auth, "/v1/entities", body), 400)
    assert reason in problem["detail"]
    assert problem["errors"]["json"]
    assert snapshot(url) == before


def forged(payload: list[Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).rstrip(b"=").decode()


def first_cursor(client: FlaskClient, path: str) -> list[Any]:
    cursor = client.get(path).get_json()["meta"]["next_cursor"]
    assert cursor, path
    return orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


LISTS = [
    "/v1/statements?limit=1",
    "/v1/statements?limit=1&sort=-said_on",
    "/v1/entities?limit=1",
    "/v1/articles?limit=1",
    "/v1/events?limit=1",
    "/v1/search?q=guerre&limit=1",
]


@pytest.mark.parametrize("path", LISTS)
def test_a_forged_cursor_with_a_huge_integer_or_a_nul_is_a_400(client: FlaskClient, path: str) -> None:
    issued = first_cursor(client, path)
    forgeries = []
    for index in range(1, len(issued)):
        for bad in (2**31, 2**63 - 1, -(2**31) - 1, "x\x00y"):
            forgeries.append([*issued[:index], bad, *issued[index + 1 :]])
    separator = "&" if "?" in path else "?"
    for payload in forgeries:
        response = client.get(f"{path}{separator}cursor={forged(payload)}")
        if response.status_code == 200:
            # a float sort key (search relevance) takes any number: only the others must fail
            assert isinstance(payload[-1], str) and "\x00" not in payload[-1]
            continue
        assert_problem(response, 400)
        assert "cursor" in response.get_json()["errors"], payload


def test_the_issued_cursors_still_work(client: FlaskClient) -> None:
    for path in LISTS:
        cursor = client.get(path).get_json()["meta"]["next_cursor"]
        assert client.get(f"{path}&cursor={cursor}").status_code == 200, path


def run_concurrently(count: int, call: Any) -> list[Any]:
    start = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(number: int) -> None:
        start.wait()
        results[number] = call()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_twenty_concurrent_creations_of_one_id_give_one_201_and_nineteen_409(
    writable: Writable,
) -> None:
    app, _url, auth = opened(writable)
    responses = run_concurrently(
        20, lambda: app.test_client().post("/v1/entities", json=ENTITY, headers={"Authorization": auth})
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409)
    listed = app.test_client().get("/v1/entities?q=Hostile").get_json()["data"]
    assert [e["id"] for e in listed] == [ENTITY["id"]]


def test_twenty_concurrent_posts_with_one_idempotency_key_create_once_and_replay(
    writable: Writable,
) -> None:
    app, _url, auth = opened(writable)
    headers = {"Authorization": auth, "Idempotency-Key": "hostile-same-key"}
    responses = run_concurrently(
        20, lambda: app.test_client().post("/v1/entities", json=ENTITY, headers=headers)
    )
    first = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r.headers]
    assert len(first) == 1
    for response in responses:
        assert response.status_code in (201, 409), response.get_data(as_text=True)
        if response.status_code == 201:
            assert response.get_json() == first[0].get_json()
            assert response.headers["Location"] == first[0].headers["Location"]
        else:
            assert "in progress" in assert_problem(response, 409)["detail"]
    replay = app.test_client().post("/v1/entities", json=ENTITY, headers=headers)
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    other = app.test_client().post("/v1/entities", json={**ENTITY, "name": "Other"}, headers=headers)
    assert_problem(other, 422)


def test_metrics_labels_stay_bounded_whatever_methods_and_paths_clients_send(client: FlaskClient) -> None:
    random = Random(20261206)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij-_"
    for _ in range(40):  # every label combination these requests can produce, once
        client.open(f"/x{random.random()}", method="".join(random.choices(letters, k=8)))
        client.open(f"/v1/statements/{random.random()}", method="BREW")
    before = len(client.get("/metrics").get_data())
    for _ in range(2000):
        method = "".join(random.choices(letters, k=random.randint(1, 20)))
        path = random.choice(["/", "/v1/statements/", "/nowhere/"]) + "".join(random.choices(letters, k=12))
        assert client.open(path, method=method).status_code < 500
    text = client.get("/metrics").get_data(as_text=True)
    # the counters' values grow by a few digits; no new series (line) may appear
    assert len(text.encode()) - before < 2000
    assert 'method="other",route="unmatched"' in text
    other = [
        line for line in text.splitlines() if line.startswith('veille_http_requests_total{method="other"')
    ]
    assert 0 < len(other) <= 3, other  # unmatched × (404, 405), at most one more status


def links_of(response: Any) -> list[str]:
    body = response.get_json()
    found = [value for value in body.get("links", {}).values() if value]
    return found + [response.headers[name] for name in ("Link", "Location") if name in response.headers]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "[::1"])
def test_a_foreign_host_header_is_never_reflected_into_links(client: FlaskClient, host: str) -> None:
    for path in ("/v1/statements?limit=1", "/v1"):
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 200
        assert response.headers["Cache-Control"].startswith("public")
        links = links_of(response)
        assert links and all(link.lstrip("<").startswith("http://127.0.0.1:8000/") for link in links), links


def test_a_loopback_host_on_any_port_keeps_its_links(client: FlaskClient) -> None:
    for host in ("localhost:5000", "127.0.0.1:8123", "[::1]:9000"):
        response = client.get("/v1/statements?limit=1", headers={"Host": host})
        assert response.get_json()["links"]["next"].startswith(f"http://{host}/v1/statements?")


def test_with_a_public_url_every_link_is_built_on_it(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATELIMIT_ENABLED=False, PUBLIC_URL="https://api.example.org", TRUSTED_PROXIES=1)
    client = app.test_client()
    forwarded = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http", "Host": "evil.example"}
    for headers in ({}, forwarded):
        response = client.get("/v1/statements?limit=1", headers=headers)
        assert response.get_json()["links"]["next"].startswith("https://api.example.org/v1/statements?")
        assert response.headers["Link"].startswith("<https://api.example.org/v1/statements?")
        index = client.get("/v1", headers=headers).get_json()["links"]
        assert all(link.startswith("https://api.example.org/") for link in index.values())


@pytest.mark.parametrize(
    "url", ["api.example.org", "ftp://x.org", "https://x.org/prefix", "https://x.org:port"]
)
def test_a_public_url_that_is_not_an_origin_stops_the_start(url: str) -> None:
    with pytest.raises(RuntimeError, match="VEILLE_PUBLIC_URL"):
        create_app({"PUBLIC_URL": url})


def test_a_whitespace_body_is_invalid_json_not_an_empty_patch(writable: Writable) -> None:
    app, url, auth = opened(writable)
    client = app.test_client()
    before = snapshot(url)
    response = client.patch(
        "/v1/entities/belarus",
        data="\n",
        headers={"Authorization": auth, "If-Match": "*", "Content-Type": "application/json"},
    )
    assert "not valid JSON" in assert_problem(response, 400)["detail"]
    assert snapshot(url) == before
