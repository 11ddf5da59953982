"""Rate limits that hold: Retry-After only where it means something, failed authentication
limited per address, counts kept in memory while Redis is away, and the advertised limit
enforced by the deployment `make run` starts."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask

from tests.helpers import assert_problem
from tests.servers import gunicorn, http_get
from tests.test_failures import TcpProxy

BOGUS = {"Authorization": "Bearer vk_0000000000000000_nope"}
REDIS_DATABASE = 13  # a Redis database of this file's own


def test_successful_responses_carry_no_retry_after(limited_app: Callable[..., Flask]) -> None:
    app = limited_app()
    response = app.test_client().get("/v1")
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert "Retry-After" not in response.headers


def test_a_database_503_keeps_its_own_retry_after_under_the_rate_limiter(
    limited_app: Callable[..., Flask],
) -> None:
    app = limited_app(DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:9/test")
    response = app.test_client().get("/v1/statements")
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "2"  # the limiter's window would say up to 60


def test_the_limiters_429_keeps_its_window_as_retry_after(limited_app: Callable[..., Flask]) -> None:
    app = limited_app(RATE_LIMIT_ANONYMOUS="1/minute")
    client = app.test_client()
    assert client.get("/v1").status_code == 200
    response = client.get("/v1")
    assert_problem(response, 429)
    assert 0 < int(response.headers["Retry-After"]) <= 60


def test_failed_authentications_are_limited_per_address(limited_app: Callable[..., Flask]) -> None:
    app = limited_app(RATE_LIMIT_ANONYMOUS="100/minute", RATE_LIMIT_AUTH_FAILURES="3/minute")
    key = app.test_cli_runner().invoke(
        args=["keys", "create", "--name", f"k{uuid.uuid4().hex[:8]}", "--scope", "read"]
    )
    valid = {"Authorization": f"Bearer {key.output.strip()}"}
    client = app.test_client()
    attacker = {"REMOTE_ADDR": "192.0.2.7"}

    for _ in range(3):
        assert_problem(client.get("/v1", headers=BOGUS, environ_base=attacker), 401)
    refused = client.get("/v1", headers=BOGUS, environ_base=attacker)
    body = assert_problem(refused, 429)
    assert "failed authentications" in body["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # past the limit not even the right key is checked from that address
    assert_problem(client.get("/v1", headers=valid, environ_base=attacker), 429)
    # the address may still read anonymously, and other addresses are not affected
    assert client.get("/v1", environ_base=attacker).status_code == 200
    assert client.get("/v1", headers=valid, environ_base={"REMOTE_ADDR": "192.0.2.8"}).status_code == 200
    assert_problem(client.get("/v1", headers=BOGUS, environ_base={"REMOTE_ADDR": "192.0.2.8"}), 401)


def test_valid_keys_do_not_count_as_failures(limited_app: Callable[..., Flask]) -> None:
    app = limited_app(RATE_LIMIT_KEYED="100/minute", RATE_LIMIT_AUTH_FAILURES="2/minute")
    key = app.test_cli_runner().invoke(
        args=["keys", "create", "--name", f"k{uuid.uuid4().hex[:8]}", "--scope", "read"]
    )
    valid = {"Authorization": f"Bearer {key.output.strip()}"}
    client = app.test_client()
    assert [client.get("/v1", headers=valid).status_code for _ in range(5)] == [200] * 5


def test_a_malformed_limit_stops_the_start(make_app: Callable[..., Flask]) -> None:
    with pytest.raises(ValueError, match="rate limit"):
        make_app(RATE_LIMIT_ANONYMOUS="a lot")


def test_without_redis_limits_are_counted_in_memory_until_it_answers_again(
    limited_app: Callable[..., Flask],
) -> None:
    pytest.importorskip("redis")
    redis = TcpProxy(("127.0.0.1", 6379))
    redis.start()
    redis.stop()  # a port of the test's own, refusing connections: Redis is away
    uri = f"redis://127.0.0.1:{redis.port}/{REDIS_DATABASE}"
    client = limited_app(RATE_LIMIT_ANONYMOUS="2/minute", RATELIMIT_STORAGE_URI=uri).test_client()
    address = {"REMOTE_ADDR": "2001:db8::" + ":".join(f"{n:x}" for n in uuid.uuid4().fields[1:5])}
    away = [client.get("/v1", environ_base=address) for _ in range(3)]
    assert [r.status_code for r in away] == [200, 200, 429]
    assert [r.headers["X-RateLimit-Remaining"] for r in away] == ["1", "0", "0"]
    redis.start()  # back on the same port: asked again after 1 s, then 2, 4…
    try:
        deadline = time.monotonic() + 10
        while (back := client.get("/v1", environ_base=address)).status_code == 429:
            assert time.monotonic() < deadline, "Redis was not used again"
            time.sleep(0.25)
    finally:
        redis.stop()
    # Redis's own count for this address, which the requests made while it was away never reached
    assert back.status_code == 200
    assert back.headers["X-RateLimit-Remaining"] == "1"


def test_the_window_end_is_asked_of_redis_once_per_process_and_agrees(
    limited_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``X-RateLimit-Reset`` is the end of the counter's fixed window: the process whose hit
    opened it knows it, another one asks Redis once and then remembers it (api/http/rate_limits.py)."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DATABASE, socket_connect_timeout=1).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    uri = f"redis://127.0.0.1:6379/{REDIS_DATABASE}"
    first, second = (
        limited_app(RATE_LIMIT_ANONYMOUS="50/minute", RATELIMIT_STORAGE_URI=uri).test_client()
        for _ in range(2)
    )
    asked: list[str] = []
    storage_class = type(first.application.extensions["veille.rate_limits"].counters.storage)
    ask = storage_class.get_expiry
    monkeypatch.setattr(storage_class, "get_expiry", lambda self, key: asked.append(key) or ask(self, key))
    address = {"REMOTE_ADDR": "2001:db8::" + ":".join(f"{n:x}" for n in uuid.uuid4().fields[1:5])}
    responses = [
        client.get("/v1", environ_base=address) for client in (first, first, second, second, first, second)
    ]
    assert [r.headers["X-RateLimit-Remaining"] for r in responses] == ["49", "48", "47", "46", "45", "44"]
    resets = [int(r.headers["X-RateLimit-Reset"]) for r in responses]
    # one value per process; the two agree to the second (Redis gives a key's TTL in whole seconds)
    assert len({resets[i] for i in (0, 1, 4)}) == 1
    assert len({resets[i] for i in (2, 3, 5)}) == 1
    assert max(resets) - min(resets) <= 1
    assert 0 < min(resets) - time.time() <= 61
    assert len(asked) == 1  # the second process, once; the first opened the window


def burst(base: str, count: int) -> list[int]:
    # several connections at once, so that several gunicorn workers, if any, would serve them
    with ThreadPoolExecutor(max_workers=8) as pool:
        return sorted(pool.map(lambda _: http_get(base + "/v1", timeout=30).status, range(count)))


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_gunicorn_as_make_run_starts_it_enforces_the_advertised_limit(seeded_url: str, storage: str) -> None:
    # a limit string of our own: Redis keys are named after the address and the limit
    limit = 17
    env = {"DATABASE_URL": seeded_url, "VEILLE_RATE_LIMIT_ANONYMOUS": f"{limit}/minute"}
    env.pop("WEB_CONCURRENCY", None)
    if storage == "redis":
        redis = pytest.importorskip("redis")
        # emptied first: counters are named after the address and the limit
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DATABASE, socket_connect_timeout=1).flushdb()
        env["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:6379/{REDIS_DATABASE}"
    with gunicorn(env) as base:
        statuses = burst(base, limit + 8)
        assert statuses == [200] * limit + [429] * 8
        assert http_get(base + "/v1").headers["x-ratelimit-limit"] == str(limit)
