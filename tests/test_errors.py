"""Every error a client can meet is problem+json whose status is the HTTP status."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import assert_problem


def test_unknown_route_is_a_problem(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/nothing-here"), 404)
    assert body["title"] == "Not Found"


def test_unknown_id_is_a_problem_naming_the_id(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/events/no-such-event"), 404)
    assert "no-such-event" in body["detail"]


def test_undeclared_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.delete("/v1/statements")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}


def test_bad_parameter_is_400_with_errors_per_parameter(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/statements?limit=9999&kind=rumour"), 400)
    assert set(body["errors"]) == {"limit", "kind"}
    assert "limit" in body["detail"] and "kind" in body["detail"]
    assert "direct" in " ".join(body["errors"]["kind"])


def test_unexpected_failure_is_500_without_a_trace(make_app: Callable[..., Flask]) -> None:
    app = make_app()

    def explode() -> None:
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/explode", view_func=explode)
    response = app.test_client().get("/explode")
    body = assert_problem(response, 500)
    text = response.get_data(as_text=True)
    assert "secret internal detail" not in text
    assert "Traceback" not in text
    assert body["title"] == "Internal Server Error"


def test_unreachable_database_is_503_with_retry_after(make_app: Callable[..., Flask]) -> None:
    app = make_app(DATABASE_URL="sqlite:////nonexistent-dir/veille.sqlite3")
    response = app.test_client().get("/v1/statements")
    assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0
