"""Curators' writes on entities: keys and scopes, validation, If-Match, history, retirement."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import Writable, assert_problem

NEW = {
    "id": "test-curator-entity",
    "name": "Test Curator Entity",
    "type": "person",
    "description": "Made by a test",
    "aliases": [{"alias": "Entité d’essai", "language": "fr", "in_text": False}],
}


def with_keys(target: Writable) -> tuple[Flask, dict[str, str]]:
    """The app and a key per scope (named ``k-<scope>``): Authorization values."""
    return target.app, {scope: target.key(scope) for scope in ("read", "write", "admin")}


def create(client: FlaskClient, auth: str, body: dict[str, Any] = NEW) -> Any:
    return client.post("/v1/entities", json=body, headers={"Authorization": auth})


def test_writes_need_a_key_with_the_write_scope(writable: Writable) -> None:
    app, auth = with_keys(writable)
    client = app.test_client()
    response = client.post("/v1/entities", json=NEW)
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(create(client, auth["read"]), 403)
    assert client.get(f"/v1/entities/{NEW['id']}").status_code == 404


def test_create_answers_201_with_location_etag_history_and_search(
    writable: Writable,
) -> None:
    app, auth = with_keys(writable)
    client = app.test_client()
    version = client.get("/v1").get_json()["dataset_version"]
    response = create(client, auth["write"])
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"/v1/entities/{NEW['id']}")
    fetched = client.get(f"/v1/entities/{NEW['id']}")
    assert fetched.get_json() == response.get_json()
    assert fetched.headers["ETag"] == response.headers["ETag"]
    assert client.get("/v1").get_json()["dataset_version"] == str(int(version) + 1)
    history = client.get(f"/v1/entities/{NEW['id']}/revisions").get_json()["data"]
    assert [(r["action"], r["actor"]) for r in history] == [("create", "k-write")]
    assert NEW["id"] in {e["id"] for e in client.get("/v1/entities?q=essai").get_json()["data"]}
    assert client.get("/v1/entities/resolve?name=Entite d'essai").get_json()["data"][0]["id"] == NEW["id"]
    assert_problem(create(client, auth["write"]), 409)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "counts": {"mentions": 1}}, "counts"),
        ({**NEW, "created_at": "2026-01-01T00:00:00Z"}, "created_at"),
        ({**NEW, "type": "planet"}, "type"),
        ({**NEW, "id": "Not A Slug"}, "id"),
        ({k: v for k, v in NEW.items() if k != "name"}, "name"),
        ({**NEW, "wikidata": "312853"}, "wikidata"),
    ],
)
def test_invalid_or_read_only_fields_are_422(writable: Writable, body: dict[str, Any], field: str) -> None:
    app, auth = with_keys(writable)
    problem = assert_problem(create(app.test_client(), auth["write"], body), 422)
    assert field in problem["errors"]


def test_a_body_that_is_not_json_is_415(writable: Writable) -> None:
    app, auth = with_keys(writable)
    response = app.test_client().post(
        "/v1/entities", data="id=x", content_type="text/plain", headers={"Authorization": auth["write"]}
    )
    assert_problem(response, 415)


def test_patch_needs_the_current_etag(writable: Writable) -> None:
    app, auth = with_keys(writable)
    client = app.test_client()
    etag = create(client, auth["write"]).headers["ETag"]
    headers = {"Authorization": auth["write"]}
    assert_problem(client.patch(f"/v1/entities/{NEW['id']}", json={"name": "X"}, headers=headers), 428)
    stale = {**headers, "If-Match": '"0000"'}
    assert_problem(client.patch(f"/v1/entities/{NEW['id']}", json={"name": "X"}, headers=stale), 412)
    ok = client.patch(
        f"/v1/entities/{NEW['id']}",
        json={"name": "Renamed", "description": None},
        headers={**headers, "If-Match": etag},
        content_type="application/merge-patch+json",
    )
    assert ok.status_code == 200
    assert ok.get_json()["name"] == "Renamed" and ok.get_json()["description"] is None
    assert ok.get_json()["aliases"] == client.get(f"/v1/entities/{NEW['id']}").get_json()["aliases"]
    again = client.patch(
        f"/v1/entities/{NEW['id']}", json={"name": "Y"}, headers={**headers, "If-Match": etag}
    )
    assert_problem(again, 412)
    history = client.get(f"/v1/entities/{NEW['id']}/revisions").get_json()["data"]
    assert [r["action"] for r in history] == ["create", "update"]
    assert history[-1]["data"]["name"] == "Renamed"


def test_retire_then_410_then_an_admin_restores(writable: Writable) -> None:
    app, auth = with_keys(writable)
    client = app.test_client()
    etag = create(client, auth["write"]).headers["ETag"]
    retired = client.delete(
        f"/v1/entities/{NEW['id']}", headers={"Authorization": auth["write"], "If-Match": etag}
    )
    assert retired.status_code == 204
    assert_problem(client.get(f"/v1/entities/{NEW['id']}"), 410)
    assert NEW["id"] not in {e["id"] for e in client.get("/v1/entities?limit=500").get_json()["data"]}
    assert_problem(
        client.post(f"/v1/entities/{NEW['id']}/restore", headers={"Authorization": auth["write"]}), 403
    )
    restored = client.post(f"/v1/entities/{NEW['id']}/restore", headers={"Authorization": auth["admin"]})
    assert restored.status_code == 200
    assert client.get(f"/v1/entities/{NEW['id']}").status_code == 200
    actions = [r["action"] for r in client.get(f"/v1/entities/{NEW['id']}/revisions").get_json()["data"]]
    assert actions == ["create", "delete", "create"]


def test_concurrent_patches_with_one_etag_let_exactly_one_through(
    writable: Writable,
) -> None:
    app, auth = with_keys(writable)
    etag = create(app.test_client(), auth["write"]).headers["ETag"]
    statuses: list[int] = []
    start = threading.Barrier(6)

    def patch(number: int) -> None:
        client = app.test_client()
        start.wait()
        response = client.patch(
            f"/v1/entities/{NEW['id']}",
            json={"description": f"writer {number}"},
            headers={"Authorization": auth["write"], "If-Match": etag},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=patch, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412, 412, 412, 412, 412]
    winner = app.test_client().get(f"/v1/entities/{NEW['id']}").get_json()["description"]
    history = app.test_client().get(f"/v1/entities/{NEW['id']}/revisions").get_json()["data"]
    assert [r["action"] for r in history] == ["create", "update"]
    assert history[-1]["data"]["description"] == winner


def test_an_idempotency_key_replays_the_first_response(writable: Writable) -> None:
    app, auth = with_keys(writable)
    client = app.test_client()
    headers = {"Authorization": auth["write"], "Idempotency-Key": "create-once"}
    first = client.post("/v1/entities", json=NEW, headers=headers)
    again = client.post("/v1/entities", json=NEW, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    history = client.get(f"/v1/entities/{NEW['id']}/revisions").get_json()["data"]
    assert [r["action"] for r in history] == ["create"]
    other = client.post("/v1/entities", json={**NEW, "name": "Another"}, headers=headers)
    assert "different request" in assert_problem(other, 422)["detail"]
    too_long = {**headers, "Idempotency-Key": "k" * 201}
    assert_problem(client.post("/v1/entities", json={**NEW, "id": "other-id"}, headers=too_long), 400)
