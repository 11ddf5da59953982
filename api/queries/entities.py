"""Entity lists and items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from api.models import Article, Entity, EntityAlias, Event, EventParticipant, Mention, Statement
from api.queries.paging import SortKey
from api.queries.search import search_filter
from api.queries.shapes import Found, Linked, article_summary, event_summary, grouped_by
from api.queries.statements import statement_summaries_where

TIE_BREAK = SortKey(Entity.id)
SORTS: dict[str, list[SortKey]] = {
    "name": [SortKey(Entity.name)],
    "type": [SortKey(Entity.type)],
    "id": [TIE_BREAK],
}


def filtered_entities(session: Session, filters: dict[str, Any]) -> Select[Any]:
    stmt = select(Entity).where(Entity.deleted_at.is_(None))
    if filters.get("updated_since"):
        stmt = stmt.where(Entity.updated_at > filters["updated_since"])
    if filters.get("q"):
        stmt = stmt.where(search_filter(session, "entity", filters["q"], Entity.id))
    if filters.get("type"):
        stmt = stmt.where(Entity.type.in_(filters["type"]))
    if filters.get("status"):
        stmt = stmt.where(Entity.status.in_(filters["status"]))
    if filters.get("article"):
        mentioned = select(Mention.entity_id).where(Mention.article_id.in_(filters["article"]))
        stmt = stmt.where(Entity.id.in_(mentioned))
    return stmt


def _aliases(session: Session, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    return grouped_by(
        session,
        EntityAlias,
        "entity_id",
        ids,
        lambda row: {"alias": row.alias, "language": row.language, "in_text": row.in_text},
        EntityAlias.in_text.desc(),
        EntityAlias.alias,
        EntityAlias.language,
    )


def _counts(session: Session, ids: Sequence[str]) -> dict[str, dict[str, int]]:
    counts = {i: {"mentions": 0, "articles": 0, "statements": 0, "events": 0} for i in ids}
    if not ids:
        return counts
    mentions = session.execute(
        select(Mention.entity_id, func.count(), func.count(distinct(Mention.article_id)))
        .join(Article, Article.id == Mention.article_id)
        .where(Mention.entity_id.in_(ids), Article.deleted_at.is_(None))
        .group_by(Mention.entity_id)
    )
    for entity_id, n_mentions, n_articles in mentions:
        counts[entity_id]["mentions"] = n_mentions
        counts[entity_id]["articles"] = n_articles
    statements = session.execute(
        select(Statement.speaker_id, func.count())
        .where(Statement.speaker_id.in_(ids), Statement.deleted_at.is_(None))
        .group_by(Statement.speaker_id)
    )
    for entity_id, n in statements:
        counts[entity_id]["statements"] = n
    events = session.execute(
        select(EventParticipant.entity_id, func.count(distinct(EventParticipant.event_id)))
        .join(Event, Event.id == EventParticipant.event_id)
        .where(EventParticipant.entity_id.in_(ids), Event.deleted_at.is_(None))
        .group_by(EventParticipant.entity_id)
    )
    for entity_id, n in events:
        counts[entity_id]["events"] = n
    return counts


def entity_links(session: Session, rows: Sequence[Any]) -> Linked:
    """What an entity's row does not hold: its aliases, external ids and counts."""
    ids = [row.id for row in rows]
    aliases, counts = _aliases(session, ids), _counts(session, ids)
    return {
        "aliases": {i: aliases.get(i, []) for i in ids},
        "external_ids": {row.id: {"wikidata": row.wikidata} for row in rows},
        "counts": counts,
    }


def get_entity(session: Session, *, entity_id: str) -> Found | None:
    """The entity's row, its linked values and its ``related`` summaries (or None)."""
    entity = session.scalar(select(Entity).where(Entity.id == entity_id, Entity.deleted_at.is_(None)))
    if entity is None:
        return None
    events = session.scalars(
        select(Event)
        .where(
            Event.deleted_at.is_(None),
            Event.id.in_(select(EventParticipant.event_id).where(EventParticipant.entity_id == entity_id)),
        )
        .order_by(Event.date_start, Event.id)
    )
    articles = session.execute(
        select(Article, func.count(Mention.id))
        .join(Mention, Mention.article_id == Article.id)
        .where(Mention.entity_id == entity_id, Article.deleted_at.is_(None))
        .group_by(Article.id)
        .order_by(Article.published_start, Article.id)
    )
    related = {
        "statements": statement_summaries_where(session, Statement.speaker_id == entity_id),
        "events": [event_summary(e) for e in events],
        "articles": [{**article_summary(a), "mentions": n} for a, n in articles],
    }
    return Found(entity, entity_links(session, [entity]), related)


def merged_target(session: Session, entity_id: str) -> str | None:
    """The entity a merged id now redirects to (None when it was not merged)."""
    return session.scalar(select(Entity.merged_into).where(Entity.id == entity_id))


def entity_spellings(session: Session) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """Every live entity as ``(id, name, type, aliases)``, by id: what names are matched against."""
    aliases: dict[str, list[str]] = defaultdict(list)
    spelled = select(EntityAlias.entity_id, EntityAlias.alias).order_by(
        EntityAlias.entity_id, EntityAlias.alias
    )
    for entity_id, alias in session.execute(spelled):
        aliases[entity_id].append(alias)
    entities = session.scalars(select(Entity).where(Entity.deleted_at.is_(None)).order_by(Entity.id))
    return [(e.id, e.name, e.type, tuple(aliases[e.id])) for e in entities]
