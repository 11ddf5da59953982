"""Ids derived from content, so rows without a written id keep theirs across reloads."""

from __future__ import annotations

import hashlib
import re

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def derived_id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"{prefix}-{digest[:16]}"


def statement_id(article_id: str, start: int, end: int) -> str:
    return derived_id("st", article_id, start, end)


def mention_id(article_id: str, entity_id: str, start: int, end: int) -> str:
    return derived_id("m", article_id, entity_id, start, end)


def evidence_id(event_id: str, article_id: str, start: int, end: int) -> str:
    return derived_id("ev", event_id, article_id, start, end)


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()
