"""Idempotency-Key on POST: the first response is kept 24 hours and replayed for a retry.

A retry with the same key and the same request (method, path and query, body) gets the stored
response again; the same key with a different request is a 422. Keys belong to the API
key that sent them, so two curators cannot collide.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Response, g, request
from sqlalchemy import delete
from sqlalchemy.orm import Session

from api.models import IdempotencyRecord
from api.problems import ClientError

LIFETIME = timedelta(hours=24)
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")
MAX_KEY_LENGTH = 200


def _request_hash() -> str:
    return hashlib.sha256(
        b"\n".join([request.method.encode(), request.full_path.encode(), request.get_data()])
    ).hexdigest()


def idempotent(session: Session, respond: Callable[[], Response]) -> Response:
    """``respond()``, or the response stored for this request's Idempotency-Key."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return respond()
    if not 0 < len(key) <= MAX_KEY_LENGTH:
        raise ClientError(400, f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters.")
    actor, now = g.api_key.name, datetime.now(UTC)
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < now - LIFETIME))
    stored = session.get(IdempotencyRecord, (actor, key))
    if stored is not None:
        if stored.request_hash != _request_hash():
            raise ClientError(422, "This Idempotency-Key was used for a different request.")
        replay = Response(stored.body, status=stored.status, headers=stored.headers)
        replay.headers["Idempotent-Replayed"] = "true"
        return replay
    response = respond()
    session.add(
        IdempotencyRecord(
            actor=actor,
            key=key,
            request_hash=_request_hash(),
            status=response.status_code,
            body=response.get_data(as_text=True),
            headers={h: response.headers[h] for h in REPLAYED_HEADERS if h in response.headers},
            created_at=now,
        )
    )
    return response
