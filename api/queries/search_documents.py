"""The text of each item's search document: what `/v1/search` and `q=` match against.

Articles: title and lead (when the body lacks them), then the body. Statements: their text.
Entities: name, aliases and description; events: title, summary and evidence, joined by
:data:`SEPARATOR`. ``ids`` limits the documents built (None: every live item).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.models import Article, Entity, EntityAlias, Event, EventEvidence, Statement

SEPARATOR = " · "


def only(stmt: Select[Any], column: Any, ids: Collection[str] | None) -> Select[Any]:
    return stmt if ids is None else stmt.where(column.in_(ids))


def article_texts(session: Session, ids: Collection[str] | None) -> dict[str, str]:
    rows = session.scalars(only(select(Article).where(Article.deleted_at.is_(None)), Article.id, ids))
    texts = {}
    for article in rows:
        extra = [part for part in (article.title, article.lead) if part and part not in article.body]
        texts[article.id] = "\n".join([*extra, article.body])
    return texts


def _texts_by_owner(
    session: Session, owner: Any, text: Any, order: Any, ids: Collection[str] | None
) -> defaultdict[str, list[str]]:
    """The ``text`` column of child rows (aliases, evidence spans) per owning item, in ``order``."""
    grouped: defaultdict[str, list[str]] = defaultdict(list)
    for item_id, value in session.execute(only(select(owner, text), owner, ids).order_by(owner, order)):
        grouped[item_id].append(value)
    return grouped


def statement_texts(session: Session, ids: Collection[str] | None) -> dict[str, str]:
    stmt = only(select(Statement.id, Statement.text).where(Statement.deleted_at.is_(None)), Statement.id, ids)
    return dict(session.execute(stmt).all())


def entity_texts(session: Session, ids: Collection[str] | None) -> dict[str, str]:
    aliases = _texts_by_owner(session, EntityAlias.entity_id, EntityAlias.alias, EntityAlias.alias, ids)
    rows = session.scalars(only(select(Entity).where(Entity.deleted_at.is_(None)), Entity.id, ids))
    return {
        e.id: SEPARATOR.join(
            [e.name, *dict.fromkeys(aliases[e.id]), *([e.description] if e.description else [])]
        )
        for e in rows
    }


def event_texts(session: Session, ids: Collection[str] | None) -> dict[str, str]:
    evidence = _texts_by_owner(session, EventEvidence.event_id, EventEvidence.text, EventEvidence.id, ids)
    rows = session.scalars(only(select(Event).where(Event.deleted_at.is_(None)), Event.id, ids))
    return {
        e.id: SEPARATOR.join([e.title, *([e.summary] if e.summary else []), *evidence[e.id]]) for e in rows
    }
