"""CSV and NDJSON on every list, and ``GET /v1/export``.

A CSV or NDJSON export is checked against the JSON list with the same parameters (every page
of it) and against ``seed_rows``; CSV cells are decoded by the documented flattening rules:
a nested object is one ``parent.child`` column per field, a list of ids is one column joined by
``|``, a list of objects (or an expanded object) is one column of JSON.
"""

from __future__ import annotations

import calendar
import csv
import gc
import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api.checks import SeedRows
from schemas.articles import ArticleSchema
from schemas.common import FuzzyDateSchema
from schemas.entities import EntitySchema
from schemas.events import EventSchema
from schemas.statements import StatementSchema
from tests.helpers import assert_problem

Params = list[tuple[str, str]]

COLLECTIONS = ("articles", "entities", "statements", "events")
SINGULAR = {"articles": "article", "entities": "entity", "statements": "statement", "events": "event"}
SCHEMAS = {
    "articles": ArticleSchema,
    "entities": EntitySchema,
    "statements": StatementSchema,
    "events": EventSchema,
}
CSV_TYPE = "text/csv; charset=utf-8"
NDJSON_TYPE = "application/x-ndjson; charset=utf-8"
PAGE = 20  # the JSON lists are read in several pages, as a client would
LEAKS_TOLERATED = 4  # far below the pool size (5) plus overflow (5)


def documented_columns(collection: str, only: tuple[str, ...] = ()) -> list[str]:
    """The fields of the list item in documented order, nested objects as ``parent.child``."""
    columns = []
    for name, field in SCHEMAS[collection]().fields.items():
        if only and name != "id" and name not in only:
            continue
        if isinstance(field, ma.fields.Nested) and not field.many:
            columns += [f"{name}.{child}" for child in field.schema.fields]
            if isinstance(field.schema, FuzzyDateSchema):  # first and last day covered, for spreadsheets
                columns += [f"{name}.start", f"{name}.end"]
        else:
            columns.append(name)
    return columns


# --------------------------------------------------------------------------------------------
# HTTP helpers
# --------------------------------------------------------------------------------------------


def get(
    client: FlaskClient, path: str, params: Params, headers: dict[str, str] | None = None
) -> TestResponse:
    return client.get(f"{path}?{urlencode(params)}" if params else path, headers=headers or {})


def fetch_all(client: FlaskClient, collection: str, params: Params) -> list[dict[str, Any]]:
    """Every item of the JSON list, all pages concatenated."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page = [*params, ("limit", str(PAGE))] + ([("cursor", cursor)] if cursor else [])
        response = get(client, f"/v1/{collection}", page)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        items.extend(body["data"])
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            assert len(items) == body["meta"]["count"]
            return items


def count(client: FlaskClient, collection: str, params: Params) -> int:
    response = get(client, f"/v1/{collection}", [*params, ("limit", "1")])
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["meta"]["count"]


def read_csv(response: TestResponse) -> tuple[list[str], list[list[str]]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == CSV_TYPE
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert rows, "no header line"
    return rows[0], rows[1:]


def read_ndjson(response: TestResponse) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == NDJSON_TYPE
    text = response.get_data(as_text=True)
    assert text == "" or text.endswith("\n"), "the last line is not terminated"
    lines = text.split("\n")[:-1] if text else []
    objects = [json.loads(line) for line in lines]
    assert all(isinstance(o, dict) for o in objects)
    return objects


def assert_cell(cell: str, value: Any, where: str) -> None:
    """``cell`` is ``value`` written by the documented CSV rules."""
    if value is None:
        assert cell == "", where
    elif isinstance(value, bool):
        assert cell == ("true" if value else "false"), where
    elif isinstance(value, int | float):
        assert type(value)(cell) == value, where
    elif isinstance(value, str):
        assert cell == value, where
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        assert (cell.split("|") if cell else []) == value, where
    else:  # a list of objects, or an object in a column of its own
        assert json.loads(cell) == value, where


def days_covered(fuzzy: dict[str, str]) -> tuple[str, str]:
    """First and last day of a fuzzy date, as ISO dates."""
    value = fuzzy["value"]
    if fuzzy["precision"] == "year":
        return f"{value}-01-01", f"{value}-12-31"
    if fuzzy["precision"] == "month":
        year, month = map(int, value.split("-"))
        return f"{value}-01", f"{value}-{calendar.monthrange(year, month)[1]:02d}"
    return value, value


def assert_rows_are_items(header: list[str], rows: list[list[str]], items: list[dict[str, Any]]) -> None:
    assert len(rows) == len(items)
    # a list of objects is JSON text even when empty ("[]"), which an empty value alone does
    # not tell apart from an empty list of strings (""): other items show the column's kind
    object_lists = {
        column
        for column in header
        if any(isinstance(v := item.get(column), list) and v and isinstance(v[0], dict) for item in items)
    }
    for row, item in zip(rows, items, strict=True):
        assert len(row) == len(header)
        cells = dict(zip(header, row, strict=True))
        for column, cell in cells.items():
            parent, _, child = column.partition(".")
            value = item[parent]
            if child in ("start", "end") and child not in (value or {}):
                value = None if value is None else days_covered(value)[child == "end"]
            elif child:
                value = None if value is None else value[child]
            where = f"{item['id']} {column}: {cell!r}"
            if column in object_lists:
                assert json.loads(cell) == value, where
            else:
                assert_cell(cell, value, where)
        # every field of the item has its column(s)
        assert {c.partition(".")[0] for c in header} == set(item)


def filters(seeds: SeedRows) -> dict[str, list[Params]]:
    """Per collection, a few filters that narrow the list (values taken from the seeds)."""
    speakers = Counter(s["speaker_id"] for s in seeds.statements)
    mentioned = Counter(m["entity_id"] for m in seeds.mentions)
    participants = Counter(p["entity_id"] for p in seeds.event_participants)
    entity_types = Counter(e["type"] for e in seeds.entities)
    return {
        "statements": [
            [("speaker", speakers.most_common(1)[0][0])],
            [("kind", "direct"), ("sort", "-said_on")],
            [("q", "nucleaire")],
        ],
        "articles": [[("entity", min(mentioned, key=lambda e: (mentioned[e], e)))], [("q", "Choigou")]],
        "entities": [[("type", entity_types.most_common(1)[0][0]), ("sort", "-id")], [("q", "Biélorussie")]],
        "events": [[("participant", participants.most_common(1)[0][0])], [("date_from", "2024")]],
    }


@pytest.fixture(autouse=True)
def collect_leaked_connections(app: Flask) -> Iterator[None]:
    """A streamed export leaves its database connection to the garbage collector (see
    test_a_streamed_export_gives_its_database_connection_back): collect them now and then,
    so that the other tests do not fail for want of a pooled connection."""
    yield
    if app.extensions["veille.engine"].pool.checkedout() >= LEAKS_TOLERATED:
        gc.collect()


@pytest.fixture(scope="module", autouse=True)
def collect_leaked_connections_at_the_end() -> Iterator[None]:
    """Before the test database is dropped."""
    yield
    gc.collect()


# --------------------------------------------------------------------------------------------
# 1. CSV
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def everything(app: Flask) -> dict[str, list[dict[str, Any]]]:
    client = app.test_client()
    return {c: fetch_all(client, c, []) for c in COLLECTIONS}


@pytest.mark.parametrize("how", ["format", "accept"])
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_csv_has_the_documented_columns_and_a_row_per_item(
    client: FlaskClient, everything: dict[str, list[dict]], collection: str, how: str
) -> None:
    """Acceptance: as many data rows as meta.count, the values of the JSON items."""
    if how == "format":
        response = get(client, f"/v1/{collection}", [("format", "csv")])
    else:
        response = get(client, f"/v1/{collection}", [], headers={"Accept": "text/csv"})
    header, rows = read_csv(response)
    assert header == documented_columns(collection)
    assert len(rows) == count(client, collection, [])
    assert_rows_are_items(header, rows, everything[collection])
    assert response.headers["Content-Disposition"] == f'attachment; filename="{collection}.csv"'


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_csv_applies_the_filters_and_the_sort(
    client: FlaskClient, seed_rows: SeedRows, collection: str
) -> None:
    for params in filters(seed_rows)[collection]:
        items = fetch_all(client, collection, params)
        if not items or len(items) == count(client, collection, []):
            pytest.fail(f"{params} does not narrow the {collection} down")
        header, rows = read_csv(get(client, f"/v1/{collection}", [*params, ("format", "csv")]))
        assert len(rows) == count(client, collection, params), params
        assert_rows_are_items(header, rows, items)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_csv_is_the_same_by_format_or_accept(client: FlaskClient, collection: str) -> None:
    # each stream read to its end before the next request (it holds its request context)
    by_format = get(client, f"/v1/{collection}", [("format", "csv")]).get_data()
    by_accept = get(client, f"/v1/{collection}", [], headers={"Accept": "text/csv"}).get_data()
    assert by_format == by_accept


def test_format_json_wins_over_accept(client: FlaskClient) -> None:
    response = get(client, "/v1/statements", [("format", "json")], headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert set(response.get_json()) == {"data", "meta", "links"}


@pytest.mark.parametrize(
    "accept", ["application/json", "*/*", "text/html", "text/csv;q=0.5, application/json", ""]
)
def test_json_unless_csv_or_ndjson_is_preferred(client: FlaskClient, accept: str) -> None:
    response = get(client, "/v1/entities", [], headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == "application/json"


def test_csv_values_round_trip(client: FlaskClient, seed_rows: SeedRows) -> None:
    header, rows = read_csv(get(client, "/v1/statements", [("format", "csv")]))
    by_id = {row[header.index("id")]: dict(zip(header, row, strict=True)) for row in rows}
    about: dict[str, list[str]] = {s["id"]: [] for s in seed_rows.statements}
    for a in seed_rows.statement_about:
        about[a["statement_id"]].append(a["entity_id"])
    if not any(len(v) > 1 for v in about.values()):
        pytest.fail("no statement is about two entities: | is not exercised")
    assert set(by_id) == {s["id"] for s in seed_rows.statements}
    for s in seed_rows.statements:
        row = by_id[s["id"]]
        assert row["said_on.value"] == (s["said_on_value"] or "")
        assert row["said_on.precision"] == (s["said_on_precision"] or "")
        assert row["text"] == s["text"]
        assert int(row["start"]) == s["start"] and int(row["end"]) == s["end"]
        assert sorted(row["about"].split("|") if row["about"] else []) == sorted(about[s["id"]])
        assert row["event"] == (s["event_id"] or "")


@pytest.mark.parametrize(
    ("collection", "fields"),
    [
        ("statements", ("said_on", "about")),
        ("statements", ("text",)),
        ("events", ("participants", "date", "location")),
        ("entities", ("counts", "aliases")),
        ("articles", ("published", "cited_outlets")),
        ("articles", ("id",)),
    ],
)
def test_csv_fields_restricts_the_columns(
    client: FlaskClient, everything: dict[str, list[dict]], collection: str, fields: tuple[str, ...]
) -> None:
    header, rows = read_csv(
        get(client, f"/v1/{collection}", [("format", "csv"), ("fields", ",".join(fields))])
    )
    assert header == documented_columns(collection, fields)
    items = [{k: v for k, v in i.items() if k == "id" or k in fields} for i in everything[collection]]
    assert_rows_are_items(header, rows, items)


def test_csv_writes_an_expanded_object_as_json(
    client: FlaskClient, everything: dict[str, list[dict]]
) -> None:
    header, rows = read_csv(
        get(
            client,
            "/v1/statements",
            [("format", "csv"), ("expand", "speaker,about"), ("fields", "speaker,about")],
        )
    )
    assert header == ["id", "speaker", "about"]
    entities: dict[str, dict[str, Any]] = {}
    for row, item in zip(rows, everything["statements"], strict=True):
        # an empty list is an empty cell, whatever the list holds
        speaker, about = json.loads(row[1]), json.loads(row[2]) if row[2] else []
        for entity_id in [item["speaker"], *item["about"]]:
            if entity_id not in entities:
                entities[entity_id] = client.get(f"/v1/entities/{entity_id}").get_json()
        assert speaker == entities[item["speaker"]]
        assert about == [entities[e] for e in item["about"]]


def test_csv_of_an_empty_list_is_the_header_alone(client: FlaskClient) -> None:
    header, rows = read_csv(get(client, "/v1/statements", [("format", "csv"), ("speaker", "no-such-entity")]))
    assert header == documented_columns("statements")
    assert rows == []


# --------------------------------------------------------------------------------------------
# 2. NDJSON
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["format", "accept"])
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_ndjson_is_every_json_item_one_per_line(
    client: FlaskClient, everything: dict[str, list[dict]], collection: str, how: str
) -> None:
    if how == "format":
        response = get(client, f"/v1/{collection}", [("format", "ndjson")])
    else:
        response = get(client, f"/v1/{collection}", [], headers={"Accept": "application/x-ndjson"})
    assert read_ndjson(response) == everything[collection]
    assert response.headers["Content-Disposition"] == f'attachment; filename="{collection}.ndjson"'


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_ndjson_applies_the_filters_and_the_sort(
    client: FlaskClient, seed_rows: SeedRows, collection: str
) -> None:
    for params in filters(seed_rows)[collection]:
        lines = read_ndjson(get(client, f"/v1/{collection}", [*params, ("format", "ndjson")]))
        assert lines == fetch_all(client, collection, params), params
        assert len(lines) == count(client, collection, params)


def test_ndjson_with_fields_and_expand_equals_the_json_items(client: FlaskClient) -> None:
    params: Params = [("fields", "speaker,event,said_on"), ("expand", "speaker,event"), ("sort", "-id")]
    lines = read_ndjson(get(client, "/v1/statements", [*params, ("format", "ndjson")]))
    assert lines == fetch_all(client, "statements", params)
    assert all(set(line) == {"id", "speaker", "event", "said_on"} for line in lines)


def test_ndjson_of_an_empty_list_is_empty(client: FlaskClient) -> None:
    assert read_ndjson(get(client, "/v1/events", [("format", "ndjson"), ("participant", "nobody")])) == []


# --------------------------------------------------------------------------------------------
# 3. Errors in an export
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["xml", "CSV", "", "json,csv"])
def test_an_unknown_format_is_a_400(client: FlaskClient, value: str) -> None:
    body = assert_problem(get(client, "/v1/statements", [("format", value)]), 400)
    assert "format" in body["errors"]


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ([("kind", "nonsense")], "kind"),
        ([("fields", "nonsense")], "fields"),
        ([("said_from", "yesterday")], "said_from"),
        ([("nonsense", "1")], "nonsense"),
        ([("q", '"unbalanced')], "q"),
        ([("q", "*")], "q"),
        ([("cursor", "garbage")], "cursor"),
    ],
)
def test_a_bad_parameter_of_an_export_is_a_400_not_a_broken_stream(
    client: FlaskClient, fmt: str, params: Params, parameter: str
) -> None:
    raised = None
    try:
        response = get(client, "/v1/statements", [*params, ("format", fmt)])
    except Exception as exc:  # raised while streaming: a real server answers a bare 500
        raised = f"{type(exc).__name__}: {exc}"
    if raised:
        # no traceback: pytest cannot render the frames of the stream (CPython 3.11.7 AST SystemError)
        pytest.fail(f"the error escaped from the stream instead of a 400: {raised}", pytrace=False)
    body = assert_problem(response, 400)
    assert parameter in body["errors"], body


@pytest.mark.parametrize(
    "path",
    ["/v1/statements?format=csv", "/v1/events?format=ndjson", "/v1/articles?q=otan&format=csv", "/v1/export"],
)
def test_a_streamed_export_gives_its_database_connection_back(
    app: Flask, client: FlaskClient, path: str
) -> None:
    """Once read to the end, a stream holds no pooled connection (else a burst of exports
    exhausts the pool and the next requests fail)."""
    pool = app.extensions["veille.engine"].pool
    gc.collect()
    gc.disable()  # a leaked connection must not be given back by the garbage collector
    try:
        for _ in range(3):
            response = client.get(path)
            assert response.status_code == 200
            response.get_data()
            response.close()
            assert pool.checkedout() == 0, f"{path}: a connection is still checked out after the stream"
    finally:
        gc.enable()


# --------------------------------------------------------------------------------------------
# 4. GET /v1/export
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def export_lines(app: Flask) -> list[dict[str, Any]]:
    response = app.test_client().get("/v1/export")
    lines = read_ndjson(response)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return lines


def test_export_has_a_line_per_item_of_every_collection(
    client: FlaskClient, export_lines: list[dict]
) -> None:
    """Acceptance: as many lines as the four collection counts of GET /v1 add up to."""
    counts = client.get("/v1").get_json()["counts"]
    assert len(export_lines) == sum(counts[c] for c in COLLECTIONS)
    assert all(set(line) == {"type", "data"} and "id" in line["data"] for line in export_lines)


def test_export_line_type_names_the_collection(client: FlaskClient, export_lines: list[dict]) -> None:
    counts = client.get("/v1").get_json()["counts"]
    types = Counter(line["type"] for line in export_lines)
    assert types == {SINGULAR[c]: counts[c] for c in COLLECTIONS if counts[c]}


def test_export_lines_are_the_list_items_collection_by_collection_in_id_order(
    client: FlaskClient, export_lines: list[dict]
) -> None:
    position = 0
    for collection in COLLECTIONS:
        items = fetch_all(client, collection, [("sort", "id")])
        lines = [line["data"] for line in export_lines[position : position + len(items)]]
        position += len(items)
        assert [line["id"] for line in lines] == [i["id"] for i in items], collection
        for line, item in zip(lines, items, strict=True):
            extra = {"mentions"} if collection == "articles" else set()
            assert set(line) == set(item) | extra
            assert {k: v for k, v in line.items() if k not in extra} == {
                k: v for k, v in item.items() if k not in extra
            }
    assert position == len(export_lines)


def test_export_article_lines_carry_their_mentions(
    client: FlaskClient, seed_rows: SeedRows, export_lines: list[dict]
) -> None:
    articles = [line["data"] for line in export_lines if line["type"] == "article"]
    assert len(articles) == len(seed_rows.articles)
    for line in articles:
        item = client.get(f"/v1/articles/{line['id']}").get_json()
        assert line["mentions"] == item["related"]["mentions"]
        assert len(line["mentions"]) == sum(1 for m in seed_rows.mentions if m["article_id"] == line["id"])


@pytest.mark.parametrize("params", [[("format", "csv")], [("type", "article")], [("nonsense", "1")]])
def test_export_rejects_unknown_parameters(client: FlaskClient, params: Params) -> None:
    body = assert_problem(get(client, "/v1/export", params), 400)
    assert params[0][0] in body["errors"], body
