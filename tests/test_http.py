"""HTTP behaviour of every response: caching, limits, CORS, request ids, operations endpoints."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from api.http.rate_limits import SweptMemoryStorage
from tests.conftest import Databases
from tests.helpers import assert_problem, migrate

LIST = "/v1/statements?limit=2"


def test_every_get_has_a_strong_etag_and_public_cache_control(client: FlaskClient) -> None:
    for path in ("/v1", LIST, "/v1/entities/sergei-shoigu", "/openapi.json", "/v1/search?q=nucleaire"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["ETag"].startswith('"') and not response.headers["ETag"].startswith("W/")
        assert response.headers["Cache-Control"] == "public, max-age=60"
        assert {"Accept", "Authorization"} <= {v.strip() for v in response.headers["Vary"].split(",")}


def test_head_carries_the_same_etag_as_get(client: FlaskClient) -> None:
    assert client.head(LIST).headers["ETag"] == client.get(LIST).headers["ETag"]


@pytest.mark.parametrize(
    "if_none_match",
    ["{etag}", "W/{etag}", '"other", {etag}', 'W/"other", W/{etag}', "*"],
    ids=["strong", "weak", "list", "weak-list", "star"],
)
def test_if_none_match_gives_304_with_the_headers_of_the_200(client: FlaskClient, if_none_match: str) -> None:
    full = client.get(LIST)
    etag = full.headers["ETag"]
    response = client.get(LIST, headers={"If-None-Match": if_none_match.format(etag=etag)})
    assert response.status_code == 304
    assert response.get_data() == b""
    for header in ("ETag", "Cache-Control", "Vary", "X-Dataset-Version"):
        assert response.headers[header] == full.headers[header], header


def test_a_stale_etag_gets_the_full_response(client: FlaskClient) -> None:
    response = client.get(LIST, headers={"If-None-Match": '"not-the-current-one"'})
    assert response.status_code == 200
    assert response.get_json()["data"]


def test_streamed_exports_are_conditional_too(client: FlaskClient) -> None:
    full = client.get("/v1/events?format=csv")
    assert full.status_code == 200 and full.headers["ETag"] and full.get_data()
    again = client.get("/v1/events?format=csv", headers={"If-None-Match": full.headers["ETag"]})
    assert again.status_code == 304
    other_type = client.get("/v1/events?format=ndjson")
    assert other_type.get_data()
    assert other_type.headers["ETag"] != full.headers["ETag"]


def test_credentials_make_a_response_private(client: FlaskClient) -> None:
    response = client.get(LIST, headers={"Authorization": "Bearer whatever"})
    assert response.headers["Cache-Control"] == "private, no-store"


def test_errors_are_not_cached(client: FlaskClient) -> None:
    for path in ("/v1/statements/nope", "/v1/statements?limit=0"):
        assert client.get(path).headers["Cache-Control"] == "no-store"


def test_a_url_over_2083_characters_is_414(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/statements?q=" + "a" * 2100), 414)
    assert "2083" in body["detail"]
    assert client.get("/v1/statements?q=" + "a" * 400).status_code == 200


def test_a_body_over_1_mib_is_413(client: FlaskClient) -> None:
    response = client.get(LIST, data=b"x" * (1024 * 1024 + 1), content_type="application/octet-stream")
    assert_problem(response, 413)


@pytest.mark.parametrize(
    "query", ["q=%00", "speaker=a%00b", "q=%FF%FE", "q=caf%E9", "sort=%C0%AF"], ids=lambda q: q
)
def test_nul_bytes_and_invalid_utf8_in_the_query_are_400(client: FlaskClient, query: str) -> None:
    body = assert_problem(client.get(f"/v1/statements?{query}"), 400)
    assert "query string" in body["detail"]


def test_nul_bytes_in_the_path_are_400(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/statements/st-%00"), 400)
    assert "path" in body["detail"]


def test_request_id_is_echoed_or_made(client: FlaskClient) -> None:
    assert client.get("/v1", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    made = client.get("/v1", headers={"X-Request-ID": "bad id with spaces"}).headers["X-Request-ID"]
    assert made != "bad id with spaces" and len(made) == 32
    assert client.get("/v1").headers["X-Request-ID"] != client.get("/v1").headers["X-Request-ID"]


def test_one_structured_log_line_per_request(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="veille.access"):
        client.get("/v1/statements?limit=1", headers={"X-Request-ID": "log-me"})
    lines = [r for r in caplog.records if r.name == "veille.access"]
    assert len(lines) == 1
    fields = lines[0].fields  # type: ignore[attr-defined]
    assert fields["request_id"] == "log-me"
    assert fields["method"] == "GET"
    assert fields["route"] == "/v1/statements"
    assert fields["status"] == 200
    assert fields["duration_ms"] >= 0


def test_cors_is_open_for_reads(client: FlaskClient) -> None:
    response = client.get(LIST, headers={"Origin": "https://dashboard.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        LIST, headers={"Origin": "https://dashboard.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_cors_origins_are_configurable(make_app: Callable[..., Flask]) -> None:
    app = make_app(CORS_ORIGINS="https://ok.example")
    client = app.test_client()
    assert (
        client.get(LIST, headers={"Origin": "https://ok.example"}).headers["Access-Control-Allow-Origin"]
        == "https://ok.example"
    )
    assert (
        "Access-Control-Allow-Origin"
        not in client.get(LIST, headers={"Origin": "https://evil.example"}).headers
    )


def test_cors_answers_are_kept_per_origin_and_preflight(make_app: Callable[..., Flask]) -> None:
    """flask-cors's answer is kept per resource, method and CORS request headers (api/http/cors.py):
    a request like an earlier one gets the same headers again, and another origin its own."""
    client = make_app(CORS_ORIGINS="https://a.example, https://b.example").test_client()

    def cors_of(response: TestResponse) -> list[tuple[str, str]]:
        return [(k, v) for k, v in response.headers if k.startswith("Access-Control-") or k == "Vary"]

    rounds = []
    for _ in range(2):
        seen = []
        for path in (LIST, f"{LIST}/does-not-matter", "/healthz"):
            for origin in ("https://a.example", "https://evil.example", "https://b.example", None):
                response = client.get(path, headers={"Origin": origin} if origin else {})
                allowed = origin in ("https://a.example", "https://b.example") and path != "/healthz"
                if origin:
                    assert response.headers.get("Access-Control-Allow-Origin") == (
                        origin if allowed else None
                    )
                seen.append(cors_of(response))
        for asked in ("x-one", "x-two"):
            preflight = client.options(
                LIST,
                headers={
                    "Origin": "https://a.example",
                    "Access-Control-Request-Method": "GET",
                    "Access-Control-Request-Headers": asked,
                },
            )
            assert preflight.headers["Access-Control-Allow-Headers"] == asked
            assert preflight.headers["Access-Control-Max-Age"] == "3600"
            seen.append(cors_of(preflight))
        rounds.append(seen)
    assert rounds[0] == rounds[1]


def test_every_origin_of_a_list_with_spaces_is_allowed(make_app: Callable[..., Flask]) -> None:
    app = make_app(CORS_ORIGINS="https://a.example, https://b.example")
    client = app.test_client()
    for origin in ("https://a.example", "https://b.example"):
        assert client.get(LIST, headers={"Origin": origin}).headers["Access-Control-Allow-Origin"] == origin


def test_the_fourth_request_in_a_minute_is_429_with_retry_after(limited_app: Callable[..., Flask]) -> None:
    app = limited_app()
    client = app.test_client()
    statuses = [client.get("/v1").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get("/v1")
    body = assert_problem(response, 429)
    assert body["title"] == "Too Many Requests"
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert client.get("/healthz").status_code == 200  # operations endpoints are never limited


# the values that differ per request or per dataset, shown as their kind by ``in_order``
KINDS = {
    "Content-Length": r"\d+",
    "ETag": r'"[0-9a-f]{64}"',
    "X-Dataset-Version": r"\d+",
    "X-RateLimit-Reset": r"\d{10}",
    "Retry-After": r"\d+",
    "X-Request-ID": r"[0-9a-f]{32}",
}
SHARED_HEADERS = [
    ("Access-Control-Allow-Origin", "*"),
    (
        "Access-Control-Expose-Headers",
        "ETag, Link, Retry-After, X-Dataset-Version, X-RateLimit-Limit, X-RateLimit-Remaining,"
        " X-RateLimit-Reset, X-Request-ID",
    ),
]
SECURITY_HEADERS = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    (
        "Content-Security-Policy",
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    ),
]


def in_order(response: TestResponse) -> list[tuple[str, str]]:
    """Every header in the order sent, a value of ``KINDS`` as ``<name>`` when it has its form."""
    return [
        (name, f"<{name}>" if name in KINDS and re.fullmatch(KINDS[name], value) else value)
        for name, value in response.headers
    ]


def test_a_200_its_304_and_a_429_carry_exactly_these_headers(limited_app: Callable[..., Flask]) -> None:
    client = limited_app(RATE_LIMIT_ANONYMOUS="2/minute").test_client()
    item = "/v1/statements/st-6f8dc8871e99739c"
    ok = client.get(item)
    not_modified = client.get(item, headers={"If-None-Match": ok.headers["ETag"]})
    refused = client.get(item)
    assert (ok.status_code, not_modified.status_code, refused.status_code) == (200, 304, 429)

    def counted(remaining: int) -> list[tuple[str, str]]:
        reset = ("X-RateLimit-Reset", "<X-RateLimit-Reset>")
        return [("X-RateLimit-Limit", "2"), ("X-RateLimit-Remaining", str(remaining)), reset]

    fresh = [("Cache-Control", "public, max-age=60"), ("Vary", "Accept, Authorization"), ("ETag", "<ETag>")]
    assert in_order(ok) == [
        ("Content-Type", "application/json"),
        ("Content-Length", "<Content-Length>"),
        ("X-Dataset-Version", "<X-Dataset-Version>"),
        *SHARED_HEADERS,
        *SECURITY_HEADERS,
        *fresh,
        *counted(1),
        ("X-Request-ID", "<X-Request-ID>"),
    ]
    assert in_order(not_modified) == [
        ("X-Dataset-Version", "<X-Dataset-Version>"),
        *SHARED_HEADERS,
        *SECURITY_HEADERS,
        *fresh,
        *counted(0),
        ("X-Request-ID", "<X-Request-ID>"),
    ]
    # an error gets the CORS headers from its handler, before the version
    assert in_order(refused) == [
        ("Content-Type", "application/problem+json"),
        ("Content-Length", "<Content-Length>"),
        *SHARED_HEADERS,
        ("X-Dataset-Version", "<X-Dataset-Version>"),
        *SECURITY_HEADERS,
        ("Cache-Control", "no-store"),
        ("Vary", "Accept, Authorization"),
        *counted(0),
        ("Retry-After", "<Retry-After>"),
        ("X-Request-ID", "<X-Request-ID>"),
    ]
    assert ok.headers["ETag"] == not_modified.headers["ETag"] == f'"{hashlib.sha256(ok.data).hexdigest()}"'
    assert int(ok.headers["Content-Length"]) == len(ok.data)
    reset = int(refused.headers["X-RateLimit-Reset"])
    assert reset == int(ok.headers["X-RateLimit-Reset"])
    assert 0 < reset - time.time() <= 61
    assert int(refused.headers["Retry-After"]) in (int(reset - time.time()), int(reset - time.time()) + 1)
    assert refused.get_json()["detail"] == "2 per 1 minute"


def test_memory_rate_limits_expire_without_a_timer_thread(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATE_LIMIT_ANONYMOUS="2/second")
    client = app.test_client()
    threads = threading.active_count()
    assert [client.get("/v1").status_code for _ in range(3)] == [200, 200, 429]
    time.sleep(1.1)  # the window is over: the counter is dropped by the request that finds it
    assert client.get("/v1").status_code == 200
    assert threading.active_count() == threads, "the rate limiter started a thread"


def test_memory_rate_limit_storage_sweeps_expired_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    storage = SweptMemoryStorage()
    storage.incr("ip:192.0.2.1", expiry=0.01)
    time.sleep(0.02)
    monkeypatch.setattr("api.http.rate_limits.SWEEP_SECONDS", 0)
    storage.incr("ip:192.0.2.2", expiry=60)  # another client: the sweep drops the first one's counter
    assert "ip:192.0.2.1" not in storage.storage
    assert storage.get("ip:192.0.2.2") == 1


def test_rate_limits_are_shared_through_redis(limited_app: Callable[..., Flask]) -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is expected on 127.0.0.1:6379 (see README)")
    workers = [limited_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379") for _ in range(2)]
    # an address of this run's own: counts of earlier runs in the same minute are not its
    client = {"REMOTE_ADDR": "2001:db8::" + ":".join(f"{n:x}" for n in uuid.uuid4().fields[1:5])}
    statuses = [workers[i % 2].test_client().get("/v1", environ_base=client).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_healthz_and_readyz(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["status"] == "ready"
    assert ready.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_until_migrations_reach_head(
    databases: Databases, make_app: Callable[..., Flask]
) -> None:
    url = databases.create()
    migrate(url, "0001")
    app = make_app(DATABASE_URL=url)
    response = app.test_client().get("/readyz")
    body = assert_problem(response, 503)
    assert "migrations" in body["detail"]
    assert response.headers["Retry-After"]


def test_metrics_count_requests_per_route_and_status(client: FlaskClient) -> None:
    client.get("/v1/statements?limit=1")
    client.get("/v1/statements/nope")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'veille_http_requests_total{method="GET",route="/v1/statements",status="200"}' in text
    assert 'route="/v1/statements/<string:item_id>",status="404"' in text
    assert "veille_http_request_duration_seconds_bucket" in text
