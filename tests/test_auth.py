"""API keys: made and revoked from the CLI, stored as hashes, checked on every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import make_engine
from api.models import ApiKey
from tests.helpers import assert_problem


def cli(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def test_a_key_is_shown_once_and_stored_only_as_a_hash(
    seeded_url: str, make_app: Callable[..., Flask]
) -> None:
    app = make_app()
    result = cli(app, "keys", "create", "--name", "hash-check", "--scope", "write")
    assert result.exit_code == 0, result.output
    key = result.output.strip()
    assert key.startswith("vk_")
    engine = make_engine(seeded_url)
    with Session(engine) as session:
        row = session.scalar(select(ApiKey).where(ApiKey.name == "hash-check"))
        assert row is not None and row.scopes == "write"
        assert key.split("_", 2)[2] not in (row.secret_hash, row.id)
    engine.dispose()
    listed = cli(app, "keys", "list").output
    assert "hash-check\twrite\tactive" in listed and key not in listed
    assert cli(app, "keys", "create", "--name", "hash-check", "--scope", "read").exit_code == 1


def test_a_valid_key_reads_privately_and_a_revoked_one_is_refused(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    key = cli(app, "keys", "create", "--name", "reader", "--scope", "read").output.strip()
    client = app.test_client()
    response = client.get("/v1", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert cli(app, "keys", "revoke", "--name", "reader").exit_code == 0
    refused = client.get("/v1", headers={"Authorization": f"Bearer {key}"})
    assert_problem(refused, 401)
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert cli(app, "keys", "revoke", "--name", "reader").exit_code == 1


def test_unknown_or_malformed_keys_are_401_with_a_challenge(client: Any) -> None:
    for header in ("Bearer vk_0000000000000000_nope", "Bearer garbage", "Basic dXNlcjpwYXNz"):
        response = client.get("/v1/statements", headers={"Authorization": header})
        body = assert_problem(response, 401)
        assert "invalid_token" in response.headers["WWW-Authenticate"]
        assert "key" in body["detail"]


def test_keys_are_never_taken_from_the_query_string(client: Any) -> None:
    for parameter in ("api_key", "token"):
        body = assert_problem(client.get(f"/v1/statements?{parameter}=vk_x_y"), 400)
        assert "query string" in body["detail"]


def test_a_valid_key_gets_the_keyed_rate_limit(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATE_LIMIT_ANONYMOUS="2/minute", RATE_LIMIT_KEYED="5/minute")
    key = cli(app, "keys", "create", "--name", "busy", "--scope", "read").output.strip()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    assert [client.get("/v1", headers=headers).status_code for _ in range(5)] == [200] * 5
    assert client.get("/v1", headers=headers).status_code == 429
    assert client.get("/v1").headers["X-RateLimit-Limit"] == "2"
