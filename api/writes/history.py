"""Revisions: every change of an article, entity, statement or event, kept forever.

Writers call :func:`record_changes` inside their transaction with the items they may have
touched; it compares each item's current shape with its last revision and appends a
revision where they differ (``create``, ``update``) or where the item is gone (``delete``).
The shape is the list item (for articles, with their mentions) without what other items
change (timestamps, counts). A merged entity's last revision is a ``merge`` naming its target.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Article, Entity, Event, Revision, Statement
from api.queries.articles import article_dicts, mentions_by_article
from api.queries.entities import entity_dicts
from api.queries.events import event_dicts
from api.queries.statements import statement_dicts

VOLATILE = ("created_at", "updated_at", "counts")
GONE = ("delete", "merge")  # actions after which an item is no longer served


def _articles_with_mentions(session: Session, articles: Sequence[Article]) -> list[dict[str, Any]]:
    """Articles as listed, plus their mentions: a curator's edit of a mention is a change too."""
    mentions = mentions_by_article(session, [a.id for a in articles])
    return [{**item, "mentions": mentions.get(item["id"], [])} for item in article_dicts(session, articles)]


SHAPES: dict[str, tuple[Any, Callable[[Session, Sequence[Any]], list[dict[str, Any]]]]] = {
    "articles": (Article, _articles_with_mentions),
    "entities": (Entity, entity_dicts),
    "statements": (Statement, statement_dicts),
    "events": (Event, event_dicts),
}


def _shape(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in VOLATILE}


def _last_revisions(session: Session, collection: str, ids: Collection[str] | None) -> dict[str, Revision]:
    latest = select(func.max(Revision.id)).where(Revision.collection == collection).group_by(Revision.item_id)
    if ids is not None:
        latest = latest.where(Revision.item_id.in_(ids))
    return {r.item_id: r for r in session.scalars(select(Revision).where(Revision.id.in_(latest)))}


def record_changes(
    session: Session, *, actor: str, collection: str | None = None, ids: Collection[str] | None = None
) -> int:
    """Append a revision for each item (of ``collection``, or all) whose shape changed."""
    now = datetime.now(UTC)
    written = 0
    for name in [collection] if collection else SHAPES:
        model, shape = SHAPES[name]
        stmt = select(model).where(model.deleted_at.is_(None))
        if ids is not None:
            stmt = stmt.where(model.id.in_(ids))
        current = {item["id"]: _shape(item) for item in shape(session, session.scalars(stmt).all())}
        last = _last_revisions(session, name, ids)
        for item_id, data in current.items():
            previous = last.get(item_id)
            if previous is None or previous.action in GONE or previous.data != data:
                action = "update" if previous is not None and previous.action not in GONE else "create"
                session.add(
                    Revision(collection=name, item_id=item_id, action=action, actor=actor, at=now, data=data)
                )
                written += 1
        for item_id, previous in last.items():
            if item_id not in current and previous.action not in GONE:
                session.add(
                    Revision(
                        collection=name, item_id=item_id, action="delete", actor=actor, at=now, data=None
                    )
                )
                written += 1
    session.flush()
    return written
