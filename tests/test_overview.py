"""GET /v1 tells the versions, the counts and where to go."""

from __future__ import annotations

from flask.testing import FlaskClient

from api.checks import SeedRows


def test_overview_counts_match_the_curated_dataset(client: FlaskClient, seed_rows: SeedRows) -> None:
    response = client.get("/v1")
    assert response.status_code == 200
    body = response.get_json()
    assert body["counts"] == {
        "articles": len(seed_rows.articles),
        "entities": len(seed_rows.entities),
        "statements": len(seed_rows.statements),
        "events": len(seed_rows.events),
        "mentions": len(seed_rows.mentions),
    }
    assert body["api_version"] == "1.0.0"


def test_every_response_carries_the_dataset_version(client: FlaskClient) -> None:
    version = client.get("/v1").get_json()["dataset_version"]
    for path in ("/v1", "/v1/statements?limit=1", "/v1/entities/no-such-entity", "/openapi.json"):
        assert client.get(path).headers["X-Dataset-Version"] == version


def test_overview_links_lead_to_the_collections(client: FlaskClient) -> None:
    links = client.get("/v1").get_json()["links"]
    for name in ("articles", "entities", "statements", "events", "openapi", "docs"):
        path = links[name].removeprefix("http://localhost")
        assert client.get(path).status_code == 200, name
