"""Lists of every collection: paging, filters, sorts and errors, checked against the seed rows.

Every expectation is computed here in plain Python from ``seed_rows`` (the curated dataset as
the loader reads it), so these tests hold whatever the dataset contains.
"""

from __future__ import annotations

import base64
import calendar
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api.checks import SeedRows
from schemas.vocabulary import ENTITY_TYPES, EVENT_TYPES, STATEMENT_KINDS, STATUSES
from tests.helpers import assert_problem

Params = list[tuple[str, str]]
Span = tuple[date, date]

COLLECTIONS = ("articles", "entities", "statements", "events")
PAGING = ("limit", "cursor", "sort")
# The filters of PRODUCT.md §4, per collection: repeatable ones (OR) and date bounds.
VALUE_FILTERS = {
    "articles": ("outlet", "language", "entity"),
    "entities": ("type", "article"),
    "statements": ("speaker", "about", "article", "event", "kind", "status"),
    "events": ("type", "participant", "location", "article", "status"),
}
DATE_FILTERS = {
    "articles": ("published_from", "published_to"),
    "statements": ("said_from", "said_to"),
    "events": ("date_from", "date_to"),
}
ENUM_FILTERS = {
    ("entities", "type"): ENTITY_TYPES,
    ("statements", "kind"): STATEMENT_KINDS,
    ("statements", "status"): STATUSES,
    ("events", "type"): EVENT_TYPES,
    ("events", "status"): STATUSES,
}
# Filters whose values are ids or free strings: an unknown value matches nothing.
ID_FILTERS = [(c, f) for c in COLLECTIONS for f in VALUE_FILTERS[c] if (c, f) not in ENUM_FILTERS]
# Filters for which any real dataset has at least two values that match something.
MULTI_VALUED = {
    ("articles", "entity"),
    ("entities", "type"),
    ("entities", "article"),
    ("statements", "speaker"),
    ("statements", "about"),
    ("statements", "article"),
    ("statements", "event"),
    ("statements", "kind"),
    ("events", "type"),
    ("events", "participant"),
    ("events", "article"),
}
SORTS = {
    "articles": ("published", "title", "id"),
    "entities": ("name", "type", "id"),
    "statements": ("said_on", "id"),
    "events": ("date", "id"),
}
DEFAULT_SORTS = {"articles": "-published", "entities": "name", "statements": "said_on", "events": "date"}
ALL_SORTS = [(c, d + s) for c in COLLECTIONS for s in SORTS[c] for d in ("", "-")]
VALUE_CASES = [(c, f) for c in COLLECTIONS for f in VALUE_FILTERS[c]]
DATE_CASES = [(c, f) for c in DATE_FILTERS for f in DATE_FILTERS[c]]
UNKNOWN_ID = "no-such-id-in-the-dataset"
UNKNOWN_LANGUAGE = "xx"
MAX_LIMIT = 500
MAX_VALUES_PER_FILTER = 40  # keeps the suite fast on a large dataset; values are spread evenly
MAX_PAGES = 30  # pages followed per sorted list


def joined(cases: list[tuple[str, str]]) -> list[str]:
    """Test ids ``collection-parameter`` for parametrized pairs."""
    return [f"{a}-{b}" for a, b in cases]


def unknown_value(name: str) -> str:
    return UNKNOWN_LANGUAGE if name == "language" else UNKNOWN_ID


# --------------------------------------------------------------------------------------------
# Expectations computed from the seed rows
# --------------------------------------------------------------------------------------------


def date_bounds(value: str) -> Span:
    """First and last day covered by ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if len(parts) == 2:
        year, month = parts
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    day = date(*parts)
    return day, day


@dataclass
class Expected:
    """One collection of the seeds, as the list endpoint should see it."""

    name: str
    ids: set[str]
    index: dict[str, dict[str, set[str]]]  # repeatable filter -> value -> matching ids
    spans: dict[str, Span | None]  # item id -> date interval (None: undated)
    values: dict[str, str | None]  # item id -> fuzzy date value as written
    sort_keys: dict[str, dict[str, Any]]  # sort name -> item id -> key (None: undated)

    def matching(self, params: Iterable[tuple[str, str]]) -> set[str]:
        """Ids matching ``params``: OR within a repeated filter, AND across filters."""
        grouped: dict[str, list[str]] = defaultdict(list)
        for name, value in params:
            grouped[name].append(value)
        result = set(self.ids)
        for name, values in grouped.items():
            if name in PAGING:
                continue
            if name in DATE_FILTERS.get(self.name, ()):
                result &= self.matching_date(name, values[0])
            else:
                result &= set().union(*(self.index[name].get(v, set()) for v in values))
        return result

    def matching_date(self, name: str, value: str) -> set[str]:
        first, last = date_bounds(value)
        if name.endswith("_from"):
            return {i for i, span in self.spans.items() if span is not None and span[1] >= first}
        return {i for i, span in self.spans.items() if span is not None and span[0] <= last}

    def order(self, sort: str) -> list[str]:
        """Ids in the order of ``sort``: key then id, both reversed by ``-``; undated always last."""
        descending = sort.startswith("-")
        keys = self.sort_keys[sort.lstrip("-")]
        dated = sorted((i for i in self.ids if keys[i] is not None), key=lambda i: (keys[i], i))
        undated = sorted(i for i in self.ids if keys[i] is None)
        if descending:
            dated.reverse()
            undated.reverse()
        return dated + undated


def _grouped(
    pairs: Iterable[tuple[str | None, str]], vocabulary: tuple[str, ...] = ()
) -> dict[str, set[str]]:
    index: dict[str, set[str]] = {v: set() for v in vocabulary}
    for value, item_id in pairs:
        if value is not None:
            index.setdefault(value, set()).add(item_id)
    return index


def _dated(rows: list[dict[str, Any]], prefix: str) -> tuple[dict[str, Span | None], dict[str, str | None]]:
    spans = {r["id"]: date_bounds(r[f"{prefix}_value"]) if r[f"{prefix}_value"] else None for r in rows}
    return spans, {r["id"]: r[f"{prefix}_value"] for r in rows}


def build_expected(seeds: SeedRows) -> dict[str, Expected]:
    articles, entities, statements, events = seeds.articles, seeds.entities, seeds.statements, seeds.events
    a_spans, a_values = _dated(articles, "published")
    s_spans, s_values = _dated(statements, "said_on")
    e_spans, e_values = _dated(events, "date")
    return {
        "articles": Expected(
            name="articles",
            ids={r["id"] for r in articles},
            index={
                "outlet": _grouped((r["outlet_id"], r["id"]) for r in articles),
                "language": _grouped((r["language"], r["id"]) for r in articles),
                "entity": _grouped((m["entity_id"], m["article_id"]) for m in seeds.mentions),
            },
            spans=a_spans,
            values=a_values,
            sort_keys={
                "published": {i: span[0] for i, span in a_spans.items()},
                "title": {r["id"]: r["title"] for r in articles},
                "id": {r["id"]: r["id"] for r in articles},
            },
        ),
        "entities": Expected(
            name="entities",
            ids={r["id"] for r in entities},
            index={
                "type": _grouped(((r["type"], r["id"]) for r in entities), ENTITY_TYPES),
                "article": _grouped((m["article_id"], m["entity_id"]) for m in seeds.mentions),
            },
            spans={},
            values={},
            sort_keys={
                "name": {r["id"]: r["name"] for r in entities},
                "type": {r["id"]: r["type"] for r in entities},
                "id": {r["id"]: r["id"] for r in entities},
            },
        ),
        "statements": Expected(
            name="statements",
            ids={r["id"] for r in statements},
            index={
                "speaker": _grouped((r["speaker_id"], r["id"]) for r in statements),
                "about": _grouped((a["entity_id"], a["statement_id"]) for a in seeds.statement_about),
                "article": _grouped((r["article_id"], r["id"]) for r in statements),
                "event": _grouped((r["event_id"], r["id"]) for r in statements),
                "kind": _grouped(((r["kind"], r["id"]) for r in statements), STATEMENT_KINDS),
                "status": _grouped(((r["status"], r["id"]) for r in statements), STATUSES),
            },
            spans=s_spans,
            values=s_values,
            sort_keys={
                "said_on": {i: span[0] if span else None for i, span in s_spans.items()},
                "id": {r["id"]: r["id"] for r in statements},
            },
        ),
        "events": Expected(
            name="events",
            ids={r["id"] for r in events},
            index={
                "type": _grouped(((r["type"], r["id"]) for r in events), EVENT_TYPES),
                "participant": _grouped((p["entity_id"], p["event_id"]) for p in seeds.event_participants),
                "location": _grouped((r["location_id"], r["id"]) for r in events),
                "article": _grouped((e["article_id"], e["event_id"]) for e in seeds.event_evidence),
                "status": _grouped(((r["status"], r["id"]) for r in events), STATUSES),
            },
            spans=e_spans,
            values=e_values,
            sort_keys={
                "date": {i: span[0] for i, span in e_spans.items()},
                "id": {r["id"]: r["id"] for r in events},
            },
        ),
    }


@pytest.fixture(scope="module")
def expected(seed_rows: SeedRows) -> dict[str, Expected]:
    built = build_expected(seed_rows)
    for name, collection in built.items():
        if not collection.ids:
            pytest.fail(f"the dataset has no {name}: nothing to check the list against")
    return built


def spread(values: Iterable[str], limit: int = MAX_VALUES_PER_FILTER) -> list[str]:
    """At most ``limit`` of ``values``, sorted and evenly spread (first and last kept)."""
    ordered = sorted(set(values))
    if len(ordered) <= limit:
        return ordered
    step = (len(ordered) - 1) / (limit - 1)
    return [ordered[round(k * step)] for k in range(limit)]


def by_frequency(index: dict[str, set[str]]) -> list[str]:
    """Values that match something, most frequent first (ties by value)."""
    return sorted((v for v, ids in index.items() if ids), key=lambda v: (-len(index[v]), v))


def date_probes(collection: Expected) -> list[str]:
    """Filter values at year, month and day precision around every dated item."""
    probes: set[str] = set()
    for item_id, span in collection.spans.items():
        if span is None:
            continue
        value = collection.values[item_id] or ""
        first, last = span
        probes.update({value, value[:4], first.isoformat()[:7], last.isoformat()[:7]})
        # the edges of the item and the days just outside it, at day precision
        for day in (first, last, first - timedelta(days=1), last + timedelta(days=1)):
            probes.add(day.isoformat())
        if first != last:  # a day strictly inside a month- or year-precision item
            probes.add((first + (last - first) // 2).isoformat())
    return spread(probes)


# --------------------------------------------------------------------------------------------
# HTTP helpers
# --------------------------------------------------------------------------------------------


def get_list(client: FlaskClient, collection: str, params: Params) -> TestResponse:
    query = f"?{urlencode(params)}" if params else ""
    return client.get(f"/v1/{collection}{query}")


def assert_url(url: str, collection: str, params: Params) -> None:
    parts = urlsplit(url)
    assert parts.path == f"/v1/{collection}"
    assert parse_qsl(parts.query, keep_blank_values=True) == params


def fetch_all(client: FlaskClient, collection: str, params: Params, limit: int = MAX_LIMIT) -> list[dict]:
    """Every item of the list, following ``next_cursor``; checks the envelope of every page."""
    items: list[dict] = []
    cursor: str | None = None
    count: int | None = None
    pages = 0
    while True:
        page_params = [*params, ("limit", str(limit))] + ([("cursor", cursor)] if cursor else [])
        response = get_list(client, collection, page_params)
        assert response.status_code == 200, response.get_json()
        assert response.mimetype == "application/json"
        body = response.get_json()
        assert set(body) == {"data", "meta", "links"}
        meta, links, data = body["meta"], body["links"], body["data"]
        count = meta["count"] if count is None else count
        assert meta["count"] == count, "meta.count changed from one page to the next"
        assert meta["limit"] == limit
        assert len(data) <= limit
        assert_url(links["self"], collection, page_params)
        items.extend(data)
        pages += 1
        cursor = meta["next_cursor"]
        if cursor is None:
            assert links["next"] is None
            assert "Link" not in response.headers
            break
        assert len(data) == limit, "only the last page may be short"
        assert response.headers["Link"] == f'<{links["next"]}>; rel="next"'
        assert_url(links["next"], collection, [*params, ("limit", str(limit)), ("cursor", cursor)])
        assert pages <= count, "more pages than items: the cursor does not advance"
    assert len(items) == count, "meta.count differs from the number of items served"
    return items


def fetch_ids(client: FlaskClient, collection: str, params: Params) -> list[str]:
    return [item["id"] for item in fetch_all(client, collection, params)]


def assert_matches(client: FlaskClient, collection: Expected, params: Params) -> set[str]:
    ids = fetch_ids(client, collection.name, params)
    assert len(ids) == len(set(ids)), f"an item is served twice for {params}"
    want = collection.matching(params)
    assert set(ids) == want, f"{params}: missing {want - set(ids)}, unexpected {set(ids) - want}"
    return want


def assert_bad_parameter(response: TestResponse, parameter: str) -> dict[str, Any]:
    """A 400 problem whose detail and ``errors`` name ``parameter``."""
    body = assert_problem(response, 400)
    assert parameter in body["detail"], f"detail does not name {parameter!r}: {body['detail']!r}"
    assert parameter in body["errors"], body
    assert all(isinstance(m, str) and m for m in body["errors"][parameter])
    return body


def first_cursor(client: FlaskClient, collection: str, params: Params) -> str:
    response = get_list(client, collection, [*params, ("limit", "1")])
    assert response.status_code == 200
    cursor = response.get_json()["meta"]["next_cursor"]
    if cursor is None:
        pytest.fail(f"{collection}: a single item in the dataset, no cursor to reuse")
    return cursor


def encoded(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).rstrip(b"=").decode()


# --------------------------------------------------------------------------------------------
# 1. Paging
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2, 3])
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_following_next_cursor_visits_every_item_exactly_once(
    client: FlaskClient, expected: dict[str, Expected], collection: str, limit: int
) -> None:
    items = fetch_all(client, collection, [], limit)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), "an item is served on two pages"
    assert set(ids) == expected[collection].ids
    if len(ids) <= limit:
        pytest.fail(f"{collection}: {len(ids)} item(s) fit in one page of {limit}; paging is not exercised")


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_pages_concatenate_to_the_single_page_order(
    client: FlaskClient, expected: dict[str, Expected], collection: str
) -> None:
    whole = fetch_ids(client, collection, [])
    assert [item["id"] for item in fetch_all(client, collection, [], 2)] == whole


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_limit_defaults_to_50(client: FlaskClient, expected: dict[str, Expected], collection: str) -> None:
    response = get_list(client, collection, [])
    assert response.status_code == 200
    body = response.get_json()
    total = len(expected[collection].ids)
    assert body["meta"]["limit"] == 50
    assert body["meta"]["count"] == total
    assert len(body["data"]) == min(50, total)
    assert (body["meta"]["next_cursor"] is not None) == (total > 50)
    assert ("Link" in response.headers) == (total > 50)


@pytest.mark.parametrize("limit", [1, MAX_LIMIT])
def test_limit_bounds_are_accepted(client: FlaskClient, expected: dict[str, Expected], limit: int) -> None:
    body = get_list(client, "entities", [("limit", str(limit))]).get_json()
    assert body["meta"]["limit"] == limit
    assert len(body["data"]) == min(limit, len(expected["entities"].ids))


def test_paging_with_a_filter_keeps_the_filter_on_every_page(
    client: FlaskClient, expected: dict[str, Expected]
) -> None:
    statements = expected["statements"]
    speaker = by_frequency(statements.index["speaker"])[0]
    if len(statements.index["speaker"][speaker]) < 3:
        pytest.fail("no speaker with three statements: filtered paging is not exercised")
    items = fetch_all(client, "statements", [("speaker", speaker)], 2)
    assert [s["speaker"] for s in items] == [speaker] * len(statements.index["speaker"][speaker])
    assert {s["id"] for s in items} == statements.index["speaker"][speaker]


# --------------------------------------------------------------------------------------------
# 2. Filters
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("collection", "name"), VALUE_CASES, ids=joined(VALUE_CASES))
def test_filter_with_one_value_returns_the_matching_items(
    client: FlaskClient, expected: dict[str, Expected], collection: str, name: str
) -> None:
    coll = expected[collection]
    values = spread(coll.index[name])
    if not any(coll.index[name][v] for v in values):
        pytest.fail(f"no {collection} in the dataset has a value for {name!r}")
    for value in values:
        assert_matches(client, coll, [(name, value)])


@pytest.mark.parametrize(("collection", "name"), VALUE_CASES, ids=joined(VALUE_CASES))
def test_repeated_filter_means_or(
    client: FlaskClient, expected: dict[str, Expected], collection: str, name: str
) -> None:
    coll = expected[collection]
    index = coll.index[name]
    frequent = by_frequency(index)
    if not frequent:
        pytest.fail(f"no {collection} in the dataset has a value for {name!r}")
    if len(frequent) < 2:
        if (collection, name) in MULTI_VALUED:
            pytest.fail(f"the dataset has a single value of {collection} {name!r}: OR is not exercised")
        unused = [v for v in index if not index[v]]
        pair = [frequent[0], unused[0] if unused else unknown_value(name)]
    else:
        # two values each matching an item the other does not, covering as many items as possible
        def score(p: tuple[str, str]) -> tuple[bool, int]:
            a, b = index[p[0]], index[p[1]]
            return bool(a - b and b - a), len(a | b)

        pair = list(max(itertools.combinations(frequent[:MAX_VALUES_PER_FILTER], 2), key=score))
        if not score((pair[0], pair[1]))[0] and (collection, name) in MULTI_VALUED:
            pytest.fail(f"no two values of {collection} {name!r} match different items: OR is not exercised")
    found = assert_matches(client, coll, [(name, v) for v in pair])
    assert found == index.get(pair[0], set()) | index.get(pair[1], set())
    # the order of the values does not matter
    assert_matches(client, coll, [(name, v) for v in reversed(pair)])


def candidates(coll: Expected, name: str) -> dict[str, set[str]]:
    """Values of filter ``name`` that match something, with the ids they match."""
    if name in DATE_FILTERS.get(coll.name, ()):
        found = {probe: coll.matching_date(name, probe) for probe in date_probes(coll)}
    else:
        found = coll.index[name]
    return {value: ids for value, ids in found.items() if ids}


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_different_filters_combine_with_and(
    client: FlaskClient, expected: dict[str, Expected], collection: str
) -> None:
    coll = expected[collection]
    filters = (*VALUE_FILTERS[collection], *DATE_FILTERS.get(collection, ()))
    narrowed = []
    for a, b in itertools.permutations(filters, 2):
        values_a, values_b = candidates(coll, a), candidates(coll, b)
        if not values_a or not values_b:
            continue

        def narrowing(pair: tuple[str, str], sets_a: dict = values_a, sets_b: dict = values_b) -> tuple:
            set_a, set_b = sets_a[pair[0]], sets_b[pair[1]]
            both = set_a & set_b
            return bool(both), both < set_a and both < set_b, len(both), pair

        # the values of a and b that narrow each other down: non-empty and smaller than both
        value_a, value_b = max(itertools.product(spread(values_a), spread(values_b)), key=narrowing)
        found = assert_matches(client, coll, [(a, value_a), (b, value_b)])
        assert found == values_a[value_a] & values_b[value_b]
        if found and found < values_a[value_a] and found < values_b[value_b]:
            narrowed.append((a, b))
    if not narrowed:
        pytest.fail(f"no two {collection} filters narrow each other down: AND is not exercised")


@pytest.mark.parametrize(("collection", "name"), DATE_CASES, ids=joined(DATE_CASES))
def test_date_filter_matches_on_interval_overlap(
    client: FlaskClient, expected: dict[str, Expected], collection: str, name: str
) -> None:
    coll = expected[collection]
    probes = date_probes(coll)
    if not probes:
        pytest.fail(f"no dated {collection} in the dataset")
    precisions = {len(p) for p in probes}
    assert precisions == {4, 7, 10}, "probes at year, month and day precision"
    results = set()
    for probe in probes:
        results.add(frozenset(assert_matches(client, coll, [(name, probe)])))
    assert len(results) > 1, f"every {name} probe gives the same result: the filter is not exercised"


@pytest.mark.parametrize("collection", list(DATE_FILTERS))
def test_date_range_from_and_to_is_an_overlap_with_the_range(
    client: FlaskClient, expected: dict[str, Expected], collection: str
) -> None:
    coll = expected[collection]
    date_from, date_to = DATE_FILTERS[collection]
    probes = date_probes(coll)
    for probe in probes:
        assert_matches(client, coll, [(date_from, probe), (date_to, probe)])
    # ranges between two probes, in both orders (an inverted range matches what overlaps both ends)
    for low, high in itertools.pairwise(spread(probes, 12)):
        assert_matches(client, coll, [(date_from, low), (date_to, high)])
        assert_matches(client, coll, [(date_from, high), (date_to, low)])


@pytest.mark.parametrize("collection", ["statements", "articles"])
def test_a_day_inside_a_month_matches_an_item_dated_by_month(
    client: FlaskClient, expected: dict[str, Expected], collection: str
) -> None:
    coll = expected[collection]
    date_from, date_to = DATE_FILTERS[collection]
    monthly = sorted(i for i, v in coll.values.items() if v and len(v) == 7)
    if not monthly:
        pytest.fail(f"no {collection} dated at month precision in the dataset")
    for item_id in spread(monthly, 10):
        first, last = date_bounds(coll.values[item_id] or "")
        inside = (first + timedelta(days=14)).isoformat()
        for params in ([(date_from, inside)], [(date_to, inside)], [(date_from, inside), (date_to, inside)]):
            assert item_id in assert_matches(client, coll, params), f"{item_id} not matched by {params}"
        # the last day of the month matches from, the first day matches to
        assert item_id in assert_matches(client, coll, [(date_from, last.isoformat())])
        assert item_id in assert_matches(client, coll, [(date_to, first.isoformat())])
        # the month after / before does not
        after = (last + timedelta(days=1)).isoformat()
        before = (first - timedelta(days=1)).isoformat()
        assert item_id not in assert_matches(client, coll, [(date_from, after)])
        assert item_id not in assert_matches(client, coll, [(date_to, before)])


def test_a_year_matches_items_dated_by_day_in_that_year(
    client: FlaskClient, expected: dict[str, Expected]
) -> None:
    for collection, (date_from, date_to) in DATE_FILTERS.items():
        coll = expected[collection]
        daily = sorted(i for i, v in coll.values.items() if v and len(v) == 10)
        if not daily:
            pytest.fail(f"no {collection} dated at day precision in the dataset")
        for item_id in spread(daily, 5):
            year = (coll.values[item_id] or "")[:4]
            month = (coll.values[item_id] or "")[:7]
            for value in (year, month):
                found = assert_matches(client, coll, [(date_from, value), (date_to, value)])
                assert item_id in found


def test_undated_statements_never_match_a_date_filter(
    client: FlaskClient, expected: dict[str, Expected]
) -> None:
    statements = expected["statements"]
    undated = {i for i, span in statements.spans.items() if span is None}
    if not undated:
        pytest.fail("no undated statement in the dataset")
    years = sorted({span[0].year for span in statements.spans.values() if span})
    dated = statements.ids - undated
    wide = [("said_from", "0001"), ("said_to", "9999")]
    for params in (wide[:1], wide[1:], wide, [("said_from", str(years[0])), ("said_to", str(years[-1]))]):
        found = assert_matches(client, statements, params)
        assert found == dated
    # without a date filter they are listed
    assert undated <= set(fetch_ids(client, "statements", []))


@pytest.mark.parametrize(("collection", "name"), ID_FILTERS, ids=joined(ID_FILTERS))
def test_unknown_filter_value_gives_an_empty_list(client: FlaskClient, collection: str, name: str) -> None:
    response = get_list(client, collection, [(name, unknown_value(name))])
    assert response.status_code == 200
    body = response.get_json()
    assert body["data"] == []
    assert body["meta"] == {"count": 0, "limit": 50, "next_cursor": None}
    assert body["links"]["next"] is None
    assert "Link" not in response.headers


@pytest.mark.parametrize(("collection", "name"), ID_FILTERS, ids=joined(ID_FILTERS))
def test_unknown_filter_value_or_a_known_one_gives_the_known_items(
    client: FlaskClient, expected: dict[str, Expected], collection: str, name: str
) -> None:
    coll = expected[collection]
    frequent = by_frequency(coll.index[name])
    if not frequent:
        pytest.fail(f"no {collection} in the dataset has a value for {name!r}")
    found = assert_matches(client, coll, [(name, unknown_value(name)), (name, frequent[0])])
    assert found == coll.index[name][frequent[0]]


# --------------------------------------------------------------------------------------------
# 3. Sorts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("collection", "sort"), ALL_SORTS, ids=joined(ALL_SORTS))
def test_sort_orders_items_with_an_id_tie_break(
    client: FlaskClient, expected: dict[str, Expected], collection: str, sort: str
) -> None:
    assert fetch_ids(client, collection, [("sort", sort)]) == expected[collection].order(sort)


@pytest.mark.parametrize(("collection", "sort"), ALL_SORTS, ids=joined(ALL_SORTS))
def test_paging_a_sorted_list_visits_every_item_once_in_order(
    client: FlaskClient, expected: dict[str, Expected], collection: str, sort: str
) -> None:
    order = expected[collection].order(sort)
    limit = max(2, math.ceil(len(order) / MAX_PAGES))  # many pages, ties split across them
    ids = [item["id"] for item in fetch_all(client, collection, [("sort", sort)], limit)]
    assert ids == order


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_default_sort(client: FlaskClient, expected: dict[str, Expected], collection: str) -> None:
    assert fetch_ids(client, collection, []) == expected[collection].order(DEFAULT_SORTS[collection])


def test_undated_statements_sort_after_every_date_in_both_directions(
    client: FlaskClient, expected: dict[str, Expected]
) -> None:
    statements = expected["statements"]
    undated = {i for i, span in statements.spans.items() if span is None}
    if not undated or undated == statements.ids:
        pytest.fail("the dataset needs dated and undated statements")
    for sort in ("said_on", "-said_on"):
        items = fetch_all(client, "statements", [("sort", sort)])
        flags = [item["said_on"] is None for item in items]
        assert flags == sorted(flags), f"sort={sort}: an undated statement comes before a dated one"


def test_sort_with_a_filter_orders_the_filtered_items(
    client: FlaskClient, expected: dict[str, Expected]
) -> None:
    statements = expected["statements"]
    speaker = by_frequency(statements.index["speaker"])[0]
    for sort in ("said_on", "-said_on", "-id"):
        ids = [s["id"] for s in fetch_all(client, "statements", [("speaker", speaker), ("sort", sort)], 2)]
        assert ids == [i for i in statements.order(sort) if i in statements.index["speaker"][speaker]]


# --------------------------------------------------------------------------------------------
# 4. Errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("parameter", ["nonsense", "page", "offset"])
def test_unknown_parameter_is_a_400_listing_the_allowed_ones(
    client: FlaskClient, collection: str, parameter: str
) -> None:
    body = assert_bad_parameter(get_list(client, collection, [(parameter, "1")]), parameter)
    allowed = (*PAGING, *VALUE_FILTERS[collection], *DATE_FILTERS.get(collection, ()))
    for message in (body["detail"], " ".join(body["errors"][parameter])):
        words = set(re.findall(r"[a-z_]+", message))
        assert words >= set(allowed), f"{message!r} does not list {set(allowed) - words}"


@pytest.mark.parametrize(
    ("collection", "parameter"),
    [("articles", "speaker"), ("entities", "said_from"), ("statements", "type"), ("events", "speaker")],
)
def test_a_filter_of_another_collection_is_unknown(
    client: FlaskClient, collection: str, parameter: str
) -> None:
    assert_bad_parameter(get_list(client, collection, [(parameter, "x")]), parameter)


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("limit", ["0", "501", "-1", "abc", "", "2.5"])
def test_invalid_limit_is_a_400(client: FlaskClient, collection: str, limit: str) -> None:
    assert_bad_parameter(get_list(client, collection, [("limit", limit)]), "limit")


GARBAGE_CURSORS = [
    "garbage",
    "%%%",
    "!",
    encoded(b"{}"),
    encoded(b"[]"),
    encoded(b"null"),
    encoded(b'["id"]'),
    encoded(b'["id", 1]'),
    encoded(b'["id", "x", "y"]'),
    encoded(b'["said_on", null, "x"]'),
    encoded(b'["said_on", "not-a-date", "x"]'),
    encoded(b'["date", 20230101, "x"]'),
    encoded(b"\xff\xfe\x00"),
    "A" * 1001,
    "",
]


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("cursor", GARBAGE_CURSORS, ids=lambda c: c[:30])
def test_garbage_cursor_is_a_400(client: FlaskClient, collection: str, cursor: str) -> None:
    assert_bad_parameter(get_list(client, collection, [("cursor", cursor)]), "cursor")


@pytest.mark.parametrize(("collection", "sort"), ALL_SORTS, ids=joined(ALL_SORTS))
def test_cursor_issued_for_another_sort_is_a_400(client: FlaskClient, collection: str, sort: str) -> None:
    cursor = first_cursor(client, collection, [("sort", sort)])
    others = [d + s for s in SORTS[collection] for d in ("", "-") if d + s != sort]
    for other in others:
        assert_bad_parameter(get_list(client, collection, [("sort", other), ("cursor", cursor)]), "cursor")
    if sort != DEFAULT_SORTS[collection]:
        assert_bad_parameter(get_list(client, collection, [("cursor", cursor)]), "cursor")
    # the same cursor with its own sort is fine
    assert get_list(client, collection, [("sort", sort), ("cursor", cursor)]).status_code == 200


@pytest.mark.parametrize(("collection", "parameter"), sorted(ENUM_FILTERS), ids=joined(sorted(ENUM_FILTERS)))
@pytest.mark.parametrize("value", ["foo", "", "Direct", "PERSON"])
def test_invalid_enum_value_is_a_400(
    client: FlaskClient, collection: str, parameter: str, value: str
) -> None:
    body = assert_bad_parameter(get_list(client, collection, [(parameter, value)]), parameter)
    assert "errors" in body


@pytest.mark.parametrize(("collection", "parameter"), DATE_CASES, ids=joined(DATE_CASES))
@pytest.mark.parametrize(
    "value",
    [
        "2023-13",
        "2023-02-30",
        "2023-00",
        "2023-1",
        "23",
        "20230101",
        "yesterday",
        "",
        "2023-05-1x",
        "２０２３",
    ],
)
def test_invalid_date_is_a_400(client: FlaskClient, collection: str, parameter: str, value: str) -> None:
    assert_bad_parameter(get_list(client, collection, [(parameter, value)]), parameter)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_unknown_sort_is_a_400(client: FlaskClient, collection: str) -> None:
    other = {"articles": "said_on", "entities": "published", "statements": "name", "events": "title"}
    for sort in ("nonsense", "-nonsense", "", "--id", "+id", other[collection]):
        assert_bad_parameter(get_list(client, collection, [("sort", sort)]), "sort")


def test_several_errors_are_reported_together(client: FlaskClient) -> None:
    response = get_list(client, "statements", [("limit", "0"), ("kind", "foo"), ("nonsense", "1")])
    body = assert_bad_parameter(response, "limit")
    assert {"limit", "kind", "nonsense"} <= set(body["errors"])


@pytest.mark.parametrize("collection", COLLECTIONS)
@pytest.mark.parametrize("parameter", ["limit", "sort", "cursor"])
def test_a_single_valued_parameter_given_twice_is_a_400(
    client: FlaskClient, collection: str, parameter: str
) -> None:
    values = {"limit": ["1", "2"], "sort": ["id", "-id"], "cursor": ["a", "b"]}[parameter]
    body = assert_bad_parameter(get_list(client, collection, [(parameter, v) for v in values]), parameter)
    assert "once" in " ".join(body["errors"][parameter])


@pytest.mark.parametrize(("collection", "parameter"), sorted(ENUM_FILTERS), ids=joined(sorted(ENUM_FILTERS)))
def test_a_bad_value_among_repeated_values_is_named_in_plain_words(
    client: FlaskClient, collection: str, parameter: str
) -> None:
    good = ENUM_FILTERS[(collection, parameter)][0]
    body = assert_bad_parameter(
        get_list(client, collection, [(parameter, good), (parameter, "foo")]), parameter
    )
    (message,) = body["errors"][parameter]
    assert message.startswith("value 2: Must be one of:")
    assert "{" not in body["detail"]


def test_29_february_is_a_date_only_in_leap_years(client: FlaskClient) -> None:
    assert client.get("/v1/statements?said_to=2024-02-29").status_code == 200
    assert client.get("/v1/statements?said_to=2000-02-29").status_code == 200
    for value in ("2023-02-29", "1900-02-29", "0006-02-29"):
        assert_bad_parameter(client.get(f"/v1/statements?said_to={value}"), "said_to")
