"""Writes as easy as `flask ingest`: an article's id is optional, and every fuzzy date may be
written `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (POST and PATCH)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from api.writes.ingest import parse_text_file
from tests.helpers import Writable, assert_problem
from tests.test_writes import ARTICLE, EVENT, STATEMENT, span

MADE_ID = "a-2025-03-13-manuvres-printanieres-annoncees-a-minsk"  # slug() drops the œ, as ingest does


@pytest.fixture
def api(writable: Writable) -> tuple[FlaskClient, dict[str, str]]:
    """A client of a throwaway seeded database and the headers of a write key."""
    return writable.app.test_client(), {"Authorization": writable.key("write")}


def without_id(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "id"}


def test_an_article_without_id_gets_the_id_ingest_would_make(api: tuple[FlaskClient, dict[str, str]]) -> None:
    client, auth = api
    body = {**without_id(ARTICLE), "published": "2025-03-13"}
    response = client.post("/v1/articles", json=body, headers=auth)
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert item["id"] == MADE_ID
    assert response.headers["Location"].endswith(f"/v1/articles/{MADE_ID}")
    assert item["published"] == {"value": "2025-03-13", "precision": "day", "note": None}
    # the same id as `flask ingest` makes for a file with this title and date
    ingested = parse_text_file(f"---\npublished: 2025-03-13\n---\n{ARTICLE['body']}")
    assert ingested["title"] == ARTICLE["title"] and "id" not in ingested

    # another text under the same title and date: the id takes 8 characters of its hash
    other = {**body, "body": ARTICLE["body"] + "Mise à jour.\n", "mentions": []}
    second = client.post("/v1/articles", json=other, headers=auth)
    assert second.status_code == 201, second.get_json()
    assert (
        second.get_json()["id"].startswith(MADE_ID + "-") and len(second.get_json()["id"]) == len(MADE_ID) + 9
    )
    # the same text again is the same article: 409, as with an id
    assert_problem(client.post("/v1/articles", json=body, headers=auth), 409)


@pytest.mark.parametrize(
    ("value", "precision"), [("2025", "year"), ("2025-03", "month"), ("2025-03-13", "day")]
)
def test_every_fuzzy_date_takes_the_shorthand(
    api: tuple[FlaskClient, dict[str, str]], value: str, precision: str
) -> None:
    client, auth = api
    expected = {"value": value, "precision": precision, "note": None}
    article = client.post("/v1/articles", json={**ARTICLE, "published": value}, headers=auth)
    assert article.status_code == 201, article.get_json()
    assert article.get_json()["published"] == expected
    statement = client.post("/v1/statements", json={**STATEMENT, "said_on": value}, headers=auth)
    assert statement.status_code == 201, statement.get_json()
    assert statement.get_json()["said_on"] == expected
    event = client.post("/v1/events", json={**EVENT, "date": value}, headers=auth)
    assert event.status_code == 201, event.get_json()
    assert event.get_json()["date"] == expected
    assert client.get(f"/v1/events/{EVENT['id']}").get_json()["date"] == expected


def test_patch_takes_the_shorthand_and_null_still_clears(api: tuple[FlaskClient, dict[str, str]]) -> None:
    client, auth = api
    assert client.post("/v1/articles", json=ARTICLE, headers=auth).status_code == 201
    statement = client.post("/v1/statements", json=STATEMENT, headers=auth)
    url = f"/v1/statements/{statement.get_json()['id']}"
    patched = client.patch(
        url, json={"said_on": "2025-03"}, headers={**auth, "If-Match": statement.headers["ETag"]}
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["said_on"] == {"value": "2025-03", "precision": "month", "note": None}
    cleared = client.patch(url, json={"said_on": None}, headers={**auth, "If-Match": patched.headers["ETag"]})
    assert cleared.status_code == 200 and cleared.get_json()["said_on"] is None


@pytest.mark.parametrize("bad", ["2025-13", "2025-02-30", "25-03", "2025/03/13", " 2025", 2025, ["2025"]])
def test_an_invalid_shorthand_is_a_422_naming_the_field(
    api: tuple[FlaskClient, dict[str, str]], bad: Any
) -> None:
    client, auth = api
    for path, body, field in (
        ("/v1/articles", {**ARTICLE, "published": bad}, "published"),
        ("/v1/statements", {**STATEMENT, "said_on": bad}, "said_on"),
        ("/v1/events", {**EVENT, "date": bad, "evidence": [{"article": "x", **span("Minsk")}]}, "date"),
    ):
        problem = assert_problem(client.post(path, json=body, headers=auth), 422)
        assert field in problem["errors"], problem
        assert "YYYY-MM-DD" in " ".join(problem["errors"][field]), problem
