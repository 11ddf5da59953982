"""Shaping a list: ``fields=``, ``expand=`` and ``facets=`` on every collection.

Expected facet counts are computed here from ``seed_rows``; expanded objects are compared with
what the item endpoints return.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api.checks import SeedRows
from schemas.articles import ARTICLE_EXPANDABLE, ARTICLE_FACETS, ArticleSchema
from schemas.entities import ENTITY_FACETS, EntitySchema
from schemas.events import EVENT_EXPANDABLE, EVENT_FACETS, EventSchema
from schemas.statements import STATEMENT_EXPANDABLE, STATEMENT_FACETS, StatementSchema
from tests.helpers import assert_problem

Params = list[tuple[str, str]]

COLLECTIONS = ("articles", "entities", "statements", "events")
SCHEMAS = {
    "articles": ArticleSchema,
    "entities": EntitySchema,
    "statements": StatementSchema,
    "events": EventSchema,
}
FIELDS = {name: tuple(schema().fields) for name, schema in SCHEMAS.items()}
EXPANDABLE = {
    "articles": ARTICLE_EXPANDABLE,
    "entities": (),
    "statements": STATEMENT_EXPANDABLE,
    "events": EVENT_EXPANDABLE,
}
FACETS = {
    "articles": ARTICLE_FACETS,
    "entities": ENTITY_FACETS,
    "statements": STATEMENT_FACETS,
    "events": EVENT_FACETS,
}
FACET_CASES = [(c, f) for c in COLLECTIONS for f in FACETS[c]]
# facets over a list of values per item: an item counts once under each of its values
MANY_VALUED = {
    ("statements", "about"),
    ("events", "participant"),
    ("events", "article"),
    ("articles", "entity"),
    ("entities", "article"),
}
# which item endpoint an id of an expandable field points to (participants: their ``entity``)
EXPANDS_TO = {
    ("statements", "speaker"): "entities",
    ("statements", "about"): "entities",
    ("statements", "article"): "articles",
    ("statements", "event"): "events",
    ("statements", "channel"): "entities",
    ("events", "location"): "entities",
    ("events", "participants"): "entities",
    ("articles", "outlet"): "entities",
    ("articles", "cited_outlets"): "entities",
}
EXPAND_CASES = sorted(EXPANDS_TO)
SINGLE_VALUED = [case for case in FACET_CASES if case not in MANY_VALUED]
MAX_LIMIT = 500
PAGE = 25  # a page size that splits every list of the dataset into a few pages


def joined(cases: list[tuple[str, str]]) -> list[str]:
    return [f"{a}-{b}" for a, b in cases]


# --------------------------------------------------------------------------------------------
# Expectations computed from the seed rows
# --------------------------------------------------------------------------------------------


@dataclass
class Facets:
    """Per collection: item id -> facet -> its values (one for a single-valued facet, maybe None)."""

    values: dict[str, dict[str, dict[str, list[Any]]]]
    labels: dict[str, dict[str, str]]  # "entity" | "article" | "event" -> id -> name or title

    def ids(self, collection: str) -> set[str]:
        return set(self.values[collection])

    def matching(self, collection: str, params: Params) -> set[str]:
        """Items matching facet-named filters: OR within one filter, AND across filters."""
        grouped: dict[str, set[str]] = defaultdict(set)
        for name, value in params:
            grouped[name].add(value)
        return {
            item
            for item, facets in self.values[collection].items()
            if all(set(facets[name]) & wanted for name, wanted in grouped.items())
        }

    def counts(self, collection: str, facet: str, items: set[str]) -> Counter[Any]:
        counts: Counter[Any] = Counter()
        for item in items:
            counts.update(set(self.values[collection][item][facet]))
        return counts

    def label(self, facet: str, value: Any) -> Any:
        kind = {"speaker": "entity", "about": "entity", "participant": "entity", "location": "entity"}
        kind |= {"outlet": "entity", "entity": "entity", "article": "article", "event": "event"}
        if facet not in kind or value is None:
            return value
        return self.labels[kind[facet]][value]


def build_facets(seeds: SeedRows) -> Facets:
    many: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for a in seeds.statement_about:
        many["statements", "about"][a["statement_id"]].append(a["entity_id"])
    for p in seeds.event_participants:
        many["events", "participant"][p["event_id"]].append(p["entity_id"])
    for e in seeds.event_evidence:
        many["events", "article"][e["event_id"]].append(e["article_id"])
    for m in seeds.mentions:
        many["articles", "entity"][m["article_id"]].append(m["entity_id"])
        many["entities", "article"][m["entity_id"]].append(m["article_id"])
    values = {
        "statements": {
            s["id"]: {
                "speaker": [s["speaker_id"]],
                "kind": [s["kind"]],
                "status": [s["status"]],
                "article": [s["article_id"]],
                "event": [s["event_id"]],
                "about": sorted(set(many["statements", "about"][s["id"]])),
            }
            for s in seeds.statements
        },
        "events": {
            e["id"]: {
                "type": [e["type"]],
                "status": [e["status"]],
                # a boolean is a facet value, a filter value and a label as `true` / `false`
                "planned": ["true" if e["planned"] else "false"],
                "location": [e["location_id"]],
                "participant": sorted(set(many["events", "participant"][e["id"]])),
                "article": sorted(set(many["events", "article"][e["id"]])),
            }
            for e in seeds.events
        },
        "articles": {
            a["id"]: {
                "language": [a["language"]],
                "outlet": [a["outlet_id"]],
                "entity": sorted(set(many["articles", "entity"][a["id"]])),
            }
            for a in seeds.articles
        },
        "entities": {
            e["id"]: {
                "type": [e["type"]],
                "status": ["verified"],
                "article": sorted(set(many["entities", "article"][e["id"]])),
            }
            for e in seeds.entities
        },
    }
    labels = {
        "entity": {e["id"]: e["name"] for e in seeds.entities},
        "article": {a["id"]: a["title"] for a in seeds.articles},
        "event": {e["id"]: e["title"] for e in seeds.events},
    }
    return Facets(values, labels)


@pytest.fixture(scope="module")
def facets(seed_rows: SeedRows) -> Facets:
    built = build_facets(seed_rows)
    for collection, facet in FACET_CASES:
        if not any(built.counts(collection, facet, built.ids(collection))):
            pytest.fail(f"no {collection} has a value for the {facet} facet")
    return built


# --------------------------------------------------------------------------------------------
# HTTP helpers
# --------------------------------------------------------------------------------------------


def get(client: FlaskClient, path: str, params: Params) -> TestResponse:
    return client.get(f"{path}?{urlencode(params)}" if params else path)


def get_page(client: FlaskClient, collection: str, params: Params) -> dict[str, Any]:
    response = get(client, f"/v1/{collection}", params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


def fetch_all(client: FlaskClient, collection: str, params: Params, limit: int = MAX_LIMIT) -> list[dict]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = [*params, ("limit", str(limit))] + ([("cursor", cursor)] if cursor else [])
        body = get_page(client, collection, page)
        items.extend(body["data"])
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            assert len(items) == body["meta"]["count"]
            return items


def assert_bad_parameter(response: TestResponse, parameter: str) -> dict[str, Any]:
    body = assert_problem(response, 400)
    assert parameter in body["detail"], body
    assert parameter in body["errors"], body
    return body


@pytest.fixture(scope="module")
def plain(app: Flask) -> dict[str, list[dict[str, Any]]]:
    """Every item of every list, unshaped, in the default order."""
    client = app.test_client()
    return {c: fetch_all(client, c, []) for c in COLLECTIONS}


class ItemCache:
    """``GET /v1/{collection}/{id}``, each fetched once."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def __call__(self, collection: str, item_id: str) -> dict[str, Any]:
        key = (collection, item_id)
        if key not in self.items:
            response = self.client.get(f"/v1/{collection}/{item_id}")
            assert response.status_code == 200, response.get_data(as_text=True)
            self.items[key] = response.get_json()
        return self.items[key]


@pytest.fixture(scope="module")
def item(app: Flask) -> ItemCache:
    return ItemCache(app.test_client())


# --------------------------------------------------------------------------------------------
# 1. fields=
# --------------------------------------------------------------------------------------------

FIELD_CASES = [(c, f) for c in COLLECTIONS for f in FIELDS[c]]


@pytest.mark.parametrize(("collection", "field"), FIELD_CASES, ids=joined(FIELD_CASES))
def test_fields_keeps_only_that_field_and_the_id(
    client: FlaskClient, plain: dict[str, list[dict]], collection: str, field: str
) -> None:
    items = fetch_all(client, collection, [("fields", field)])
    assert items == [{k: v for k, v in i.items() if k in ("id", field)} for i in plain[collection]]
    assert all(list(i) == [k for k in FIELDS[collection] if k in ("id", field)] for i in items)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_several_fields_in_any_order_keep_the_documented_order(
    client: FlaskClient, plain: dict[str, list[dict]], collection: str
) -> None:
    chosen = [f for f in FIELDS[collection] if f != "id"][::-3]
    for value in (",".join(chosen), " , ".join(reversed(chosen)), ",".join([*chosen, chosen[0]]) + ","):
        items = fetch_all(client, collection, [("fields", value)], limit=PAGE)
        assert items == [{k: v for k, v in i.items() if k == "id" or k in chosen} for i in plain[collection]]
        assert list(items[0]) == [k for k in FIELDS[collection] if k == "id" or k in chosen]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_fields_id_alone_gives_only_ids(
    client: FlaskClient, plain: dict[str, list[dict]], collection: str
) -> None:
    assert fetch_all(client, collection, [("fields", "id")]) == [{"id": i["id"]} for i in plain[collection]]


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("value", ["nonsense", "related", "text,nonsense", "", ",", "ID", "said_on.value"])
def test_an_unknown_field_is_a_400_listing_the_allowed_fields(
    client: FlaskClient, collection: str, value: str
) -> None:
    body = assert_bad_parameter(get(client, f"/v1/{collection}", [("fields", value)]), "fields")
    message = " ".join(body["errors"]["fields"])
    listed = set(re.findall(r"[a-z_]+", message))
    assert listed >= set(FIELDS[collection]), f"{message!r} does not list {set(FIELDS[collection]) - listed}"


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_fields_given_twice_is_a_400(client: FlaskClient, collection: str) -> None:
    assert_bad_parameter(get(client, f"/v1/{collection}", [("fields", "id"), ("fields", "id")]), "fields")


def test_fields_does_not_change_the_count_the_order_or_the_paging(client: FlaskClient) -> None:
    params: Params = [("fields", "said_on"), ("sort", "-said_on"), ("kind", "direct")]
    whole = fetch_all(client, "statements", [p for p in params if p[0] != "fields"])
    paged = fetch_all(client, "statements", params, limit=2)
    assert paged == [{"id": i["id"], "said_on": i["said_on"]} for i in whole]


# --------------------------------------------------------------------------------------------
# 2. expand=
# --------------------------------------------------------------------------------------------


def expanded(collection: str, field: str, value: Any, item: ItemCache) -> Any:
    """What ``value`` of ``field`` becomes once expanded: the object(s) the item endpoint returns."""
    target = EXPANDS_TO[collection, field]
    if field == "participants":
        return [{**p, "entity": item(target, p["entity"])} for p in value]
    if isinstance(value, list):
        return [item(target, v) for v in value]
    return None if value is None else item(target, value)


@pytest.mark.parametrize(("collection", "field"), EXPAND_CASES, ids=joined(EXPAND_CASES))
def test_expand_replaces_ids_by_the_objects_of_the_item_endpoints(
    client: FlaskClient, plain: dict[str, list[dict]], item: ItemCache, collection: str, field: str
) -> None:
    items = get_page(client, collection, [("expand", field), ("limit", str(MAX_LIMIT))])["data"]
    assert [i["id"] for i in items] == [i["id"] for i in plain[collection]]
    for got, original in zip(items, plain[collection], strict=True):
        assert got[field] == expanded(collection, field, original[field], item), got["id"]
        assert {**got, field: original[field]} == original, "another field changed"
    values = [original[field] for original in plain[collection]]
    if not any(values):
        pytest.fail(f"no {collection} has a {field}: expand is not exercised")


@pytest.mark.parametrize("field", ["event", "channel"])
def test_expanding_a_null_keeps_null(client: FlaskClient, plain: dict[str, list[dict]], field: str) -> None:
    nulls = {i["id"] for i in plain["statements"] if i[field] is None}
    if not nulls or len(nulls) == len(plain["statements"]):
        pytest.fail(f"the dataset needs statements with and without {field}")
    items = fetch_all(client, "statements", [("expand", field)])
    assert {i["id"] for i in items if i[field] is None} == nulls
    assert all(isinstance(i[field], dict) for i in items if i["id"] not in nulls)


@pytest.mark.parametrize("collection", ["statements", "events", "articles"])
def test_expand_every_field_at_once_on_every_page(
    client: FlaskClient, plain: dict[str, list[dict]], item: ItemCache, collection: str
) -> None:
    fields = EXPANDABLE[collection]
    items = fetch_all(client, collection, [("expand", ",".join(fields))], limit=PAGE)
    for got, original in zip(items, plain[collection], strict=True):
        want = {**original, **{f: expanded(collection, f, original[f], item) for f in fields}}
        assert got == want


def test_an_expanded_speaker_is_exactly_the_entity_endpoint_object(client: FlaskClient) -> None:
    """Acceptance: expand=speaker on a page of statements."""
    page = get_page(client, "statements", [("expand", "speaker")])
    assert page["data"]
    entities: dict[str, dict[str, Any]] = {}
    for statement in page["data"]:
        entity = statement["speaker"]
        if entity["id"] not in entities:
            response = client.get(f"/v1/entities/{entity['id']}")
            assert response.status_code == 200
            entities[entity["id"]] = response.get_json()
        assert entity == entities[entity["id"]]


def test_participants_keep_their_role(client: FlaskClient, plain: dict[str, list[dict]]) -> None:
    events = fetch_all(client, "events", [("expand", "participants")])
    for got, original in zip(events, plain["events"], strict=True):
        assert [(p["entity"]["id"], p["role"]) for p in got["participants"]] == [
            (p["entity"], p["role"]) for p in original["participants"]
        ]
        assert all(set(p) == {"entity", "role"} for p in got["participants"])


@pytest.mark.parametrize("collection", ["statements", "events", "articles"])
@pytest.mark.parametrize("value", ["nonsense", "speaker,nonsense", "", ",", "id", "related"])
def test_an_unknown_expand_is_a_400_listing_the_expandable_fields(
    client: FlaskClient, collection: str, value: str
) -> None:
    body = assert_bad_parameter(get(client, f"/v1/{collection}", [("expand", value)]), "expand")
    listed = set(re.findall(r"[a-z_]+", " ".join(body["errors"]["expand"])))
    assert listed >= set(EXPANDABLE[collection])


def test_entities_have_nothing_to_expand(client: FlaskClient) -> None:
    assert_bad_parameter(get(client, "/v1/entities", [("expand", "type")]), "expand")


def test_fields_and_expand_combine(
    client: FlaskClient, plain: dict[str, list[dict]], item: ItemCache
) -> None:
    items = fetch_all(client, "statements", [("fields", "text,speaker,about"), ("expand", "speaker")])
    for got, original in zip(items, plain["statements"], strict=True):
        assert got == {
            "id": original["id"],
            "text": original["text"],
            "speaker": item("entities", original["speaker"]),
            "about": original["about"],
        }
    # an expanded field left out by fields= is a 400 naming it, not silently dropped
    response = get(client, "/v1/statements", [("fields", "text,speaker"), ("expand", "speaker,article")])
    assert_bad_parameter(response, "expand")


# --------------------------------------------------------------------------------------------
# 3. facets=
# --------------------------------------------------------------------------------------------


def other_filters(facets: Facets, collection: str, facet: str) -> Iterator[Params]:
    """No filter; a value of another facet that narrows the list; a value of the facet itself."""
    yield []
    everything = facets.ids(collection)
    for name in FACETS[collection]:
        counts = facets.counts(collection, name, everything)
        values = sorted((v for v in counts if v is not None and counts[v] < len(everything)), key=str)
        if name != facet and values:
            yield [(name, max(values, key=lambda v: counts[v]))]
            break
    counts = facets.counts(collection, facet, everything)
    if frequent := sorted((v for v in counts if v is not None), key=lambda v: (-counts[v], str(v))):
        yield [(facet, frequent[0])]


def facet_meta(client: FlaskClient, collection: str, params: Params, names: str) -> dict[str, Any]:
    body = get_page(client, collection, [*params, ("facets", names), ("facet_size", str(MAX_LIMIT))])
    assert set(body["meta"]["facets"]) == set(names.split(","))
    return body


def assert_facet(
    facets: Facets, collection: str, facet: str, items: set[str], meta: dict[str, Any], size: int
) -> None:
    counts = facets.counts(collection, facet, items)
    values = meta["values"]
    assert len(values) == min(size, len(counts))
    shown = [v["count"] for v in values]
    assert shown == sorted(shown, reverse=True), "values are not most frequent first"
    assert shown == sorted(counts.values(), reverse=True)[:size]
    for value in values:
        assert set(value) == {"value", "label", "count", "url"}
        assert value["count"] == counts[value["value"]], value
        assert value["label"] == facets.label(facet, value["value"])
    assert len({v["value"] for v in values}) == len(values)
    assert meta["other"] == sum(counts.values()) - sum(shown)


@pytest.mark.parametrize(("collection", "facet"), FACET_CASES, ids=joined(FACET_CASES))
def test_facet_counts_the_items_per_value_for_the_current_filter(
    client: FlaskClient, facets: Facets, collection: str, facet: str
) -> None:
    for params in other_filters(facets, collection, facet):
        body = facet_meta(client, collection, params, facet)
        items = facets.matching(collection, params)
        assert body["meta"]["count"] == len(items)
        assert_facet(facets, collection, facet, items, body["meta"]["facets"][facet], MAX_LIMIT)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_every_facet_at_once(client: FlaskClient, facets: Facets, collection: str) -> None:
    names = ",".join(FACETS[collection])
    body = facet_meta(client, collection, [], names)
    for facet in FACETS[collection]:
        assert_facet(
            facets, collection, facet, facets.ids(collection), body["meta"]["facets"][facet], MAX_LIMIT
        )
    # facets do not change the page
    assert body["data"] == get_page(client, collection, [])["data"]


@pytest.mark.parametrize(("collection", "facet"), SINGLE_VALUED, ids=joined(SINGLE_VALUED))
def test_single_valued_facet_counts_add_up_to_the_count(
    client: FlaskClient, facets: Facets, collection: str, facet: str
) -> None:
    """Acceptance: sum of the counts + other == meta.count, whatever facet_size."""
    for params in other_filters(facets, collection, facet):
        for size in (1, 2, MAX_LIMIT):
            query = [*params, ("facets", facet), ("facet_size", str(size))]
            meta = get_page(client, collection, query)["meta"]
            values, other = meta["facets"][facet]["values"], meta["facets"][facet]["other"]
            assert len(values) <= size
            assert sum(v["count"] for v in values) + other == meta["count"], query


@pytest.mark.parametrize(("collection", "facet"), sorted(MANY_VALUED), ids=joined(sorted(MANY_VALUED)))
def test_many_valued_facet_counts_distinct_items_per_value(
    client: FlaskClient, facets: Facets, collection: str, facet: str
) -> None:
    everything = facets.ids(collection)
    counts = facets.counts(collection, facet, everything)
    if sum(counts.values()) <= len([i for i in everything if facets.values[collection][i][facet]]):
        pytest.fail(f"no {collection} has two {facet} values: many values are not exercised")
    meta = facet_meta(client, collection, [], facet)["meta"]
    for value in meta["facets"][facet]["values"]:
        ids = {i["id"] for i in fetch_all(client, collection, [(facet, value["value"])])}
        assert value["count"] == len(ids) == counts[value["value"]]


@pytest.mark.parametrize(("collection", "facet"), FACET_CASES, ids=joined(FACET_CASES))
def test_facet_size_truncates_and_counts_the_rest_in_other(
    client: FlaskClient, facets: Facets, collection: str, facet: str
) -> None:
    everything = facets.ids(collection)
    for size in (1, 2):
        body = get_page(client, collection, [("facets", facet), ("facet_size", str(size))])
        assert_facet(facets, collection, facet, everything, body["meta"]["facets"][facet], size)


def assert_urls_give_the_counts(client: FlaskClient, collection: str, params: Params, facet: str) -> list:
    meta = facet_meta(client, collection, params, facet)["meta"]
    wrong = []
    for value in meta["facets"][facet]["values"]:
        if value["value"] is None:
            assert value["url"] is None
            continue
        url = urlsplit(value["url"])
        assert url.path == f"/v1/{collection}"
        query = parse_qsl(url.query, keep_blank_values=True)
        assert (facet, value["value"]) in query
        assert ("facets", facet) not in query
        count = get_page(client, collection, query)["meta"]["count"]
        if count != value["count"]:
            wrong.append((params, value["value"], value["count"], count))
    return wrong


@pytest.mark.parametrize(("collection", "facet"), FACET_CASES, ids=joined(FACET_CASES))
def test_a_facet_value_url_lists_that_many_items(
    client: FlaskClient, facets: Facets, collection: str, facet: str
) -> None:
    """Acceptance: following a value's url gives meta.count == the value's count."""
    wrong = []
    for params in other_filters(facets, collection, facet):
        if all(name != facet for name, _ in params):
            wrong += assert_urls_give_the_counts(client, collection, params, facet)
    assert not wrong, f"(filter, value, facet count, count at url): {wrong}"


@pytest.mark.parametrize(("collection", "facet"), FACET_CASES, ids=joined(FACET_CASES))
def test_a_facet_value_url_lists_that_many_items_when_the_facet_is_filtered(
    client: FlaskClient, facets: Facets, collection: str, facet: str
) -> None:
    """The list is already filtered on a value of the facet itself: one-valued facets give the URL
    of each value instead; many-valued ones (X and Y, which repeating a parameter cannot say) none."""
    wrong, checked = [], 0
    for params in other_filters(facets, collection, facet):
        if not any(name == facet for name, _ in params):
            continue
        checked += 1
        if (collection, facet) in MANY_VALUED:
            values = facet_meta(client, collection, params, facet)["meta"]["facets"][facet]["values"]
            assert values and all(v["url"] is None for v in values), (params, values)
        else:
            wrong += assert_urls_give_the_counts(client, collection, params, facet)
    assert checked, "no filter on the facet itself was exercised"
    assert not wrong, f"(filter, value, facet count, count at url): {wrong}"


@pytest.mark.parametrize(("collection", "q"), [("statements", "nucleaire"), ("events", "Biélorussie")])
def test_facets_respect_the_search(client: FlaskClient, facets: Facets, collection: str, q: str) -> None:
    ids = {i["id"] for i in fetch_all(client, collection, [("q", q)])}
    if not ids or ids == facets.ids(collection):
        pytest.fail(f"q={q} does not narrow the {collection} down")
    body = facet_meta(client, collection, [("q", q)], ",".join(FACETS[collection]))
    for facet in FACETS[collection]:
        assert_facet(facets, collection, facet, ids, body["meta"]["facets"][facet], MAX_LIMIT)


def test_no_facets_unless_asked(client: FlaskClient) -> None:
    for collection in COLLECTIONS:
        assert set(get_page(client, collection, [])["meta"]) == {"count", "limit", "next_cursor"}


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("value", ["nonsense", "type,nonsense", "", ",", "id", "name"])
def test_an_unknown_facet_is_a_400_listing_the_facets(
    client: FlaskClient, collection: str, value: str
) -> None:
    body = assert_bad_parameter(get(client, f"/v1/{collection}", [("facets", value)]), "facets")
    listed = set(re.findall(r"[a-z_]+", " ".join(body["errors"]["facets"])))
    assert listed >= set(FACETS[collection])


@pytest.mark.parametrize("size", ["0", "501", "-1", "x", ""])
def test_an_invalid_facet_size_is_a_400(client: FlaskClient, size: str) -> None:
    response = get(client, "/v1/statements", [("facets", "kind"), ("facet_size", size)])
    assert_bad_parameter(response, "facet_size")
