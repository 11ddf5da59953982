"""Property: whatever JSON a curator with a valid key sends to any write operation, the answer is
never a 5xx (issue 12, acceptance 1).

Every write operation is found in the app's URL map (POST, PATCH, PUT, DELETE under /v1), so one
added later is covered without editing this file. Bodies are drawn half from the operation's
documented request schema (known property names, right and wrong types, existing ids, nested
objects) and half as arbitrary JSON; creations also get an existing item's fields under a new
id with one field changed, so some succeed and the insert itself is exercised. PATCH and DELETE
get the item's current ETag on some examples, so they reach validation and the database rather
than stopping at 428/412.

Seeded and derandomised for CI; ``VEILLE_PROPERTY_EXAMPLES`` (default 40 per operation) raises
the number of examples for a longer local campaign. Runs on the backend under test
(``TEST_DATABASE_URL``) against a throwaway database.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import create_app
from tests.helpers import Writable

EXAMPLES = int(os.environ.get("VEILLE_PROPERTY_EXAMPLES", "40"))
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
COLLECTIONS = ("articles", "entities", "statements", "events")
HEADER_CHARACTERS = st.characters(min_codepoint=0x21, max_codepoint=0x7E)  # what an HTTP header can carry


def write_operations() -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every write operation the app serves."""
    app = create_app({"DATABASE_URL": "sqlite://"})
    found = [
        (method, rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/v1")
        for method in sorted(rule.methods & set(WRITE_METHODS))
    ]
    app.extensions["veille.engine"].dispose()
    return found


OPERATIONS = write_operations()


@pytest.fixture(scope="module")
def target(module_writable: Writable) -> dict[str, Any]:
    """A throwaway seeded database: its app, an admin key and some existing ids per collection."""
    app = module_writable.app
    client = app.test_client()
    ids = {
        name: [item["id"] for item in client.get(f"/v1/{name}?limit=4").get_json()["data"]]
        for name in COLLECTIONS
    }
    samples = {name: client.get(f"/v1/{name}/{found[0]}").get_json() for name, found in ids.items()}
    spec = client.get("/openapi.json").get_json()
    return {"app": app, "auth": module_writable.key("admin"), "ids": ids, "spec": spec, "samples": samples}


def arbitrary_json() -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.integers(min_value=2**31 - 2, max_value=2**63)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=30)
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
        max_leaves=12,
    )


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}}
        for part in schema["allOf"]:
            merged["properties"].update(_resolve(spec, part).get("properties", {}))
        return merged
    return schema


def from_schema(
    spec: dict[str, Any], schema: dict[str, Any], ids: list[str], depth: int = 0
) -> st.SearchStrategy[Any]:
    """Values shaped like ``schema`` (often valid, often not), or arbitrary JSON."""
    schema = _resolve(spec, schema)
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        return st.one_of([from_schema(spec, s, ids, depth + 1) for s in alternatives])
    kind = schema.get("type")
    shaped: st.SearchStrategy[Any]
    if "enum" in schema:
        shaped = st.sampled_from(schema["enum"])
    elif kind == "object" and depth < 4:
        properties = {
            name: from_schema(spec, value, ids, depth + 1)
            for name, value in schema.get("properties", {}).items()
        }
        shaped = st.fixed_dictionaries({}, optional=properties)
    elif kind == "array" and depth < 4:
        shaped = st.lists(from_schema(spec, schema.get("items", {}), ids, depth + 1), max_size=3)
    elif kind == "string":
        shaped = st.sampled_from(ids) | st.text(max_size=40) | st.dates().map(str) | st.just("")
    elif kind == "integer":
        shaped = st.integers(min_value=-5, max_value=5000) | st.integers()
    elif kind == "number":
        shaped = st.floats(allow_nan=False, allow_infinity=False) | st.integers()
    elif kind == "boolean":
        shaped = st.booleans()
    else:
        shaped = arbitrary_json()
    return st.one_of(shaped, shaped, arbitrary_json()) if depth else st.one_of(shaped, arbitrary_json())


def near_valid(
    spec: dict[str, Any], schema: dict[str, Any], sample: dict[str, Any], ids: list[str]
) -> st.SearchStrategy[dict[str, Any]]:
    """An existing item's writable fields under a new id, with one field given another value:
    bodies that pass most checks, so creation itself (and the database) is reached."""
    properties = _resolve(spec, schema).get("properties", {})
    base = {name: value for name, value in sample.items() if name in properties and name != "id"}
    if not base:
        return st.nothing()

    def body(new_id: str, field: str, value: Any, replace: bool) -> dict[str, Any]:
        return {**base, "id": new_id, **({field: value} if replace else {})}

    field = st.shared(st.sampled_from(sorted(base)), key="field")
    return st.builds(
        body,
        st.from_regex(r"[a-z][a-z0-9]{2,12}(-[a-z0-9]{1,8}){0,2}", fullmatch=True),
        field,
        field.flatmap(lambda name: from_schema(spec, properties[name], ids, 1)),
        st.booleans(),
    )


def request_schema(spec: dict[str, Any], rule: str, method: str) -> dict[str, Any]:
    path = re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule)
    operation = spec["paths"][path][method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    return content.get("application/json", {}).get("schema", {})


@pytest.mark.parametrize(
    ("method", "rule", "endpoint"), OPERATIONS, ids=[f"{m} {r}" for m, r, _ in OPERATIONS]
)
def test_no_json_body_sent_to_a_write_operation_gets_a_5xx(
    target: dict[str, Any], method: str, rule: str, endpoint: str
) -> None:
    app: Flask = target["app"]
    client = app.test_client()
    collection = rule.split("/")[2]
    known = target["ids"].get(collection, [])
    every_id = sorted({i for ids in target["ids"].values() for i in ids})
    schema = request_schema(target["spec"], rule, method)
    body_strategy = from_schema(target["spec"], schema, every_id)
    if method == "POST" and rule == f"/v1/{collection}":
        sample = target["samples"][collection]
        body_strategy = body_strategy | near_valid(target["spec"], schema, sample, every_id)
    item_strategy = st.sampled_from(known or ["none"]) | st.text(min_size=1, max_size=20)
    seen: set[int] = set()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        body=body_strategy,
        item=item_strategy,
        send_etag=st.booleans(),
        key=st.none() | st.text(HEADER_CHARACTERS, min_size=1, max_size=8),
    )
    def check(body: Any, item: str, send_etag: bool, key: str | None) -> None:
        path = re.sub(r"<(?:[a-z_]+:)?item_id>", quote(item, safe=""), rule)
        headers = {"Authorization": target["auth"]}
        if send_etag:
            current = client.get(f"/v1/{collection}/{quote(item, safe='')}")
            headers["If-Match"] = current.headers.get("ETag", '"none"')
        if key:
            headers["Idempotency-Key"] = key
        # the standard library encodes what orjson refuses (integers past 64 bits): those must reach the API
        encoded = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
        response = client.open(
            path, method=method, data=encoded, content_type="application/json", headers=headers
        )
        seen.add(response.status_code)
        assert response.status_code < 500, (method, path, body, response.get_data(as_text=True)[:500])
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", response.get_data(as_text=True)[:300]

    check()
    # the examples got past routing and authentication into the operation's own checks
    assert seen & {200, 201, 204, 409, 412, 422}, seen
