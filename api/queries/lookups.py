"""Live rows by id, for the checks of a write: what a reference in a written item may name.

Each function returns a lookup for ``api.checks`` (id → value, None when there is no live
item with that id). A lookup selects an id the first time it is asked and remembers the
answer, so make one per validation: an item naming one entity ten times costs one SELECT.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.models import Article, Entity, Event


def live_entity_types(session: Session) -> Callable[[str], str | None]:
    """Entity id → its type, for live (not retired) entities."""
    return _live(session, Entity.type)


def live_article_bodies(session: Session) -> Callable[[str], str | None]:
    """Article id → its body, for live articles."""
    return _live(session, Article.body)


def live_event_types(session: Session) -> Callable[[str], str | None]:
    """Event id → its type, for live events."""
    return _live(session, Event.type)


def _live(session: Session, column: InstrumentedAttribute[Any]) -> Callable[[str], Any]:
    model = column.class_

    @cache
    def lookup(item_id: str) -> Any:
        return session.scalar(select(column).where(model.id == item_id, model.deleted_at.is_(None)))

    return lookup
