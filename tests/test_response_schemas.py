"""Every JSON response matches the schema the OpenAPI document declares for it.

Responses are built as plain dicts and encoded by orjson (no marshmallow on the way out),
so this is what keeps them honest to the documented contract, extra keys included
(the schemas forbid additional properties).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_schema_validator import OAS30Validator

from api.checks import SeedRows


def inline_refs(node: Any, components: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            return inline_refs(components[node["$ref"].rsplit("/", 1)[1]], components)
        return {key: inline_refs(value, components) for key, value in node.items()}
    if isinstance(node, list):
        return [inline_refs(value, components) for value in node]
    return node


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict[str, Any]:
    return app.test_client().get("/openapi.json").get_json()


def response_schema(spec: dict[str, Any], template: str, status: int, content_type: str) -> dict[str, Any]:
    operation = spec["paths"][template]["get"]
    response = operation["responses"][str(status)]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return inline_refs(response["content"][content_type]["schema"], spec["components"]["schemas"])


def check(client: FlaskClient, spec: dict[str, Any], url: str, template: str) -> None:
    response = client.get(url)
    schema = response_schema(spec, template, response.status_code, response.mimetype)
    errors = sorted(OAS30Validator(schema).iter_errors(response.get_json()), key=str)
    assert not errors, f"{url}: {errors[0].message} at {list(errors[0].absolute_path)}"


def sample_urls(rows: SeedRows) -> list[tuple[str, str]]:
    statement = rows.statements[0]["id"]
    event = next(e["id"] for e in rows.events if e["location_id"])
    urls = [
        ("/v1", "/v1"),
        ("/v1/search?q=nucleaire", "/v1/search"),
        ("/v1/search?q=Shoigu&type=entity&limit=1", "/v1/search"),
        ("/v1/entities/resolve?name=Shoigu", "/v1/entities/resolve"),
        (f"/v1/statements/{statement}", "/v1/statements/{item_id}"),
        (f"/v1/events/{event}", "/v1/events/{item_id}"),
        (f"/v1/entities/{rows.entities[0]['id']}", "/v1/entities/{item_id}"),
        (f"/v1/articles/{rows.articles[0]['id']}", "/v1/articles/{item_id}"),
        ("/v1/statements/does-not-exist", "/v1/statements/{item_id}"),
        ("/v1/statements?limit=0", "/v1/statements"),
    ]
    for collection, expand, facets in (
        ("statements", "speaker,about,article,event,channel", "speaker,kind,status,article,event,about"),
        ("events", "location,participants", "type,status,location,participant,article"),
        ("articles", "outlet,cited_outlets", "language,outlet,entity"),
        ("entities", None, "type,article"),
    ):
        template = f"/v1/{collection}"
        urls.append((f"{template}?limit=500", template))
        urls.append((f"{template}?limit=3&facets={facets}&facet_size=2", template))
        urls.append((f"{template}?fields=id&limit=2", template))
        if expand:
            urls.append((f"{template}?limit=10&expand={expand}", template))
    return urls


def test_every_sampled_response_matches_its_documented_schema(
    client: FlaskClient, spec: dict[str, Any], seed_rows: SeedRows
) -> None:
    for url, template in sample_urls(seed_rows):
        check(client, spec, url, template)
