"""The change feed and item histories, read from the revisions table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Revision


def revision_dict(revision: Revision) -> dict[str, Any]:
    return {
        "seq": str(revision.id),
        "collection": revision.collection,
        "id": revision.item_id,
        "action": revision.action,
        "actor": revision.actor,
        "at": revision.at,
        "data": revision.data,
    }


MAX_SEQ = 2**31 - 1  # revisions.id is a 4-byte integer on PostgreSQL


def list_changes(session: Session, *, since: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Revisions after ``since`` in order, and the cursor to continue from (the last one seen)."""
    since = min(since, MAX_SEQ)  # a cursor past every revision means: nothing new yet
    rows = session.scalars(
        select(Revision).where(Revision.id > since).order_by(Revision.id).limit(limit)
    ).all()
    return [revision_dict(r) for r in rows], rows[-1].id if rows else since


def item_revisions(session: Session, *, collection: str, item_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Revision)
        .where(Revision.collection == collection, Revision.item_id == item_id)
        .order_by(Revision.id)
    )
    return [revision_dict(r) for r in rows]
