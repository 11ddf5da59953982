"""Curators' writes on articles, statements and events, as a client of the API sees them.

Keys and scopes, checks against the article text, conflicts, JSON merge patches guarded by
If-Match, soft deletes and restores, concurrent writers, idempotent retries, entity merges,
the extraction pipeline behind ``POST /v1/articles?extract=true`` and ``flask ingest``, and
the change feed, which must still rebuild what the API serves after all of these.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from api import ids
from api.writes.ingest import parse_text_file
from tests.helpers import Writable, assert_problem
from tests.test_changes import feed, replay, served

FIXTURE = Path(__file__).parent / "fixtures" / "ingest-minsk.txt"

# -- what the tests write --------------------------------------------------------------------

TITLE = "Manœuvres printanières annoncées à Minsk"
LEAD = "Viktor Khrenin a reçu Andreï Biélooussov jeudi à Minsk."
QUOTE = "« Nos armées s'entraîneront ensemble au printemps »"
REPORTED = "les manœuvres seraient les plus vastes depuis 2021"
SIGNED = "Les deux ministres ont signé un plan de coopération."
BODY = (
    f"{TITLE}\n{LEAD}\n{QUOTE}, a déclaré Viktor Khrenin.\n"
    f"Son homologue russe a assuré que {REPORTED}.\n{SIGNED}\n"
)


def span(text: str, after: int = 0) -> dict[str, Any]:
    """Where ``text`` first occurs in BODY (from ``after``): start, end and text."""
    start = BODY.index(text, after)
    return {"start": start, "end": start + len(text), "text": text}


DAY = {"value": "2025-03-13", "precision": "day", "note": "« jeudi »"}
ARTICLE_ID = "a-2025-03-13-test-spring-manoeuvres"
ARTICLE: dict[str, Any] = {
    "id": ARTICLE_ID,
    "title": TITLE,
    "lead": LEAD,
    "body": BODY,
    "language": "fr",
    "published": {"value": "2025-03-13", "precision": "day"},
    "outlet": "tass",
    "cited_outlets": ["sputnik"],
    "notes": "Écrit pour les tests.",
    "mentions": [  # in the order they are served: by position
        {"entity": "minsk", **span("Minsk")},
        {"entity": "viktor-khrenin", **span("Viktor Khrenin")},
        {"entity": "andrei-belousov", **span("Andreï Biélooussov")},
    ],
}
STATEMENT: dict[str, Any] = {
    "article": ARTICLE_ID,
    "kind": "direct",
    **span(QUOTE),
    "speaker": "viktor-khrenin",
    "said_on": DAY,
    "about": ["belarus", "russia"],
}
STATEMENT_ID = ids.statement_id(ARTICLE_ID, STATEMENT["start"], STATEMENT["end"])
EVENT_ID = "2025-03-13-test-khrenin-belousov-meeting"
EVENT: dict[str, Any] = {
    "id": EVENT_ID,
    "type": "meeting",
    "title": "Khrenin receives Belousov in Minsk",
    "summary": "A courtesy visit before the spring manoeuvres.",
    "date": DAY,
    "location": "minsk",
    "participants": [
        {"entity": "andrei-belousov", "role": "guest"},
        {"entity": "viktor-khrenin", "role": "host"},
    ],
    "evidence": [{"article": ARTICLE_ID, **span(LEAD)}],
}
# items a test may add next to those
NEW_ARTICLE: dict[str, Any] = {
    "id": "a-2025-03-20-test-follow-up",
    "title": "Suite des manœuvres",
    "body": "Suite des manœuvres\nLes exercices commenceront en avril près de Minsk.\n",
    "language": "fr",
    "published": {"value": "2025-03-20", "precision": "day"},
}
NEW_STATEMENT: dict[str, Any] = {
    "article": ARTICLE_ID,
    "kind": "reported",
    **span(REPORTED),
    "speaker": "andrei-belousov",
    "said_on": DAY,
    "about": ["belarus"],
}
NEW_STATEMENT_ID = ids.statement_id(ARTICLE_ID, NEW_STATEMENT["start"], NEW_STATEMENT["end"])
NEW_EVENT: dict[str, Any] = {
    **EVENT,
    "id": "2025-03-13-test-cooperation-plan-signing",
    "type": "agreement_signing",
    "title": "Cooperation plan signed in Minsk",
    "summary": None,
    "evidence": [{"article": ARTICLE_ID, **span(SIGNED)}],
}
DUPLICATE: dict[str, Any] = {  # the same person as andrei-belousov, spelled another way
    "id": "andrei-belooussov",
    "name": "Andreï Belooussov",
    "type": "person",
    "status": "proposed",
    "aliases": [{"alias": "Belooussov", "language": "fr", "in_text": False}],
}

COLLECTIONS = ("articles", "statements", "events")
TOUCH = {  # a small valid change of each (articles have no review status)
    "articles": {"notes": "Relu."},
    "statements": {"status": "proposed"},
    "events": {"status": "proposed"},
}
BODIES = {"articles": ARTICLE, "statements": STATEMENT, "events": EVENT}
NEW_BODIES = {"articles": NEW_ARTICLE, "statements": NEW_STATEMENT, "events": NEW_EVENT}
ITEM_IDS = {"articles": ARTICLE_ID, "statements": STATEMENT_ID, "events": EVENT_ID}
NEW_IDS = {"articles": NEW_ARTICLE["id"], "statements": NEW_STATEMENT_ID, "events": NEW_EVENT["id"]}
SINGULAR = {"articles": "article", "statements": "statement", "events": "event"}
LISTS = {
    "articles": "/v1/articles?limit=500",
    "statements": f"/v1/statements?article={ARTICLE_ID}",
    "events": "/v1/events?limit=500",
}
WORDS = {"articles": "printanières", "statements": "entraîneront", "events": "courtesy"}  # in one item only


# -- a client with keys -----------------------------------------------------------------------


class Api:
    """The test client of a fresh seeded database, with a key per scope (``k-<name>``)."""

    def __init__(self, app: Flask, keys: dict[str, str]) -> None:
        self.app, self.keys = app, keys
        self.client = app.test_client()

    def auth(self, key: str | None) -> dict[str, str]:
        return {"Authorization": self.keys[key]} if key else {}

    def get(self, path: str) -> TestResponse:
        return self.client.get(path)

    def json(self, path: str) -> Any:
        response = self.client.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def post(
        self, path: str, body: Any = None, *, key: str | None = "write", headers: dict[str, str] | None = None
    ) -> TestResponse:
        return self.client.post(path, json=body, headers={**self.auth(key), **(headers or {})})

    def patch(
        self, path: str, changes: dict[str, Any], *, etag: str | None = None, key: str | None = "write"
    ) -> TestResponse:
        headers = {**self.auth(key), **({"If-Match": etag} if etag else {})}
        return self.client.patch(path, json=changes, headers=headers)

    def delete(self, path: str, *, etag: str | None = None, key: str | None = "write") -> TestResponse:
        return self.client.delete(path, headers={**self.auth(key), **({"If-Match": etag} if etag else {})})

    def etag(self, path: str) -> str:
        return self.get(path).headers["ETag"]

    def ids(self, path: str) -> set[str]:
        return {item["id"] for item in self.json(path)["data"]}

    def found(self, words: str) -> set[tuple[str, str]]:
        """(type, id) of every search result."""
        return {(r["type"], r["id"]) for r in self.json(f"/v1/search?q={words}&limit=100")["data"]}

    def history(self, collection: str, item_id: str) -> list[tuple[str, str]]:
        revisions = self.json(f"/v1/{collection}/{item_id}/revisions")["data"]
        return [(r["action"], r["actor"]) for r in revisions]

    def version(self) -> int:
        return int(self.json("/v1")["dataset_version"])

    def ingest(self, *args: str) -> Any:
        return self.app.test_cli_runner().invoke(args=["ingest", *args])


KEYS = {"read": "read", "write": "write", "write-2": "write", "admin": "admin"}  # key name → scope


def open_api(target: Writable) -> Api:
    keys = {name: target.key(name, scope) for name, scope in KEYS.items()}
    keys["invalid"] = "Bearer vk_not-a-key-of-this-server"
    return Api(target.app, keys)


def post_items(api: Api, *collections: str) -> None:
    for collection in collections:
        response = api.post(f"/v1/{collection}", BODIES[collection])
        assert response.status_code == 201, response.get_data(as_text=True)


@pytest.fixture
def seeded(writable: Writable) -> Api:
    """A fresh database with the seeds."""
    return open_api(writable)


@pytest.fixture
def written(seeded: Api) -> Api:
    """A fresh database with the seeds plus ARTICLE, STATEMENT and EVENT."""
    post_items(seeded, *COLLECTIONS)
    return seeded


@pytest.fixture(scope="module")
def shared(module_writable: Writable) -> Api:
    """Seeds plus ARTICLE, STATEMENT and EVENT, for the tests whose writes must all be refused."""
    api = open_api(module_writable)
    post_items(api, *COLLECTIONS)
    return api


def assert_names(problem: dict[str, Any], place: str, words: str = "") -> None:
    """The problem's ``errors`` has an entry for ``place`` whose message contains ``words``."""
    assert place in problem["errors"], problem
    assert any(words in message for message in problem["errors"][place]), problem


def same_fields(item: dict[str, Any], body: dict[str, Any]) -> None:
    """The served item has what was posted (dates gain a null note when none was given)."""
    for key, value in body.items():
        if key == "mentions":
            assert [{k: m[k] for k in ("entity", "start", "end", "text")} for m in item["related"][key]] == [
                {k: m[k] for k in ("entity", "start", "end", "text")} for m in value
            ]
        elif isinstance(value, dict) and "precision" in value:
            assert item[key] == {"note": None, **value}, key
        else:
            assert item[key] == value, key


# -- 1. create ---------------------------------------------------------------------------------


def test_posts_are_served_listed_searchable_and_in_the_history(seeded: Api) -> None:
    for collection in COLLECTIONS:  # the article first: statements and events point into it
        version = seeded.version()
        response = seeded.post(f"/v1/{collection}", BODIES[collection])
        assert response.status_code == 201, response.get_data(as_text=True)
        item_id, path = ITEM_IDS[collection], f"/v1/{collection}/{ITEM_IDS[collection]}"
        assert response.headers["Location"] == f"http://localhost{path}"
        item = response.get_json()
        assert item["id"] == item_id
        same_fields(item, {k: v for k, v in BODIES[collection].items() if k != "id"})
        assert collection == "articles" or item["status"] == "verified"  # articles have no review status
        fetched = seeded.get(path)
        assert fetched.get_json() == item
        assert fetched.headers["ETag"] == response.headers["ETag"]
        assert seeded.version() == version + 1
        assert item_id in seeded.ids(LISTS[collection])
        assert item_id in seeded.ids(f"/v1/{collection}?q={WORDS[collection]}")
        assert (SINGULAR[collection], item_id) in seeded.found(WORDS[collection])
        assert seeded.history(collection, item_id) == [("create", "k-write")]


# -- 2. keys, scopes, content type ---------------------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_writes_need_a_valid_key_with_the_write_scope_and_a_json_body(shared: Api, collection: str) -> None:
    path, body = f"/v1/{collection}", NEW_BODIES[collection]
    version = shared.version()
    for key in (None, "invalid"):
        response = shared.post(path, body, key=key)
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(shared.post(path, body, key="read"), 403)
    not_json = shared.client.post(path, data="id=x", content_type="text/plain", headers=shared.auth("write"))
    assert_problem(not_json, 415)

    item = f"{path}/{ITEM_IDS[collection]}"
    etag = shared.etag(item)
    for key, status in ((None, 401), ("invalid", 401), ("read", 403)):
        assert_problem(shared.patch(item, TOUCH[collection], etag=etag, key=key), status)
        assert_problem(shared.delete(item, etag=etag, key=key), status)
    not_json = shared.client.patch(
        item,
        data="status=proposed",
        content_type="text/plain",
        headers={**shared.auth("write"), "If-Match": etag},
    )
    assert_problem(not_json, 415)

    assert shared.get(f"{path}/{NEW_IDS[collection]}").status_code == 404
    assert shared.etag(item) == etag
    assert shared.version() == version


# -- 3. invalid bodies -------------------------------------------------------------------------

INVALID_POSTS = [
    # statements: the span, the references, the date, the fields the API owns
    pytest.param(
        "statements",
        {**NEW_STATEMENT, "text": REPORTED.replace("2021", "2020")},
        "text",
        "is not at",
        id="statement-text-not-at-its-offsets",
    ),
    pytest.param(
        "statements",
        {**NEW_STATEMENT, "start": len(BODY) + 1, "end": len(BODY) + 1 + len(REPORTED)},
        "text",
        "outside the body",
        id="statement-offsets-past-the-body",
    ),
    pytest.param(
        "statements",
        {**NEW_STATEMENT, "speaker": "nobody-known"},
        "speaker",
        "unknown speaker entity 'nobody-known'",
        id="statement-unknown-speaker",
    ),
    pytest.param(
        "statements",
        {**NEW_STATEMENT, "about": ["belarus", "nobody-known"]},
        "about",
        "unknown entity 'nobody-known'",
        id="statement-unknown-about",
    ),
    pytest.param(
        "statements",
        {**NEW_STATEMENT, "event": "2025-03-13-no-such-event"},
        "event",
        "unknown event",
        id="statement-unknown-event",
    ),
    pytest.param(
        "statements",
        {**NEW_STATEMENT, "channel": "no-such-outlet"},
        "channel",
        "unknown channel entity",
        id="statement-unknown-channel",
    ),
    pytest.param(
        "statements",
        {**NEW_STATEMENT, "article": "a-no-such-article"},
        "article",
        "unknown article",
        id="statement-unknown-article",
    ),
    pytest.param(
        "statements",
        {**NEW_STATEMENT, "said_on": {"value": "2024-02-30", "precision": "day"}},
        "said_on",
        "",
        id="statement-said-on-not-a-calendar-day",
    ),
    pytest.param(
        "statements",
        {**NEW_STATEMENT, "said_on": {"value": "2025-03", "precision": "day"}},
        "said_on",
        "",
        id="statement-said-on-precision-mismatch",
    ),
    pytest.param("statements", {**NEW_STATEMENT, "id": "st-mine"}, "id", "", id="statement-id-read-only"),
    pytest.param(
        "statements", {**NEW_STATEMENT, "confidence": 0.9}, "confidence", "", id="statement-confidence"
    ),
    pytest.param(
        "statements",
        {**NEW_STATEMENT, "created_at": "2025-03-13T00:00:00Z"},
        "created_at",
        "",
        id="statement-created-at",
    ),
    pytest.param(
        "statements", {**NEW_STATEMENT, "related": {"about": []}}, "related", "", id="statement-related"
    ),
    # articles: mentions are spans of the body; title and lead occur in it
    pytest.param(
        "articles",
        {**NEW_ARTICLE, "mentions": [{"entity": "minsk", "start": 0, "end": 5, "text": "Minsk"}]},
        "mentions[0]",
        "is not at",
        id="article-mention-span-wrong",
    ),
    pytest.param(
        "articles",
        {**NEW_ARTICLE, "mentions": [{"entity": "minsk", "start": 60, "end": 500, "text": "Minsk"}]},
        "mentions[0]",
        "outside the body",
        id="article-mention-past-the-body",
    ),
    pytest.param(
        "articles",
        {**NEW_ARTICLE, "mentions": [{"entity": "no-such-city", "start": 0, "end": 5, "text": "Suite"}]},
        "mentions[0]",
        "unknown entity",
        id="article-mention-unknown-entity",
    ),
    pytest.param(
        "articles", {**NEW_ARTICLE, "outlet": "no-such-outlet"}, "outlet", "unknown", id="article-outlet"
    ),
    pytest.param(
        "articles",
        {**NEW_ARTICLE, "cited_outlets": ["tass", "no-such-outlet"]},
        "cited_outlets",
        "unknown",
        id="article-cited-outlet",
    ),
    pytest.param(
        "articles",
        {**NEW_ARTICLE, "published": {"value": "2025-02-30", "precision": "day"}},
        "published",
        "",
        id="article-published-not-a-calendar-day",
    ),
    pytest.param(
        "articles",
        {**NEW_ARTICLE, "published": {"value": "2025", "precision": "month"}},
        "published",
        "",
        id="article-published-precision-mismatch",
    ),
    pytest.param(
        "articles",
        {**NEW_ARTICLE, "title": "Un titre absent du texte"},
        "title",
        "title does not occur verbatim",
        id="article-title-not-in-the-body",
    ),
    pytest.param(
        "articles",
        {**NEW_ARTICLE, "content_hash": "0" * 64},
        "content_hash",
        "",
        id="article-content-hash-read-only",
    ),
    pytest.param(
        "articles", {**NEW_ARTICLE, "related": {"mentions": []}}, "related", "", id="article-related"
    ),
    pytest.param(
        "articles",
        {**NEW_ARTICLE, "created_at": "2025-03-13T00:00:00Z"},
        "created_at",
        "",
        id="article-created-at",
    ),
    # events: evidence spans, location, participants, date
    pytest.param(
        "events",
        {**NEW_EVENT, "evidence": [{"article": ARTICLE_ID, **span(SIGNED), "start": 0}]},
        "evidence[0]",
        "is not at",
        id="event-evidence-span-wrong",
    ),
    pytest.param(
        "events",
        {**NEW_EVENT, "evidence": [{"article": "a-no-such-article", **span(SIGNED)}]},
        "evidence[0]",
        "unknown article",
        id="event-evidence-unknown-article",
    ),
    pytest.param("events", {**NEW_EVENT, "evidence": []}, "evidence", "", id="event-without-evidence"),
    pytest.param(
        "events",
        {**NEW_EVENT, "location": "no-such-place"},
        "location",
        "unknown location entity",
        id="event-unknown-location",
    ),
    pytest.param(
        "events",
        {**NEW_EVENT, "location": "viktor-khrenin"},
        "location",
        "is a person, not a place",
        id="event-location-is-a-person",
    ),
    pytest.param(
        "events",
        {**NEW_EVENT, "participants": [{"entity": "nobody-known", "role": "guest"}]},
        "participants[0]",
        "unknown entity",
        id="event-unknown-participant",
    ),
    pytest.param(
        "events",
        {**NEW_EVENT, "date": {"value": "2024-02-30", "precision": "day"}},
        "date",
        "",
        id="event-date-not-a-calendar-day",
    ),
    pytest.param(
        "events",
        {**NEW_EVENT, "date": {"value": "2025-03-13", "precision": "year"}},
        "date",
        "",
        id="event-date-precision-mismatch",
    ),
    pytest.param("events", {**NEW_EVENT, "confidence": 1.0}, "confidence", "", id="event-confidence"),
    pytest.param("events", {**NEW_EVENT, "planned": "yes"}, "planned", "", id="event-planned-not-a-boolean"),
    pytest.param("events", {**NEW_EVENT, "planned": None}, "planned", "", id="event-planned-null"),
    pytest.param("events", {**NEW_EVENT, "id": "Not A Slug"}, "id", "", id="event-id-not-a-slug"),
]


@pytest.mark.parametrize(("collection", "body", "place", "words"), INVALID_POSTS)
def test_an_invalid_post_is_a_422_naming_the_problem(
    shared: Api, collection: str, body: dict[str, Any], place: str, words: str
) -> None:
    version = shared.version()
    problem = assert_problem(shared.post(f"/v1/{collection}", body), 422)
    assert_names(problem, place, words)
    assert shared.version() == version
    assert shared.get(f"/v1/{collection}/{NEW_IDS[collection]}").status_code == 404


INVALID_PATCHES = [
    pytest.param("articles", {"body": BODY + "Ajout."}, "body", "", id="article-body-read-only"),
    pytest.param("articles", {"content_hash": "0" * 64}, "content_hash", "", id="article-content-hash"),
    pytest.param("articles", {"id": "a-renamed"}, "id", "", id="article-id"),
    pytest.param(
        "articles",
        {"mentions": [{"entity": "minsk", "start": 1, "end": 6, "text": "Minsk"}]},
        "mentions[0]",
        "is not at",
        id="article-mention-span-wrong",
    ),
    pytest.param("articles", {"lead": "Absent du texte."}, "lead", "lead", id="article-lead-not-in-body"),
    pytest.param("statements", {"article": "a-other"}, "article", "", id="statement-article-read-only"),
    pytest.param("statements", {"id": "st-mine"}, "id", "", id="statement-id"),
    pytest.param(
        "statements",
        {"start": STATEMENT["start"] + 1},
        "text",
        "is not at",
        id="statement-span-broken",
    ),
    pytest.param(
        "statements", {"end": len(BODY) + 10}, "text", "outside the body", id="statement-end-past-body"
    ),
    pytest.param(
        "statements", {"speaker": "nobody-known"}, "speaker", "unknown speaker", id="statement-speaker"
    ),
    pytest.param(
        "statements",
        {"said_on": {"value": "2024-02-30", "precision": "day"}},
        "said_on",
        "",
        id="statement-said-on-bad-date",
    ),
    pytest.param("events", {"location": "andrei-belousov"}, "location", "not a place", id="event-location"),
    pytest.param(
        "events",
        {"evidence": [{"article": ARTICLE_ID, **span(LEAD), "text": "Viktor"}]},
        "evidence[0]",
        "is not at",
        id="event-evidence-span-wrong",
    ),
    pytest.param("events", {"evidence": []}, "evidence", "", id="event-evidence-emptied"),
    pytest.param("events", {"created_at": "2025-01-01T00:00:00Z"}, "created_at", "", id="event-created-at"),
]


@pytest.mark.parametrize(("collection", "changes", "place", "words"), INVALID_PATCHES)
def test_an_invalid_patch_is_a_422_and_changes_nothing(
    shared: Api, collection: str, changes: dict[str, Any], place: str, words: str
) -> None:
    path = f"/v1/{collection}/{ITEM_IDS[collection]}"
    before = shared.get(path)
    history = shared.history(collection, ITEM_IDS[collection])
    problem = assert_problem(shared.patch(path, changes, etag=before.headers["ETag"]), 422)
    assert_names(problem, place, words)
    after = shared.get(path)
    assert after.get_json() == before.get_json()
    assert after.headers["ETag"] == before.headers["ETag"]
    assert shared.history(collection, ITEM_IDS[collection]) == history


def test_an_event_becomes_planned_and_back_by_patch(written: Api) -> None:
    path = f"/v1/events/{EVENT_ID}"
    assert written.json(path)["planned"] is False, "an event is not planned unless said so"
    response = written.patch(path, {"planned": True}, etag=written.etag(path))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert written.json(path)["planned"] is True
    assert EVENT_ID in written.ids("/v1/events?planned=true&limit=500")
    assert written.patch(path, {"planned": False}, etag=written.etag(path)).status_code == 200
    assert EVENT_ID in written.ids("/v1/events?planned=false&limit=500")


def test_a_statement_problem_is_keyed_by_its_field(shared: Api) -> None:
    problem = assert_problem(shared.post("/v1/statements", {**NEW_STATEMENT, "speaker": "nobody-known"}), 422)
    assert "speaker" in problem["errors"], problem["errors"]


# -- 4. conflicts ------------------------------------------------------------------------------


def test_taken_ids_spans_and_texts_are_409s(shared: Api) -> None:
    version = shared.version()
    assert_names(assert_problem(shared.post("/v1/articles", ARTICLE), 409), "id", "in use")
    assert_names(assert_problem(shared.post("/v1/events", EVENT), 409), "id", "in use")
    again = assert_problem(shared.post("/v1/statements", {**STATEMENT, "kind": "reported"}), 409)
    assert STATEMENT_ID in again["detail"]
    copy_of_text = {**ARTICLE, "id": "a-2025-03-13-test-same-text", "title": TITLE, "mentions": []}
    assert_names(assert_problem(shared.post("/v1/articles", copy_of_text), 409), "body", ARTICLE_ID)
    assert shared.get(f"/v1/articles/{copy_of_text['id']}").status_code == 404
    assert shared.version() == version


def test_an_article_with_live_statements_cannot_be_retired(shared: Api) -> None:
    path = f"/v1/articles/{ARTICLE_ID}"
    etag = shared.etag(path)
    problem = assert_problem(shared.delete(path, etag=etag), 409)
    assert "live statements" in problem["detail"]
    assert shared.get(path).status_code == 200
    assert shared.etag(path) == etag


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_restoring_a_live_item_is_a_409(shared: Api, collection: str) -> None:
    path = f"/v1/{collection}/{ITEM_IDS[collection]}"
    assert "not retired" in assert_problem(shared.post(f"{path}/restore", key="admin"), 409)["detail"]
    assert_problem(shared.post(f"/v1/{collection}/{NEW_IDS[collection]}/restore", key="admin"), 404)


def test_restoring_an_article_cannot_make_two_live_articles_with_one_text(seeded: Api) -> None:
    path = f"/v1/articles/{NEW_ARTICLE['id']}"
    assert seeded.post("/v1/articles", NEW_ARTICLE).status_code == 201
    assert seeded.delete(path, etag=seeded.etag(path)).status_code == 204
    again = {**NEW_ARTICLE, "id": "a-2025-03-20-test-follow-up-again"}
    assert seeded.post("/v1/articles", again).status_code == 201  # the text is free once retired
    seeded.post(f"{path}/restore", key="admin")  # should be a 409 naming the live twin
    assert len(articles_with_body(seeded, NEW_ARTICLE["body"])) == 1


# -- 5. PATCH ----------------------------------------------------------------------------------

PATCHES: dict[str, dict[str, Any]] = {
    # null clears an optional field; a list given replaces the current one whole
    "articles": {
        "lead": None,
        "notes": "Relu par un curateur.",
        "mentions": [{"entity": "minsk", **span("Minsk", BODY.index(LEAD))}],
    },
    "statements": {"said_on": None, "about": ["nato"], "channel": "tass"},
    "events": {"summary": None, "participants": [{"entity": "alexander-lukashenko", "role": "observer"}]},
}


def test_a_patch_needs_the_current_etag_and_is_a_merge_patch(written: Api) -> None:
    for collection, changes in PATCHES.items():
        path = f"/v1/{collection}/{ITEM_IDS[collection]}"
        before = written.get(path)
        assert_problem(written.patch(path, changes), 428)
        assert_problem(written.patch(path, changes, etag='"0123456789abcdef0123456789abcdef"'), 412)
        assert written.get(path).get_json() == before.get_json()

        response = written.client.patch(
            path,
            json=changes,
            content_type="application/merge-patch+json",
            headers={**written.auth("write"), "If-Match": before.headers["ETag"]},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        after, old = response.get_json(), before.get_json()
        same_fields(after, changes)
        unchanged = set(old) - set(changes) - {"updated_at", "related"}
        assert {k: after[k] for k in unchanged} == {k: old[k] for k in unchanged}
        assert after["updated_at"] > old["updated_at"]
        fetched = written.get(path)
        assert fetched.get_json() == after
        assert fetched.headers["ETag"] == response.headers["ETag"] != before.headers["ETag"]
        history = written.history(collection, ITEM_IDS[collection])
        assert history == [("create", "k-write"), ("update", "k-write")]
        assert_problem(written.patch(path, TOUCH[collection], etag=before.headers["ETag"]), 412)
        assert_problem(written.delete(path, etag=before.headers["ETag"]), 412)


# -- 6. DELETE (retire) and restore --------------------------------------------------------------


def test_retired_items_are_gone_until_an_admin_restores_them(written: Api) -> None:
    paths = {c: f"/v1/{c}/{ITEM_IDS[c]}" for c in COLLECTIONS}
    served_before = {c: written.json(path) for c, path in paths.items()}
    for collection in ("statements", "events", "articles"):  # the article once its statement is gone
        item_id, path = ITEM_IDS[collection], paths[collection]
        version = written.version()
        assert_problem(written.delete(path), 428)
        retired = written.delete(path, etag=written.etag(path))
        assert retired.status_code == 204 and retired.get_data() == b""
        assert_problem(written.get(path), 410)
        assert item_id not in written.ids(LISTS[collection])
        assert item_id not in written.ids(f"/v1/{collection}?q={WORDS[collection]}")
        assert (SINGULAR[collection], item_id) not in written.found(WORDS[collection])
        assert written.history(collection, item_id) == [("create", "k-write"), ("delete", "k-write")]
        assert written.version() == version + 1
        assert_problem(written.delete(path, etag='"*"'), 410)
        assert_problem(written.patch(path, TOUCH[collection], etag='"*"'), 410)
        # without If-Match the missing precondition is named first, retired or not (RFC 6585)
        assert_problem(written.delete(path), 428)
        assert_problem(written.patch(path, TOUCH[collection]), 428)

    for collection in ("articles", "events", "statements"):
        item_id, path = ITEM_IDS[collection], paths[collection]
        for key, status in ((None, 401), ("read", 403), ("write", 403)):
            assert_problem(written.post(f"{path}/restore", key=key), status)
        restored = written.post(f"{path}/restore", key="admin")
        assert restored.status_code == 200
        fetched = written.get(path)
        assert fetched.status_code == 200 and fetched.headers["ETag"] == restored.headers["ETag"]
        assert item_id in written.ids(LISTS[collection])
        assert (SINGULAR[collection], item_id) in written.found(WORDS[collection])
        assert written.history(collection, item_id)[-1] == ("create", "k-admin")
    for collection, path in paths.items():
        restored = {k: v for k, v in written.json(path).items() if k != "updated_at"}
        assert restored == {k: v for k, v in served_before[collection].items() if k != "updated_at"}


# -- 7. concurrency ----------------------------------------------------------------------------


def test_six_patches_with_one_etag_let_exactly_one_through(written: Api) -> None:
    path = f"/v1/statements/{STATEMENT_ID}"
    etag = written.etag(path)
    statuses: dict[int, int] = {}
    start = threading.Barrier(6)

    def patch(writer: int) -> None:
        client = written.app.test_client()
        start.wait()
        response = client.patch(
            path,
            json={"said_on": {**DAY, "note": f"writer {writer}"}},
            headers={**written.auth("write"), "If-Match": etag},
        )
        statuses[writer] = response.status_code

    threads = [threading.Thread(target=patch, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [200, 412, 412, 412, 412, 412]
    (winner,) = [n for n, status in statuses.items() if status == 200]
    assert written.json(path)["said_on"]["note"] == f"writer {winner}"
    revisions = written.json(f"{path}/revisions")["data"]
    assert [r["action"] for r in revisions] == ["create", "update"]
    assert revisions[-1]["data"]["said_on"]["note"] == f"writer {winner}"


# -- 8. Idempotency-Key ------------------------------------------------------------------------


def test_an_idempotency_key_makes_a_retried_post_safe(written: Api) -> None:
    key = {"Idempotency-Key": "curator-1/reported-belousov"}
    first = written.post("/v1/statements", NEW_STATEMENT, headers=key)
    again = written.post("/v1/statements", NEW_STATEMENT, headers=key)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert written.ids(LISTS["statements"]) == {STATEMENT_ID, NEW_STATEMENT_ID}
    assert written.history("statements", NEW_STATEMENT_ID) == [("create", "k-write")]

    other = written.post("/v1/statements", {**NEW_STATEMENT, "about": []}, headers=key)
    assert "different request" in assert_problem(other, 422)["detail"]
    assert written.json(f"/v1/statements/{NEW_STATEMENT_ID}")["about"] == ["belarus"]

    # the same Idempotency-Key from another API key is another request altogether
    theirs = written.post("/v1/statements", NEW_STATEMENT, key="write-2", headers=key)
    assert_problem(theirs, 409)
    assert "Idempotent-Replayed" not in theirs.headers
    signed = {**NEW_STATEMENT, **span(SIGNED), "speaker": "viktor-khrenin"}
    theirs = written.post("/v1/statements", signed, key="write-2", headers=key)
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert written.history("statements", theirs.get_json()["id"]) == [("create", "k-write-2")]


# -- 9. merging a duplicate entity -----------------------------------------------------------------


def test_merging_a_duplicate_moves_every_reference_and_redirects(written: Api) -> None:
    assert written.post("/v1/entities", DUPLICATE).status_code == 201
    # the duplicate speaks, is spoken about, is mentioned and takes part in an event
    said = {**NEW_STATEMENT, "speaker": DUPLICATE["id"], "about": [DUPLICATE["id"], "belarus"]}
    assert written.post("/v1/statements", said).status_code == 201
    article = f"/v1/articles/{ARTICLE_ID}"
    mentions = [*ARTICLE["mentions"], {"entity": DUPLICATE["id"], **span("Son homologue russe")}]
    assert written.patch(article, {"mentions": mentions}, etag=written.etag(article)).status_code == 200
    event = f"/v1/events/{EVENT_ID}"
    participants = [*EVENT["participants"], {"entity": DUPLICATE["id"], "role": "observer"}]
    assert written.patch(event, {"participants": participants}, etag=written.etag(event)).status_code == 200
    _, cursor = feed(written.client, limit=500)

    merge = f"/v1/entities/{DUPLICATE['id']}/merge"
    assert_problem(written.post(merge, {"into": "andrei-belousov"}, key=None), 401)
    assert_problem(written.post(merge, {"into": "andrei-belousov"}, key="read"), 403)
    assert_names(assert_problem(written.post(merge, {"into": DUPLICATE["id"]}), 422), "into")
    assert_names(assert_problem(written.post(merge, {"into": "no-such-entity"}), 422), "into")

    response = written.post(merge, {"into": "andrei-belousov"})
    assert response.status_code == 200, response.get_data(as_text=True)
    target = response.get_json()
    assert target["id"] == "andrei-belousov"
    assert response.headers["ETag"] == written.etag("/v1/entities/andrei-belousov")
    aliases = {a["alias"] for a in target["aliases"]}
    assert {"Belooussov", "Andreï Belooussov", "Andreï Biélooussov", "Belousov"} <= aliases

    moved = written.get(f"/v1/entities/{DUPLICATE['id']}?expand=none&lang=fr")
    assert moved.status_code == 308
    assert moved.headers["Location"] == "http://localhost/v1/entities/andrei-belousov?expand=none&lang=fr"
    assert DUPLICATE["id"] not in written.ids("/v1/entities?limit=500")

    statement = written.json(f"/v1/statements/{NEW_STATEMENT_ID}")
    assert statement["speaker"] == "andrei-belousov"
    assert statement["about"] == ["andrei-belousov", "belarus"]
    assert {"entity": "andrei-belousov", "role": "observer"} in written.json(event)["participants"]
    assert {(m["entity"], m["text"]) for m in written.json(article)["related"]["mentions"]} >= {
        ("andrei-belousov", "Son homologue russe"),
        ("andrei-belousov", "Andreï Biélooussov"),
    }
    changes, _ = feed(written.client, since=cursor, limit=500)
    assert {
        "collection": "entities",
        "id": DUPLICATE["id"],
        "action": "merge",
        "data": {"into": "andrei-belousov"},
    }.items() <= next(c for c in changes if c["action"] == "merge").items()
    assert {(c["collection"], c["id"], c["action"]) for c in changes} >= {
        ("statements", NEW_STATEMENT_ID, "update"),
        ("events", EVENT_ID, "update"),
        ("articles", ARTICLE_ID, "update"),
        ("entities", "andrei-belousov", "update"),
    }
    assert written.history("entities", DUPLICATE["id"]) == [("create", "k-write"), ("merge", "k-write")]

    assert "already" in assert_problem(written.post(merge, {"into": "andrei-belousov"}), 409)["detail"]
    assert_problem(written.post(f"/v1/entities/{DUPLICATE['id']}/restore", key="admin"), 409)
    # the items whose references moved can still be edited
    for collection, item_id in (
        ("articles", ARTICLE_ID),
        ("events", EVENT_ID),
        ("statements", NEW_STATEMENT_ID),
    ):
        path = f"/v1/{collection}/{item_id}"
        assert written.patch(path, TOUCH[collection], etag=written.etag(path)).status_code == 200


def test_a_merge_where_both_entities_are_mentioned_at_one_span_keeps_the_article_editable(
    written: Api,
) -> None:
    assert written.post("/v1/entities", DUPLICATE).status_code == 201
    article = f"/v1/articles/{ARTICLE_ID}"
    same_span = {"entity": DUPLICATE["id"], **span("Andreï Biélooussov")}  # like a pipeline proposal would
    changed = written.patch(
        article, {"mentions": [*ARTICLE["mentions"], same_span]}, etag=written.etag(article)
    )
    assert changed.status_code == 200
    assert (
        written.post(f"/v1/entities/{DUPLICATE['id']}/merge", {"into": "andrei-belousov"}).status_code == 200
    )
    mentions = [(m["entity"], m["start"], m["end"]) for m in written.json(article)["related"]["mentions"]]
    assert len(mentions) == len(set(mentions)), mentions
    edited = written.patch(article, {"notes": "Relu après la fusion."}, etag=written.etag(article))
    assert edited.status_code == 200, edited.get_data(as_text=True)


# -- 10. extraction with the POST ---------------------------------------------------------------

MINSK_ID = "a-2025-03-14-test-minsk-ministers"


def minsk_article() -> dict[str, Any]:
    return {**parse_text_file(FIXTURE.read_text(encoding="utf-8")), "id": MINSK_ID}


def test_extract_true_stores_proposals_that_a_curator_can_confirm(seeded: Api) -> None:
    already_proposed = seeded.ids("/v1/entities?status=proposed&limit=500")
    response = seeded.post("/v1/articles?extract=true", minsk_article())
    assert response.status_code == 201, response.get_data(as_text=True)
    article = response.get_json()
    body = article["body"]
    assert response.headers["ETag"] == seeded.etag(f"/v1/articles/{MINSK_ID}")

    proposed = seeded.json(f"/v1/statements?article={MINSK_ID}&status=proposed")["data"]
    assert proposed
    for statement in proposed:
        assert statement["status"] == "proposed"
        assert 0 < statement["confidence"] <= 1
        assert body[statement["start"] : statement["end"]] == statement["text"]
    assert "viktor-khrenin" in {s["speaker"] for s in proposed}
    for mention in article["related"]["mentions"]:
        assert body[mention["start"] : mention["end"]] == mention["text"]
        assert mention["status"] == "proposed" and 0 < mention["confidence"] <= 1
    for event in seeded.json(f"/v1/events?article={MINSK_ID}")["data"]:
        assert event["status"] == "proposed" and 0 < event["confidence"] <= 1
        for evidence in event["evidence"]:
            assert body[evidence["start"] : evidence["end"]] == evidence["text"]

    new = [
        e
        for e in seeded.json("/v1/entities?status=proposed&limit=500")["data"]
        if e["id"] not in already_proposed
    ]
    assert "Andreï Belooussov" in {e["name"] for e in new}
    assert all(0 < e["confidence"] <= 1 and e["status"] == "proposed" for e in new)
    assert seeded.history("articles", MINSK_ID)[0] == ("create", "k-write")

    # a curator confirms one proposal: it is verified and keeps the pipeline's confidence
    statement = next(s for s in proposed if s["speaker"] == "viktor-khrenin")
    path = f"/v1/statements/{statement['id']}"
    confirmed = seeded.patch(path, {"status": "verified"}, etag=seeded.etag(path))
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    assert confirmed.get_json()["status"] == "verified"
    assert confirmed.get_json()["confidence"] == statement["confidence"]
    assert statement["id"] not in seeded.ids(f"/v1/statements?article={MINSK_ID}&status=proposed")
    assert statement["id"] in seeded.ids(f"/v1/statements?article={MINSK_ID}&status=verified")
    assert seeded.history("statements", statement["id"]) == [("create", "k-write"), ("update", "k-write")]

    # so does an edit of the article: its proposed mentions keep their confidence
    path = f"/v1/articles/{MINSK_ID}"
    edited = seeded.patch(path, {"notes": "Relu."}, etag=seeded.etag(path))
    assert edited.status_code == 200
    assert edited.get_json()["related"]["mentions"] == article["related"]["mentions"]


def test_extract_must_be_a_boolean(shared: Api) -> None:
    problem = assert_problem(shared.post("/v1/articles?extract=maybe", NEW_ARTICLE), 400)
    assert "extract" in problem["errors"]
    assert shared.get(f"/v1/articles/{NEW_ARTICLE['id']}").status_code == 404


def test_a_merged_proposal_keeps_its_confidence_through_a_later_edit(seeded: Api) -> None:
    assert seeded.post("/v1/articles?extract=true", minsk_article()).status_code == 201
    path = f"/v1/articles/{MINSK_ID}"
    (proposed,) = [m for m in seeded.json(path)["related"]["mentions"] if m["entity"] == DUPLICATE["id"]]
    merged = seeded.post(f"/v1/entities/{DUPLICATE['id']}/merge", {"into": "andrei-belousov"})
    assert merged.status_code == 200
    expected = {**proposed, "entity": "andrei-belousov"}
    assert expected in seeded.json(path)["related"]["mentions"]
    assert seeded.patch(path, {"notes": "Relu."}, etag=seeded.etag(path)).status_code == 200
    assert expected in seeded.json(path)["related"]["mentions"]


# -- 11. flask ingest ----------------------------------------------------------------------------


def articles_with_body(api: Api, body: str) -> list[str]:
    return [a["id"] for a in api.json("/v1/articles?limit=500")["data"] if a["body"] == body]


def test_flask_ingest_stores_a_text_once(seeded: Api) -> None:
    body = parse_text_file(FIXTURE.read_text(encoding="utf-8"))["body"]
    first = seeded.ingest(str(FIXTURE))
    assert first.exit_code == 0, first.output
    assert "1 created, 0 already stored, 0 failed" in first.output
    (article_id,) = articles_with_body(seeded, body)
    assert f"created {article_id}" in first.output
    assert seeded.json(f"/v1/articles/{article_id}")["source_url"] == "https://example.org/veille/test-minsk"
    statements = seeded.ids(f"/v1/statements?article={article_id}&status=proposed")
    assert statements
    version = seeded.version()

    second = seeded.ingest(str(FIXTURE))
    assert second.exit_code == 0, second.output
    assert f"already stored as {article_id}" in second.output
    assert "0 created, 1 already stored, 0 failed" in second.output
    assert articles_with_body(seeded, body) == [article_id]
    assert seeded.ids(f"/v1/statements?article={article_id}") == statements
    assert seeded.version() == version
    assert seeded.history("articles", article_id)[0] == ("create", "ingest")


def test_flask_ingest_without_extraction_proposes_nothing(seeded: Api, tmp_path: Path) -> None:
    proposed_entities = seeded.ids("/v1/entities?status=proposed&limit=500")
    text = tmp_path / "minsk.txt"
    text.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    result = seeded.ingest("--no-extract", "--actor", "test-feed", str(text))
    assert result.exit_code == 0, result.output
    (article_id,) = re.findall(r"created (\S+)", result.output)
    assert "proposed" not in result.output
    article = seeded.json(f"/v1/articles/{article_id}")
    assert article["related"]["mentions"] == [] and article["related"]["statements"] == []
    assert seeded.ids(f"/v1/statements?article={article_id}") == set()
    assert seeded.ids(f"/v1/events?article={article_id}") == set()
    assert seeded.ids("/v1/entities?status=proposed&limit=500") == proposed_entities
    assert seeded.history("articles", article_id) == [("create", "test-feed")]


def test_flask_ingest_refuses_unknown_front_matter_and_writes_nothing(shared: Api, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("---\nauthor: Jean Dupont\n---\nUn titre\nUn texte à Minsk.\n", encoding="utf-8")
    version, articles = shared.version(), shared.ids("/v1/articles?limit=500")
    result = shared.ingest(str(bad))
    assert result.exit_code == 1
    assert f"error: {bad}: unknown front-matter keys: author" in result.output
    assert "0 created, 0 already stored, 1 failed" in result.output
    assert shared.version() == version
    assert shared.ids("/v1/articles?limit=500") == articles


@pytest.mark.parametrize(
    "front_matter",
    ["source_url: 'https://example.org/unterminated\n", "title: 1984\n"],
    ids=["yaml-syntax-error", "title-not-a-string"],
)
def test_flask_ingest_reports_a_broken_front_matter_and_goes_on(
    seeded: Api, tmp_path: Path, front_matter: str
) -> None:
    broken, good = tmp_path / "1-broken.txt", tmp_path / "2-good.txt"
    broken.write_text(f"---\n{front_matter}---\n1984\nUn texte.\n", encoding="utf-8")
    good.write_text("Un bon titre\nUn texte correct sur Minsk.\n", encoding="utf-8")
    result = seeded.ingest("--no-extract", str(broken), str(good))
    assert result.exit_code == 1
    assert f"error: {broken}" in result.output
    assert "1 created, 0 already stored, 1 failed" in result.output


# -- 12. the change feed still rebuilds what is served ------------------------------------------------


def test_replaying_the_feed_after_writes_gives_what_the_api_serves(seeded: Api) -> None:
    before, cursor = feed(seeded.client, limit=100)
    post_items(seeded, *COLLECTIONS)
    statement = f"/v1/statements/{STATEMENT_ID}"
    assert seeded.patch(statement, PATCHES["statements"], etag=seeded.etag(statement)).status_code == 200
    article = f"/v1/articles/{ARTICLE_ID}"
    assert seeded.patch(article, PATCHES["articles"], etag=seeded.etag(article)).status_code == 200
    assert seeded.post("/v1/events", NEW_EVENT).status_code == 201
    retired = f"/v1/events/{NEW_EVENT['id']}"
    assert seeded.delete(retired, etag=seeded.etag(retired)).status_code == 204
    assert seeded.post("/v1/entities", DUPLICATE).status_code == 201
    said = {**NEW_STATEMENT, "speaker": DUPLICATE["id"]}
    assert seeded.post("/v1/statements", said).status_code == 201
    mentions = [*PATCHES["articles"]["mentions"], {"entity": DUPLICATE["id"], **span("Son homologue russe")}]
    assert seeded.patch(article, {"mentions": mentions}, etag=seeded.etag(article)).status_code == 200
    merge = seeded.post(f"/v1/entities/{DUPLICATE['id']}/merge", {"into": "andrei-belousov"})
    assert merge.status_code == 200

    after, end = feed(seeded.client, since=cursor, limit=3)
    assert {(c["collection"], c["action"]) for c in after} >= {
        ("articles", "create"),
        ("articles", "update"),
        ("statements", "create"),
        ("statements", "update"),
        ("events", "create"),
        ("events", "delete"),
        ("entities", "create"),
        ("entities", "merge"),
    }
    mirror = served(seeded.client)
    assert replay(after, replay(before)) == mirror
    assert replay(feed(seeded.client)[0]) == mirror
    assert feed(seeded.client, since=end) == ([], end)


def test_the_fixtures_spans_are_right() -> None:
    for item in [
        *ARTICLE["mentions"],
        STATEMENT,
        NEW_STATEMENT,
        *EVENT["evidence"],
        *NEW_EVENT["evidence"],
    ]:
        assert BODY[item["start"] : item["end"]] == item["text"]
