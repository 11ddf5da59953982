"""Items of every collection: fields, related summaries and span offsets, checked against the seeds.

Every expectation is computed here in plain Python from ``seed_rows`` (the curated dataset as
the loader reads it), so these tests hold whatever the dataset contains.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient

from api.checks import SeedRows
from tests.helpers import assert_problem

COLLECTIONS = ("articles", "entities", "statements", "events")
TIMESTAMPS = ("created_at", "updated_at")
Row = dict[str, Any]


# --------------------------------------------------------------------------------------------
# The seeds, indexed
# --------------------------------------------------------------------------------------------


class Seeds:
    """The seed rows by id, and the link rows grouped by the item they belong to."""

    def __init__(self, rows: SeedRows) -> None:
        self.rows = rows
        self.articles = {r["id"]: r for r in rows.articles}
        self.entities = {r["id"]: r for r in rows.entities}
        self.statements = {r["id"]: r for r in rows.statements}
        self.events = {r["id"]: r for r in rows.events}
        self.aliases = _group(rows.entity_aliases, "entity_id")
        self.cited = _group(rows.article_cited_outlets, "article_id")
        self.mentions_in = _group(rows.mentions, "article_id")
        self.mentions_of = _group(rows.mentions, "entity_id")
        self.participants = _group(rows.event_participants, "event_id")
        self.participations = _group(rows.event_participants, "entity_id")
        self.evidence = _group(rows.event_evidence, "event_id")
        self.evidence_in = _group(rows.event_evidence, "article_id")
        self.about = _group(rows.statement_about, "statement_id")
        self.said_in = _group(rows.statements, "article_id")
        self.said_by = _group(rows.statements, "speaker_id")
        self.said_at = _group(rows.statements, "event_id")

    def ids(self, collection: str) -> set[str]:
        return set(getattr(self, collection))


def _group(rows: list[Row], key: str) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return grouped


@pytest.fixture(scope="module")
def seeds(seed_rows: SeedRows) -> Seeds:
    indexed = Seeds(seed_rows)
    for collection in COLLECTIONS:
        if not indexed.ids(collection):
            pytest.fail(f"the dataset has no {collection}")
    return indexed


# --------------------------------------------------------------------------------------------
# The shapes the API should serve, built from the seeds
# --------------------------------------------------------------------------------------------


def fuzzy(row: Row, prefix: str) -> dict[str, Any] | None:
    if row[f"{prefix}_value"] is None:
        return None
    return {
        "value": row[f"{prefix}_value"],
        "precision": row[f"{prefix}_precision"],
        "note": row[f"{prefix}_note"],
    }


def entity_summary(row: Row) -> Row:
    return {"id": row["id"], "type": row["type"], "name": row["name"]}


def article_summary(row: Row) -> Row:
    return {"id": row["id"], "title": row["title"], "published": fuzzy(row, "published")}


def event_summary(row: Row) -> Row:
    return {
        "id": row["id"],
        "type": row["type"],
        "title": row["title"],
        "date": fuzzy(row, "date"),
        "planned": row["planned"],
    }


def statement_summary(row: Row) -> Row:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "speaker": row["speaker_id"],
        "text": row["text"],
        "said_on": fuzzy(row, "said_on"),
        "article": row["article_id"],
    }


def span(row: Row) -> Row:
    return {"start": row["start"], "end": row["end"], "text": row["text"]}


def entity_counts(seeds: Seeds, entity_id: str) -> dict[str, int]:
    mentions = seeds.mentions_of.get(entity_id, [])
    return {
        "mentions": len(mentions),
        "articles": len({m["article_id"] for m in mentions}),
        "statements": len(seeds.said_by.get(entity_id, [])),
        "events": len({p["event_id"] for p in seeds.participations.get(entity_id, [])}),
    }


def expected_item(seeds: Seeds, collection: str, item_id: str) -> Row:
    """The list item (without timestamps), with its link lists sorted for comparison."""
    if collection == "articles":
        row = seeds.articles[item_id]
        return {
            "id": row["id"],
            "title": row["title"],
            "lead": row["lead"],
            "body": row["body"],
            "language": row["language"],
            "published": fuzzy(row, "published"),
            "outlet": row["outlet_id"],
            "cited_outlets": sorted(c["entity_id"] for c in seeds.cited.get(item_id, [])),
            "source_url": row["source_url"],
            "content_hash": hashlib.sha256(row["body"].encode()).hexdigest(),
            "notes": row["notes"],
        }
    if collection == "entities":
        row = seeds.entities[item_id]
        return {
            "id": row["id"],
            "type": row["type"],
            "name": row["name"],
            "status": "verified",
            "confidence": None,
            "description": row["description"],
            "aliases": sorted(
                (
                    {"alias": a["alias"], "language": a["language"], "in_text": a["in_text"]}
                    for a in seeds.aliases.get(item_id, [])
                ),
                key=alias_key,
            ),
            "external_ids": {"wikidata": row["wikidata"]},
            "counts": entity_counts(seeds, item_id),
        }
    if collection == "statements":
        row = seeds.statements[item_id]
        return {
            "id": row["id"],
            "kind": row["kind"],
            "status": row["status"],
            "confidence": None,
            "text": row["text"],
            "article": row["article_id"],
            "start": row["start"],
            "end": row["end"],
            "speaker": row["speaker_id"],
            "said_on": fuzzy(row, "said_on"),
            "about": sorted(a["entity_id"] for a in seeds.about.get(item_id, [])),
            "event": row["event_id"],
            "channel": row["channel_id"],
        }
    row = seeds.events[item_id]
    return {
        "id": row["id"],
        "type": row["type"],
        "status": row["status"],
        "confidence": None,
        "title": row["title"],
        "summary": row["summary"],
        "date": fuzzy(row, "date"),
        "location": row["location_id"],
        "planned": row["planned"],
        "participants": sorted(
            ({"entity": p["entity_id"], "role": p["role"]} for p in seeds.participants.get(item_id, [])),
            key=lambda p: (p["entity"], p["role"]),
        ),
        "evidence": sorted(
            ({"article": e["article_id"], **span(e)} for e in seeds.evidence.get(item_id, [])),
            key=lambda e: (e["article"], e["start"], e["end"]),
        ),
    }


def comparable(collection: str, item: Row) -> Row:
    """``item`` without timestamps nor ``related``, its link lists in a canonical order."""
    item = {k: v for k, v in item.items() if k not in (*TIMESTAMPS, "related")}
    if collection == "articles":
        item["cited_outlets"] = sorted(item["cited_outlets"])
    elif collection == "entities":
        item["aliases"] = sorted(item["aliases"], key=alias_key)
    elif collection == "statements":
        item["about"] = sorted(item["about"])
    else:
        item["participants"] = sorted(item["participants"], key=lambda p: (p["entity"], p["role"]))
        item["evidence"] = sorted(item["evidence"], key=lambda e: (e["article"], e["start"], e["end"]))
    return item


def alias_key(alias: Row) -> tuple[str, str, bool]:
    return alias["alias"], alias["language"], alias["in_text"]


def statement_order(row: Row) -> tuple[bool, date, str, int]:
    """Related statements are listed by date (undated last), then by place in the text."""
    return row["said_on_start"] is None, row["said_on_start"] or date.max, row["article_id"], row["start"]


def is_sorted(keys: list[Any]) -> bool:
    return keys == sorted(keys)


# --------------------------------------------------------------------------------------------
# HTTP helpers
# --------------------------------------------------------------------------------------------


def list_items(client: FlaskClient, collection: str) -> list[Row]:
    """Every item of a list, following the cursor."""
    items: list[Row] = []
    url: str | None = f"/v1/{collection}?limit=500"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.get_json()
        items.extend(body["data"])
        cursor = body["meta"]["next_cursor"]
        url = f"/v1/{collection}?limit=500&cursor={cursor}" if cursor else None
    return items


def get_item(client: FlaskClient, collection: str, item_id: str) -> Row:
    response = client.get(f"/v1/{collection}/{item_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


@pytest.fixture(scope="module")
def served(app: Any, seeds: Seeds) -> dict[str, dict[str, Row]]:
    """Every item of every collection as ``GET /v1/{collection}/{id}`` serves it."""
    client = app.test_client()
    return {c: {i: get_item(client, c, i) for i in sorted(seeds.ids(c))} for c in COLLECTIONS}


# --------------------------------------------------------------------------------------------
# 1. Every item, with the fields of the list
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_seeded_item_is_served_as_in_the_list(
    client: FlaskClient, seeds: Seeds, served: dict[str, dict[str, Row]], collection: str
) -> None:
    listed = list_items(client, collection)
    assert {item["id"] for item in listed} == seeds.ids(collection)
    for item in listed:
        full = served[collection][item["id"]]
        assert "related" in full
        assert {k: v for k, v in full.items() if k != "related"} == item


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_item_has_the_seeded_field_values(
    seeds: Seeds, served: dict[str, dict[str, Row]], collection: str
) -> None:
    for item_id, item in served[collection].items():
        assert comparable(collection, item) == expected_item(seeds, collection, item_id)
        for name in TIMESTAMPS:
            assert datetime.fromisoformat(item[name]).utcoffset() is not None, f"{name} without a time zone"


# --------------------------------------------------------------------------------------------
# 2. Related summaries
# --------------------------------------------------------------------------------------------


def test_article_related_mentions_are_its_seed_mentions_in_text_order(
    seeds: Seeds, served: dict[str, dict[str, Row]]
) -> None:
    checked = 0
    for article_id, article in served["articles"].items():
        mentions = article["related"]["mentions"]
        want = [
            {"entity": m["entity_id"], **span(m), "status": "verified", "confidence": None}
            for m in seeds.mentions_in.get(article_id, [])
        ]
        assert sorted(mentions, key=lambda m: (m["start"], m["end"], m["entity"])) == sorted(
            want, key=lambda m: (m["start"], m["end"], m["entity"])
        )
        assert is_sorted([m["start"] for m in mentions]), f"{article_id}: mentions not in text order"
        checked += len(mentions)
    if not checked:
        pytest.fail("no mention in the dataset")


def test_article_related_entities_have_their_mention_counts(
    seeds: Seeds, served: dict[str, dict[str, Row]]
) -> None:
    for article_id, article in served["articles"].items():
        mentions = seeds.mentions_in.get(article_id, [])
        counts = Counter(m["entity_id"] for m in mentions)
        first_seen = {e: min(m["start"] for m in mentions if m["entity_id"] == e) for e in counts}
        related = article["related"]["entities"]
        assert {e["id"]: e["mentions"] for e in related} == dict(counts)
        assert len(related) == len(counts), "an entity is listed twice"
        for entity in related:
            assert {k: entity[k] for k in ("id", "type", "name")} == entity_summary(
                seeds.entities[entity["id"]]
            )
        assert is_sorted([first_seen[e["id"]] for e in related]), (
            f"{article_id}: entities not by first mention"
        )


def test_article_related_statements_and_events(seeds: Seeds, served: dict[str, dict[str, Row]]) -> None:
    for article_id, article in served["articles"].items():
        related = article["related"]
        statements = sorted(seeds.said_in.get(article_id, []), key=statement_order)
        assert sorted(related["statements"], key=lambda s: s["id"]) == sorted(
            (statement_summary(s) for s in statements), key=lambda s: s["id"]
        )
        order = [statement_order(seeds.statements[s["id"]]) for s in related["statements"]]
        assert is_sorted(order), f"{article_id}: statements not in date order"
        reported = {e["event_id"] for e in seeds.evidence_in.get(article_id, [])}
        events = sorted((seeds.events[e] for e in reported), key=lambda e: (e["date_start"], e["id"]))
        assert related["events"] == [event_summary(e) for e in events]


def test_entity_counts_equal_the_seed_counts(seeds: Seeds, served: dict[str, dict[str, Row]]) -> None:
    for entity_id, entity in served["entities"].items():
        assert entity["counts"] == entity_counts(seeds, entity_id), entity_id
    if not any(e["counts"]["statements"] for e in served["entities"].values()):
        pytest.fail("no entity made a statement in the dataset")


def test_entity_related_statements_events_and_articles(
    seeds: Seeds, served: dict[str, dict[str, Row]]
) -> None:
    for entity_id, entity in served["entities"].items():
        related = entity["related"]
        statements = seeds.said_by.get(entity_id, [])
        assert sorted(related["statements"], key=lambda s: s["id"]) == sorted(
            (statement_summary(s) for s in statements), key=lambda s: s["id"]
        )
        assert is_sorted([statement_order(seeds.statements[s["id"]]) for s in related["statements"]])
        events = {p["event_id"] for p in seeds.participations.get(entity_id, [])}
        want_events = sorted((seeds.events[e] for e in events), key=lambda e: (e["date_start"], e["id"]))
        assert related["events"] == [event_summary(e) for e in want_events]
        mentions = Counter(m["article_id"] for m in seeds.mentions_of.get(entity_id, []))
        articles = sorted(
            (seeds.articles[a] for a in mentions), key=lambda a: (a["published_start"], a["id"])
        )
        assert related["articles"] == [
            {**article_summary(a), "mentions": mentions[a["id"]]} for a in articles
        ]


def test_entity_aliases_are_the_seed_aliases(seeds: Seeds, served: dict[str, dict[str, Row]]) -> None:
    if not seeds.rows.entity_aliases:
        pytest.fail("no alias in the dataset")
    for entity_id, entity in served["entities"].items():
        aliases = entity["aliases"]
        want = {(a["alias"], a["language"], a["in_text"]) for a in seeds.aliases.get(entity_id, [])}
        assert {(a["alias"], a["language"], a["in_text"]) for a in aliases} == want
        assert len(aliases) == len(want)
        # spellings seen in the corpus come first
        assert is_sorted([not a["in_text"] for a in aliases]), entity_id


def test_statement_related_summaries(seeds: Seeds, served: dict[str, dict[str, Row]]) -> None:
    with_event = with_channel = 0
    for statement_id, statement in served["statements"].items():
        row = seeds.statements[statement_id]
        related = statement["related"]
        assert related["speaker"] == entity_summary(seeds.entities[row["speaker_id"]])
        assert related["speaker"]["name"] == seeds.entities[row["speaker_id"]]["name"]
        assert related["article"] == article_summary(seeds.articles[row["article_id"]])
        about = sorted(a["entity_id"] for a in seeds.about.get(statement_id, []))
        assert sorted(related["about"], key=lambda e: e["id"]) == [
            entity_summary(seeds.entities[e]) for e in about
        ]
        event = row["event_id"]
        assert related["event"] == (event_summary(seeds.events[event]) if event else None)
        channel = row["channel_id"]
        assert related["channel"] == (entity_summary(seeds.entities[channel]) if channel else None)
        with_event += event is not None
        with_channel += channel is not None
    if not with_event or with_event == len(served["statements"]):
        pytest.fail("the dataset needs statements with and without an event")


def test_event_related_participants_and_location(seeds: Seeds, served: dict[str, dict[str, Row]]) -> None:
    for event_id, event in served["events"].items():
        row = seeds.events[event_id]
        related = event["related"]
        want = [
            {**entity_summary(seeds.entities[p["entity_id"]]), "role": p["role"]}
            for p in seeds.participants.get(event_id, [])
        ]
        assert sorted(related["participants"], key=lambda p: (p["id"], p["role"])) == sorted(
            want, key=lambda p: (p["id"], p["role"])
        )
        location = row["location_id"]
        assert related["location"] == (entity_summary(seeds.entities[location]) if location else None)


def test_event_evidence_covers_every_article_that_reports_it(
    seeds: Seeds, served: dict[str, dict[str, Row]]
) -> None:
    for event_id, event in served["events"].items():
        evidence = seeds.evidence.get(event_id, [])
        assert evidence, f"{event_id} has no evidence in the seeds"
        reporting = {e["article_id"] for e in evidence}
        assert {e["article"] for e in event["evidence"]} == reporting
        articles = sorted(
            (seeds.articles[a] for a in reporting), key=lambda a: (a["published_start"], a["id"])
        )
        assert event["related"]["articles"] == [article_summary(a) for a in articles]
        # and each of those articles lists the event
        for article_id in reporting:
            assert event_id in {e["id"] for e in served["articles"][article_id]["related"]["events"]}


def test_event_related_statements(seeds: Seeds, served: dict[str, dict[str, Row]]) -> None:
    for event_id, event in served["events"].items():
        statements = seeds.said_at.get(event_id, [])
        related = event["related"]["statements"]
        assert sorted(related, key=lambda s: s["id"]) == sorted(
            (statement_summary(s) for s in statements), key=lambda s: s["id"]
        )
        assert is_sorted([statement_order(seeds.statements[s["id"]]) for s in related])


# --------------------------------------------------------------------------------------------
# 3. Offsets: body[start:end] == text for every span served
# --------------------------------------------------------------------------------------------


def test_every_span_served_is_at_its_offsets_in_the_served_body(
    client: FlaskClient, served: dict[str, dict[str, Row]]
) -> None:
    bodies = {article_id: article["body"] for article_id, article in served["articles"].items()}
    spans: list[tuple[str, str, Row]] = []
    spans += [("statement", s["article"], s) for s in list_items(client, "statements")]
    spans += [("statement", s["article"], s) for s in served["statements"].values()]
    for article_id, article in served["articles"].items():
        spans += [("mention", article_id, m) for m in article["related"]["mentions"]]
    for event in [*list_items(client, "events"), *served["events"].values()]:
        spans += [("evidence", e["article"], e) for e in event["evidence"]]
    kinds = Counter(kind for kind, _, _ in spans)
    if set(kinds) != {"statement", "mention", "evidence"}:
        pytest.fail(f"the dataset lacks some kind of span: {dict(kinds)}")
    for kind, article_id, item in spans:
        body = bodies[article_id]
        assert 0 <= item["start"] < item["end"] <= len(body), f"{kind} {item} outside {article_id}"
        assert body[item["start"] : item["end"]] == item["text"], f"{kind} in {article_id}"


def test_article_body_is_the_seed_text_verbatim(seeds: Seeds, served: dict[str, dict[str, Row]]) -> None:
    for article_id, article in served["articles"].items():
        assert article["body"] == seeds.articles[article_id]["body"]
        assert article["content_hash"] == hashlib.sha256(article["body"].encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# 4. Unknown ids
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_unknown_id_is_a_404_problem(client: FlaskClient, seeds: Seeds, collection: str) -> None:
    others = sorted(
        set().union(*(seeds.ids(c) for c in COLLECTIONS if c != collection)) - seeds.ids(collection)
    )
    for item_id in ["no-such-id", "NO-SUCH-ID", "x" * 300, *others[:3]]:
        body = assert_problem(client.get(f"/v1/{collection}/{item_id}"), 404)
        assert item_id in body["detail"]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_id_is_matched_exactly(client: FlaskClient, seeds: Seeds, collection: str) -> None:
    item_id = sorted(seeds.ids(collection))[0]
    for variant in (item_id.upper(), f"{item_id}-x", f"x{item_id}"):
        if variant not in seeds.ids(collection):
            assert_problem(client.get(f"/v1/{collection}/{variant}"), 404)
