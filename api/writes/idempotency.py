"""Idempotency-Key on POST: the first response is kept 24 hours and replayed for a retry.

A retry with the same key and the same request (method, path and query, body) gets the stored
response again; the same key with a different request is a 422. Keys belong to the API
key that sent them, so two curators cannot collide.

Concurrent requests with one key are serialised on the key's row: the first inserts it before it
does anything else, and the others' insert waits for that transaction to end (PostgreSQL's row
lock, SQLite's write lock). They then find the stored response and replay it, or, if the first
failed and stored nothing, go on as the first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Response, g, request
from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.errors import ClientError
from api.models import IdempotencyRecord

LIFETIME = timedelta(hours=24)
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")
MAX_KEY_LENGTH = 200


def _request_hash() -> str:
    return hashlib.sha256(
        b"\n".join([request.method.encode(), request.full_path.encode(), request.get_data()])
    ).hexdigest()


def _claim(session: Session, actor: str, key: str, now: datetime) -> bool:
    """Insert this key's row unless it exists (waiting for a concurrent insert to end); True if
    this request inserted it and so runs. ON CONFLICT DO NOTHING leaves the transaction usable,
    and RETURNING says whether a row went in (psycopg's rowcount does not, here)."""
    table = IdempotencyRecord.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    claim = (
        dialect.insert(table)
        .values(
            actor=actor, key=key, request_hash=_request_hash(), status=0, body="", headers={}, created_at=now
        )
        .on_conflict_do_nothing(index_elements=["actor", "key"])
    )
    return session.execute(claim.returning(table.c.key)).first() is not None


def idempotent(session: Session, respond: Callable[[], Response]) -> Response:
    """``respond()``, or the response stored for this request's Idempotency-Key."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return respond()
    if not 0 < len(key) <= MAX_KEY_LENGTH:
        raise ClientError(400, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    actor, now = g.api_key.name, datetime.now(UTC)
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - LIFETIME))
    if not _claim(session, actor, key, now):
        stored = session.get(IdempotencyRecord, (actor, key))
        if stored is None or stored.status == 0:
            # expired and purged between the two statements, or not committed: cannot replay yet
            raise ClientError(409, "A request with this Idempotency-Key is in progress; retry shortly.")
        if stored.request_hash != _request_hash():
            raise ClientError(422, "This Idempotency-Key was used for a different request.")
        replay = Response(stored.body, status=stored.status, headers=stored.headers)
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    response = respond()
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.actor == actor, IdempotencyRecord.key == key)
        .values(
            status=response.status_code,
            body=response.get_data(as_text=True),
            headers={h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers},
        )
    )
    return response
