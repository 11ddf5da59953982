"""The OpenAPI document: generated, committed, valid, and describing everything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from api.config import PROJECT_ROOT

COMMITTED = PROJECT_ROOT / "openapi.yaml"


def served(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_committed_openapi_yaml_equals_the_served_document(client: FlaskClient) -> None:
    committed = yaml.safe_load(Path(COMMITTED).read_text(encoding="utf-8"))
    assert committed == served(client), "openapi.yaml is stale: run `make openapi` and commit it"


def test_the_document_is_valid_openapi(client: FlaskClient) -> None:
    validate(served(client))


def test_every_operation_has_an_id_a_summary_and_a_description(client: FlaskClient) -> None:
    spec = served(client)
    operation_ids = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for key in ("operationId", "summary", "description"):
                assert operation.get(key), f"{method.upper()} {path} has no {key}"
            operation_ids.append(operation["operationId"])
    assert len(operation_ids) == len(set(operation_ids))


def test_required_parameters_have_an_example_and_optional_ones_none(client: FlaskClient) -> None:
    """Swagger UI's "Try it out" sends every example: an optional filter's example would narrow
    the list (or, for a cursor, fail), so only what must be given carries one, on reads. Writes
    may leave a required one out: If-Match's only valid value is the ETag the item has at run
    time, and a real id as the duplicate of a merge would merge two curated entities."""
    spec = served(client)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            parameters = (
                item.get("parameters", []) if method == "parameters" else operation.get("parameters", [])
            )
            for parameter in parameters:
                where = f"{method} {path} parameter {parameter['name']}"
                assert parameter.get("description"), where
                schema = parameter.get("schema", {})
                example = parameter.get("example", schema.get("example"))
                if parameter["name"] == "If-Match":
                    assert example is None, where
                elif parameter.get("required"):
                    if method == "get" or (method == "parameters" and "get" in item):
                        assert example is not None, where
                else:
                    assert example is None or example == schema.get("default"), where


def test_every_schema_and_property_is_described(client: FlaskClient) -> None:
    schemas = served(client)["components"]["schemas"]
    for name, schema in schemas.items():
        assert schema.get("description"), f"schema {name} has no description"
        for prop, definition in schema.get("properties", {}).items():
            assert definition.get("description"), f"{name}.{prop} has no description"


def test_error_responses_are_documented_as_problem_json(client: FlaskClient) -> None:
    spec = served(client)
    responses = spec["components"]["responses"]
    for name in ("BAD_REQUEST", "DEFAULT_ERROR"):
        assert list(responses[name]["content"]) == ["application/problem+json"]
    not_found = spec["paths"]["/v1/statements/{item_id}"]["get"]["responses"]["404"]
    assert list(not_found["content"]) == ["application/problem+json"]


def test_swagger_ui_and_redoc_pages_are_served(client: FlaskClient) -> None:
    for path in ("/docs", "/redoc"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert "openapi.json" in response.get_data(as_text=True)


def test_writes_declare_the_bearer_scheme_so_swagger_ui_offers_authorize(client: FlaskClient) -> None:
    spec = served(client)
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        **spec["components"]["securitySchemes"]["bearerAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("post", "patch", "delete", "put"):
                assert operation.get("security") == [{"bearerAuth": []}], f"{method} {path}"
            elif method == "get":
                assert "security" not in operation, f"{method} {path} is public"


def test_every_declared_write_refuses_a_request_without_a_key(client: FlaskClient) -> None:
    """What the spec declares secured is secured: 401 with a challenge, not a 2xx."""
    spec = served(client)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if "security" not in operation:
                continue
            url = path.replace("{item_id}", "sergei-shoigu" if "/entities/" in path else "x")
            response = client.open(url, method=method.upper(), json={})
            assert response.status_code == 401, f"{method} {url}: {response.status_code}"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_post_articles_declares_extract(client: FlaskClient) -> None:
    parameters = served(client)["paths"]["/v1/articles"]["post"]["parameters"]
    by_name = {p["name"]: p for p in parameters}
    assert by_name["extract"]["in"] == "query"
    assert by_name["extract"]["schema"]["type"] == "boolean"
    assert by_name["Idempotency-Key"]["in"] == "header"
