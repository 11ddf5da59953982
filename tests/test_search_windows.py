"""GET /v1/search ranks hits within windows of ``SEARCH_WINDOW`` matching documents, newest first.

A small window makes the seed corpus span many windows. The expected order is computed here:
the hits of a one-window search are mapped to their ``search_documents`` ids, sorted newest
(highest id) first, cut into windows, and each window ordered by relevance. Relevance is the
order of the one-window search (score best first, then type, then id): the score a hit shows is
rounded to 6 decimals, and PostgreSQL ranks differing in the 9th decimal show the same score.
A ``type`` filter keeps the windows of every match and filters within them.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from api.queries import search
from tests.helpers import assert_problem

Hit = dict[str, Any]
Key = tuple[str, str]  # (type, id) of a hit
Params = list[tuple[str, str]]
WINDOW = "api.queries.search.SEARCH_WINDOW"
ONE_WINDOW = 10**6
MAX_LIMIT = 500
QUERIES = ("Russie", "nucleaire")
WINDOWS = (1, 2, 3, 5, 7)


def key(hit: Hit) -> Key:
    return hit["type"], hit["id"]


def fetch_pages(client: FlaskClient, params: Params, limit: int) -> list[list[Hit]]:
    """Every page, following ``next_cursor``: the count is the same on every page, no page is
    empty unless nothing matches and only the last one is short."""
    pages: list[list[Hit]] = []
    cursor: str | None = None
    count: int | None = None
    while True:
        query = [*params, ("limit", str(limit)), *([("cursor", cursor)] if cursor else [])]
        response = client.get(f"/v1/search?{urlencode(query)}")
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        count = body["meta"]["count"] if count is None else count
        assert body["meta"]["count"] == count, f"meta.count changed on page {len(pages) + 1}"
        pages.append(body["data"])
        served = sum(map(len, pages))
        where = f"{params} limit={limit} page {len(pages)} ({served} of {count} served)"
        assert body["data"] or count == 0, f"empty page: {where}"
        assert len(body["data"]) <= limit
        assert served <= count, f"more hits than meta.count: {where}"  # pages are never empty: ends
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break
        assert len(body["data"]) == limit, f"only the last page may be short: {where}"
    assert sum(map(len, pages)) == count, "meta.count differs from the number of hits served"
    return pages


def paged(client: FlaskClient, params: Params, limit: int) -> list[Hit]:
    return [hit for page in fetch_pages(client, params, limit) for hit in page]


def one_window(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, q: str, types: tuple[str, ...] = ()
) -> list[Hit]:
    """Every hit of ``q``, in one window and one page: pure relevance order."""
    monkeypatch.setattr(WINDOW, ONE_WINDOW)
    (page,) = fetch_pages(client, [("q", q), *(("type", t) for t in types)], MAX_LIMIT)
    scores = [hit["score"] for hit in page]
    assert scores == sorted(scores, reverse=True), f"q={q}: scores increase in one window"
    return page


@pytest.fixture(scope="module")
def ids(app: Flask) -> dict[Key, int]:
    """(type, item id) -> search_documents.id, read from the database."""
    with app.extensions["veille.engine"].connect() as connection:
        rows = connection.execute(text("SELECT doc_type, item_id, id FROM search_documents"))
        return {(doc_type, item_id): doc_id for doc_type, item_id, doc_id in rows}


def windowed(hits: list[Hit], ids: dict[Key, int], window: int) -> list[Key]:
    """The expected order of ``hits`` (every match, in one-window relevance order): newest
    document first, cut into windows of ``window``, each in relevance order."""
    rank = {key(hit): position for position, hit in enumerate(hits)}
    newest_first = sorted(rank, key=lambda k: ids[k], reverse=True)
    order: list[Key] = []
    for start in range(0, len(newest_first), window):
        order += sorted(newest_first[start : start + window], key=rank.__getitem__)
    return order


def check_enough(hits: list[Hit], window: int, what: str) -> None:
    if len(hits) < 3 * window:
        pytest.fail(f"{what}: {len(hits)} hits, fewer than 3 windows of {window}")


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("window", WINDOWS)
def test_paging_serves_every_match_once_window_after_window(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, ids: dict[Key, int], q: str, window: int
) -> None:
    whole = one_window(client, monkeypatch, q)
    check_enough(whole, max(window, 3), f"q={q}")
    want = windowed(whole, ids, window)
    scores = {key(hit): hit["score"] for hit in whole}
    monkeypatch.setattr(WINDOW, window)
    # pages ending inside a window, at its end (multiples of the window) and spanning several
    for limit in sorted({1, window, 2 * window, window + 1, 3 * window + 2, len(whole), MAX_LIMIT}):
        hits = paged(client, [("q", q)], limit)
        found = [key(hit) for hit in hits]
        assert len(found) == len(set(found)), f"limit={limit}: a hit is served twice"
        assert set(found) == set(want), f"limit={limit}: missing {set(want) - set(found)}"
        assert found == want, f"limit={limit}: not in windowed order"
        assert {key(hit): hit["score"] for hit in hits} == scores, "a score depends on the window"


@pytest.mark.parametrize("q", QUERIES)
def test_a_total_that_is_a_multiple_of_window_and_limit_ends_without_an_empty_page(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, ids: dict[Key, int], q: str
) -> None:
    whole = one_window(client, monkeypatch, q)
    count = len(whole)
    divisors = [d for d in range(1, count // 3 + 1) if count % d == 0]
    if len(divisors) < 2:
        pytest.fail(f"q={q}: {count} hits, no window but 1 divides it into 3 or more")
    for window in divisors:
        monkeypatch.setattr(WINDOW, window)
        for limit in [d for d in divisors if d % window == 0] + [count]:
            pages = fetch_pages(client, [("q", q)], limit)
            assert len(pages) == count // limit, f"window={window} limit={limit}: a page too many"
            assert [key(hit) for page in pages for hit in page] == windowed(whole, ids, window)


@pytest.mark.parametrize("doc_type", ["statement", "event", "article", "entity"])
@pytest.mark.parametrize("window", [2, 5])
def test_type_filters_within_the_windows_of_every_match(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, ids: dict[Key, int], doc_type: str, window: int
) -> None:
    q = "Russie"
    whole = one_window(client, monkeypatch, q)
    check_enough(whole, window, f"q={q}")
    typed = one_window(client, monkeypatch, q, (doc_type,))
    assert {key(hit) for hit in typed} == {key(hit) for hit in whole if hit["type"] == doc_type}
    if len(typed) < 3:
        pytest.fail(f"q={q}: {len(typed)} {doc_type} hits, too few to page through")
    order = windowed(whole, ids, window)
    want = [k for k in order if k[0] == doc_type]
    # a limit whose first page ends exactly where the first window with such a hit ends
    first = next(
        end
        for end in range(window, len(order) + window, window)
        if any(k[0] == doc_type for k in order[:end])
    )
    at_boundary = sum(k[0] == doc_type for k in order[:first])
    monkeypatch.setattr(WINDOW, window)
    for limit in sorted({1, 2, window, at_boundary, len(typed), len(typed) + 1, MAX_LIMIT}):
        found = [key(hit) for hit in paged(client, [("q", q), ("type", doc_type)], limit)]
        assert found == want, f"limit={limit}: not the windowed order of the {doc_type} hits"


@pytest.mark.parametrize(("q", "doc_type"), [("zzyzxqwv", None), ("Poutine", "statement")])
def test_no_match_is_one_empty_last_page(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, q: str, doc_type: str | None
) -> None:
    if doc_type:  # matches of other types fill the windows, none of this one
        others = one_window(client, monkeypatch, q)
        check_enough(others, 2, f"q={q}")
        assert doc_type not in {hit["type"] for hit in others}
    monkeypatch.setattr(WINDOW, 2)
    params = [("q", q), *([("type", doc_type)] if doc_type else [])]
    assert fetch_pages(client, params, 3) == [[]]


@pytest.mark.parametrize("q", QUERIES)
def test_a_window_larger_than_the_matches_is_pure_relevance_order(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, q: str
) -> None:
    default = paged(client, [("q", q)], MAX_LIMIT)
    assert len(default) < search.SEARCH_WINDOW, "the default window does not hold every match"
    check_enough(default, 3, f"q={q}")
    scores = [hit["score"] for hit in default]
    assert scores == sorted(scores, reverse=True), "scores increase"
    for window in (len(default), len(default) + 1, ONE_WINDOW):
        monkeypatch.setattr(WINDOW, window)
        for limit in (1, 4, MAX_LIMIT):
            assert paged(client, [("q", q)], limit) == default, f"window={window} limit={limit}"


def encode(payload: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()


def decode(cursor: str) -> list[Any]:
    return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def test_a_tampered_cursor_is_a_400_naming_the_cursor(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WINDOW, 2)
    url = "/v1/search?" + urlencode([("q", "Russie"), ("limit", "3")])
    cursor = client.get(url).get_json()["meta"]["next_cursor"]  # the page runs into a second window
    assert cursor
    sort, bound, *keys = decode(cursor)
    assert isinstance(bound, int) and bound > 0 and len(keys) == 3, "not a window bound and sort keys"
    assert client.get(f"{url}&cursor={encode([sort, bound, *keys])}").status_code == 200
    tampered = [
        [sort, *keys],  # no window bound
        [sort, bound, *keys[:-1]],  # a sort key short
        [sort, bound, *keys, keys[-1]],  # a value too many
        [sort, str(bound), *keys],
        [sort, bound + 0.5, *keys],
        [sort, None, *keys],
        [sort, True, *keys],
    ]
    for payload in tampered:
        body = assert_problem(client.get(f"{url}&cursor={encode(payload)}"), 400)
        assert "cursor" in body["detail"] and "cursor" in body["errors"], (payload, body)
