"""GET /v1 tells the versions, the counts and where to go."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from api.checks import SeedRows
from api.db import make_engine
from api.queries import dataset_version, overview
from tests.helpers import Writable


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


def test_a_statement_tells_the_version_it_was_read_at_without_reading_it_again(
    writable: Writable, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = writable.app.test_client()
    statement_id = client.get("/v1/statements?limit=1").get_json()["data"][0]["id"]
    engine = make_engine(writable.url)
    try:
        with engine.begin() as connection:  # another process's write
            connection.execute(text("UPDATE dataset_state SET version = version + 1 WHERE id = 1"))
    finally:
        engine.dispose()
    version = client.get("/v1").get_json()["dataset_version"]
    separate_reads: list[int] = []
    read_state = overview.dataset_state

    def counted(session: Any) -> Any:
        separate_reads.append(1)
        return read_state(session)

    monkeypatch.setattr(dataset_version, "dataset_state", counted)
    response = client.get(f"/v1/statements/{statement_id}")
    assert response.status_code == 200
    assert response.headers["X-Dataset-Version"] == version
    assert separate_reads == [], "the version came with the statement's row"
    gone = client.get("/v1/statements/st-0000000000000000")
    assert gone.status_code == 404
    assert separate_reads == [1], "no row, no version with it: read on its own"
