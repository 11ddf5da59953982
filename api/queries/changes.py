"""The change feed and item histories, read from the revisions table."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, select
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


def last_revisions(session: Session, *, collection: str, ids: Collection[str] | None) -> dict[str, Revision]:
    """The latest revision of each item of ``collection`` (of ``ids`` only, when given)."""
    latest = select(func.max(Revision.id)).where(Revision.collection == collection).group_by(Revision.item_id)
    if ids is not None:
        latest = latest.where(Revision.item_id.in_(ids))
    return {r.item_id: r for r in session.scalars(select(Revision).where(Revision.id.in_(latest)))}


def live_rows(session: Session, *, model: Any, ids: Collection[str] | None) -> Sequence[Any]:
    """The live (not retired) rows of ``model`` (of ``ids`` only, when given)."""
    stmt = select(model).where(model.deleted_at.is_(None))
    if ids is not None:
        stmt = stmt.where(model.id.in_(ids))
    return session.scalars(stmt).all()
