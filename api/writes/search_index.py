"""Keeps ``search_documents`` in step with the data: one document per live item.

Every write path calls :func:`sync_search_index` inside its transaction, for the items it
touched (or for everything, as the seed loader does); the backend-specific index (FTS5
table or tsvector column) follows ``search_documents`` by itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from api.models import Article, Entity, EntityAlias, Event, EventEvidence, SearchDocument, Statement
from api.search_text import terms

DOC_TYPES = ("article", "entity", "statement", "event")
SEPARATOR = " · "


def _only(stmt: Select[Any], column: Any, ids: Collection[str] | None) -> Select[Any]:
    return stmt if ids is None else stmt.where(column.in_(ids))


def _article_texts(session: Session, ids: Collection[str] | None) -> dict[str, str]:
    rows = session.scalars(_only(select(Article).where(Article.deleted_at.is_(None)), Article.id, ids))
    texts = {}
    for article in rows:
        extra = [part for part in (article.title, article.lead) if part and part not in article.body]
        texts[article.id] = "\n".join([*extra, article.body])
    return texts


def _statement_texts(session: Session, ids: Collection[str] | None) -> dict[str, str]:
    stmt = _only(
        select(Statement.id, Statement.text).where(Statement.deleted_at.is_(None)), Statement.id, ids
    )
    return dict(session.execute(stmt).all())


def _entity_texts(session: Session, ids: Collection[str] | None) -> dict[str, str]:
    aliases: dict[str, list[str]] = defaultdict(list)
    alias_rows = _only(select(EntityAlias.entity_id, EntityAlias.alias), EntityAlias.entity_id, ids)
    for entity_id, alias in session.execute(alias_rows.order_by(EntityAlias.entity_id, EntityAlias.alias)):
        aliases[entity_id].append(alias)
    rows = session.scalars(_only(select(Entity).where(Entity.deleted_at.is_(None)), Entity.id, ids))
    return {
        e.id: SEPARATOR.join(
            [e.name, *dict.fromkeys(aliases[e.id]), *([e.description] if e.description else [])]
        )
        for e in rows
    }


def _event_texts(session: Session, ids: Collection[str] | None) -> dict[str, str]:
    evidence: dict[str, list[str]] = defaultdict(list)
    spans = _only(select(EventEvidence.event_id, EventEvidence.text), EventEvidence.event_id, ids)
    for event_id, text in session.execute(spans.order_by(EventEvidence.event_id, EventEvidence.id)):
        evidence[event_id].append(text)
    rows = session.scalars(_only(select(Event).where(Event.deleted_at.is_(None)), Event.id, ids))
    return {
        e.id: SEPARATOR.join([e.title, *([e.summary] if e.summary else []), *evidence[e.id]]) for e in rows
    }


BUILDERS = {
    "article": _article_texts,
    "entity": _entity_texts,
    "statement": _statement_texts,
    "event": _event_texts,
}


def sync_search_index(
    session: Session, doc_type: str | None = None, ids: Collection[str] | None = None
) -> int:
    """Insert, update or remove documents so they match the live items; returns the changes."""
    changes = 0
    for kind in [doc_type] if doc_type else DOC_TYPES:
        wanted = BUILDERS[kind](session, ids)
        existing_rows = select(SearchDocument).where(SearchDocument.doc_type == kind)
        existing = {d.item_id: d for d in session.scalars(_only(existing_rows, SearchDocument.item_id, ids))}
        for item_id, content in wanted.items():
            document = existing.get(item_id)
            if document is None:
                session.add(
                    SearchDocument(
                        doc_type=kind, item_id=item_id, content=content, terms=" ".join(terms(content))
                    )
                )
                changes += 1
            elif document.content != content:
                document.content = content
                document.terms = " ".join(terms(content))
                changes += 1
        stale = [item_id for item_id in existing if item_id not in wanted]
        if stale:
            session.execute(
                delete(SearchDocument).where(
                    SearchDocument.doc_type == kind, SearchDocument.item_id.in_(stale)
                )
            )
            changes += len(stale)
    session.flush()
    return changes
