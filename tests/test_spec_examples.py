"""Swagger UI's "Try it out" with nothing changed: every GET answers 2xx from the spec's own
examples and defaults, on the seeded dataset."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask.testing import FlaskClient

from tests.helpers import Writable
from tests.test_openapi import served


def _value(parameter: dict[str, Any]) -> Any:
    """What Swagger UI sends for a parameter left as it is: its example, else its default."""
    schema = parameter.get("schema", {})
    for source in (parameter, schema):
        if "example" in source:
            return source["example"]
    return schema.get("default")


def _requests(spec: dict[str, Any]) -> list[tuple[str, str]]:
    """(operationId, URL) of every GET, filled from the spec alone."""
    requests = []
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        url, query = path, []
        for parameter in item.get("parameters", []) + operation.get("parameters", []):
            value = _value(parameter)
            if value is None:
                assert not parameter.get("required"), (
                    f"GET {path}: required {parameter['name']} has no example"
                )
                continue
            if parameter["in"] == "path":
                url = url.replace("{" + parameter["name"] + "}", quote(str(value), safe=""))
            elif parameter["in"] == "query":
                values = value if isinstance(value, list) else [value]
                query += [
                    (parameter["name"], str(v).lower() if isinstance(v, bool) else str(v)) for v in values
                ]
        requests.append((operation["operationId"], url + ("?" + urlencode(query) if query else "")))
    return requests


def test_every_get_operation_is_exercised(client: FlaskClient) -> None:
    operations = {op for op, _ in _requests(served(client))}
    # the collections, their items and revisions, search, resolve, timeline, relations, export…
    assert len(operations) >= 19
    assert {"listStatements", "getStatement", "search", "exportDataset"} <= operations


@pytest.fixture(scope="module")
def example_requests(app: Any) -> list[tuple[str, str]]:
    return _requests(served(app.test_client()))


def test_every_get_answers_2xx_with_the_spec_examples_and_defaults(
    client: FlaskClient, example_requests: list[tuple[str, str]]
) -> None:
    failures = []
    for operation_id, url in example_requests:
        response = client.get(url)
        if not 200 <= response.status_code < 300:
            failures.append(
                f"{operation_id} GET {url} → {response.status_code} {response.get_data(as_text=True)[:200]}"
            )
    assert not failures, "\n".join(failures)


def test_list_examples_return_items_not_an_empty_page(
    client: FlaskClient, example_requests: list[tuple[str, str]]
) -> None:
    """An example id that exists yields rows: a made-up one would give 200 and an empty list."""
    for operation_id, url in example_requests:
        if not operation_id.startswith("list") or "{" in url:
            continue
        body = client.get(url).get_json()
        assert body["data"], f"{operation_id} GET {url} is empty"


def test_the_create_entity_example_body_creates_an_entity_with_a_write_key(writable: Writable) -> None:
    """The write a user tries first from /docs after Authorize: its example body is a 201."""
    auth = writable.key("write")
    client = writable.app.test_client()
    operation = served(client)["paths"]["/v1/entities"]["post"]
    example = operation["requestBody"]["content"]["application/json"]["example"]
    response = client.post("/v1/entities", json=example, headers={"Authorization": auth})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id"] == example["id"]
