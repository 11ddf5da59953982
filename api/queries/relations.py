"""The entities connected to an entity through events, statements and articles."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import CompoundSelect, case, func, literal, or_, select, union
from sqlalchemy.orm import Session

from api.models import Article, Entity, Event, EventParticipant, Mention, Statement, StatementAbout
from api.queries.shapes import entity_summary

LINKS = ("events", "statements", "articles")


def _links(entity_id: str) -> CompoundSelect:
    """Distinct ``(related_id, link, link_id)`` rows: what connects each entity to ``entity_id``.

    An event connects everyone involved in it (participants and location); a statement its
    speaker and the entities it is about; an article the entities it mentions. Only live
    events, statements and articles count; ``entity_id`` itself is left out.
    """
    own_events = select(Event.id).where(
        Event.deleted_at.is_(None),
        or_(
            Event.location_id == entity_id,
            Event.id.in_(select(EventParticipant.event_id).where(EventParticipant.entity_id == entity_id)),
        ),
    )
    own_articles = (
        select(Mention.article_id)
        .join(Article, Article.id == Mention.article_id)
        .where(Mention.entity_id == entity_id, Article.deleted_at.is_(None))
    )
    about_it = select(StatementAbout.statement_id).where(StatementAbout.entity_id == entity_id)
    return union(
        select(EventParticipant.entity_id, literal("events"), EventParticipant.event_id).where(
            EventParticipant.event_id.in_(own_events), EventParticipant.entity_id != entity_id
        ),
        select(Event.location_id, literal("events"), Event.id).where(
            Event.id.in_(own_events), Event.location_id != entity_id
        ),
        # this entity spoke about others
        select(StatementAbout.entity_id, literal("statements"), Statement.id)
        .join(Statement, Statement.id == StatementAbout.statement_id)
        .where(
            Statement.speaker_id == entity_id,
            Statement.deleted_at.is_(None),
            StatementAbout.entity_id != entity_id,
        ),
        # others spoke about this entity
        select(Statement.speaker_id, literal("statements"), Statement.id).where(
            Statement.id.in_(about_it), Statement.deleted_at.is_(None), Statement.speaker_id != entity_id
        ),
        select(Mention.entity_id, literal("articles"), Mention.article_id).where(
            Mention.article_id.in_(own_articles), Mention.entity_id != entity_id
        ),
    )


def entity_relations(
    session: Session, *, entity_id: str, types: list[str] | None, min_total: int, limit: int
) -> dict[str, Any] | None:
    """Live entities connected to ``entity_id``, most connected first; None if it does not exist."""
    entity = session.scalar(select(Entity).where(Entity.id == entity_id, Entity.deleted_at.is_(None)))
    if entity is None:
        return None
    links = _links(entity_id).subquery("links")
    related_id, link, link_id = links.c
    per_link = [func.sum(case((link == name, 1), else_=0)).label(name) for name in LINKS]
    stmt = (
        select(Entity, *per_link, func.count().label("total"))
        .join(links, related_id == Entity.id)
        .where(Entity.deleted_at.is_(None))
        .group_by(Entity.id)
        .having(func.count() >= min_total)
    )
    if types:
        stmt = stmt.where(Entity.type.in_(types))
    # sorted here rather than in SQL: ids in code-point order on every backend
    ranked = sorted(session.execute(stmt).all(), key=lambda row: (-row.total, row.Entity.id))
    chosen = ranked[:limit]
    ids: dict[str, dict[str, list[str]]] = defaultdict(lambda: {name: [] for name in LINKS})
    if chosen:
        rows = session.execute(
            select(related_id, link, link_id).where(related_id.in_([row.Entity.id for row in chosen]))
        )
        for other, name, linked in rows:
            ids[other][name].append(linked)
    return {
        "entity": entity_summary(entity),
        "data": [
            {
                "entity": entity_summary(row.Entity),
                "counts": {**{name: getattr(row, name) for name in LINKS}, "total": row.total},
                **{name: sorted(ids[row.Entity.id][name]) for name in LINKS},
            }
            for row in chosen
        ],
        "meta": {"count": len(ranked), "limit": limit},
    }
