"""Article lists and items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.models import Article, ArticleCitedOutlet, Entity, Event, EventEvidence, Mention, Statement
from api.queries.paging import SortKey
from api.queries.resolve import entity_ids_named
from api.queries.search import search_filter
from api.queries.shapes import Found, Linked, entity_summary, event_summary, grouped_by, overlapping
from api.queries.statements import statement_summaries_where

TIE_BREAK = SortKey(Article.id)
SORTS: dict[str, list[SortKey]] = {
    "published": [SortKey(Article.published_start, "date")],
    "title": [SortKey(Article.title)],
    "id": [TIE_BREAK],
}


def filtered_articles(session: Session, filters: dict[str, Any]) -> Select[Any]:
    stmt = select(Article).where(Article.deleted_at.is_(None))
    if filters.get("updated_since"):
        stmt = stmt.where(Article.updated_at > filters["updated_since"])
    if filters.get("q"):
        stmt = stmt.where(search_filter(session, "article", filters["q"], Article.id))
    if filters.get("language"):
        stmt = stmt.where(Article.language.in_(filters["language"]))
    if filters.get("outlet"):
        stmt = stmt.where(Article.outlet_id.in_(filters["outlet"]))
    for key in ("entity", "entity_name"):
        if filters.get(key):
            wanted = filters[key] if key == "entity" else entity_ids_named(session, filters[key])
            mentioning = select(Mention.article_id).where(Mention.entity_id.in_(wanted))
            stmt = stmt.where(Article.id.in_(mentioning))
    return overlapping(
        stmt,
        Article.published_start,
        Article.published_end,
        filters.get("published_from"),
        filters.get("published_to"),
    )


def _cited(session: Session, ids: Sequence[str]) -> dict[str, list[str]]:
    return grouped_by(
        session,
        ArticleCitedOutlet,
        "article_id",
        ids,
        lambda row: row.entity_id,
        ArticleCitedOutlet.entity_id,
    )


def mentions_by_article(session: Session, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Mentions of each article, in text order."""
    return grouped_by(
        session,
        Mention,
        "article_id",
        ids,
        lambda m: {
            "entity": m.entity_id,
            "start": m.start,
            "end": m.end,
            "text": m.text,
            "status": m.status,
            "confidence": m.confidence,
        },
        Mention.start,
        Mention.entity_id,
    )


def article_links(session: Session, rows: Sequence[Any]) -> Linked:
    """What an article's row does not hold: the outlets it cites."""
    ids = [row.id for row in rows]
    cited = _cited(session, ids)
    return {"cited_outlets": {i: cited.get(i, []) for i in ids}}


def get_article(session: Session, *, article_id: str) -> Found | None:
    """The article's row, its linked values and its ``related`` summaries (or None)."""
    article = session.scalar(select(Article).where(Article.id == article_id, Article.deleted_at.is_(None)))
    if article is None:
        return None
    entities = session.execute(
        select(Entity, func.count(Mention.id))
        .join(Mention, Mention.entity_id == Entity.id)
        .where(Mention.article_id == article_id)
        .group_by(Entity.id)
        .order_by(func.min(Mention.start), Entity.id)
    )
    events = session.scalars(
        select(Event)
        .where(
            Event.deleted_at.is_(None),
            Event.id.in_(select(EventEvidence.event_id).where(EventEvidence.article_id == article_id)),
        )
        .order_by(Event.date_start, Event.id)
    )
    related = {
        "entities": [{**entity_summary(e), "mentions": n} for e, n in entities],
        "mentions": mentions_by_article(session, [article_id])[article_id],
        "statements": statement_summaries_where(session, Statement.article_id == article_id),
        "events": [event_summary(e) for e in events],
    }
    return Found(article, article_links(session, [article]), related)


def article_with_text(session: Session, *, content_hash: str) -> str | None:
    """The id of the live article whose text has this hash, if any (one text, one article)."""
    return session.scalar(
        select(Article.id).where(Article.content_hash == content_hash, Article.deleted_at.is_(None))
    )


def stored_article_with_text(session: Session, *, content_hash: str) -> Any:
    """The article (live first, else retired) whose text has this hash: ``(id, deleted_at)``, or None."""
    return session.execute(
        select(Article.id, Article.deleted_at)
        .where(Article.content_hash == content_hash)
        .order_by(Article.deleted_at.is_not(None), Article.id)
    ).first()
