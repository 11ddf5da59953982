"""Statement lists and items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, literal, select, union_all
from sqlalchemy.orm import Session

from api.models import Article, Entity, Event, Statement, StatementAbout
from api.queries import Prepared, run
from api.queries.overview import DATASET_VERSION
from api.queries.paging import SortKey, loaded_columns
from api.queries.resolve import entity_ids_named
from api.queries.search import search_filter
from api.queries.shapes import (
    Found,
    Linked,
    Prefixed,
    article_summary,
    entity_summary,
    event_summary,
    grouped_by,
    overlapping,
    prefixed,
    statement_summary,
)

TIE_BREAK = SortKey(Statement.id)
SORTS: dict[str, list[SortKey]] = {
    # generated columns, indexed with the id (migration 0008): undated last, then by date
    "said_on": [
        SortKey(Statement.said_on_rank, "int", always_ascending=True),
        SortKey(Statement.said_on_sort, "date"),
    ],
    "id": [TIE_BREAK],
}


def filtered_statements(session: Session, filters: dict[str, Any]) -> Select[Any]:
    stmt = select(Statement).where(Statement.deleted_at.is_(None))
    if filters.get("updated_since"):
        stmt = stmt.where(Statement.updated_at > filters["updated_since"])
    if filters.get("q"):
        stmt = stmt.where(search_filter(session, "statement", filters["q"], Statement.id))
    if filters.get("speaker"):
        stmt = stmt.where(Statement.speaker_id.in_(filters["speaker"]))
    if filters.get("article"):
        stmt = stmt.where(Statement.article_id.in_(filters["article"]))
    if filters.get("event"):
        stmt = stmt.where(Statement.event_id.in_(filters["event"]))
    if filters.get("kind"):
        stmt = stmt.where(Statement.kind.in_(filters["kind"]))
    if filters.get("status"):
        stmt = stmt.where(Statement.status.in_(filters["status"]))
    if filters.get("speaker_name"):
        stmt = stmt.where(Statement.speaker_id.in_(entity_ids_named(session, filters["speaker_name"])))
    for key, ids in (("about", filters.get("about")), ("about_name", filters.get("about_name"))):
        if ids:
            wanted = ids if key == "about" else entity_ids_named(session, ids)
            about = select(StatementAbout.statement_id).where(StatementAbout.entity_id.in_(wanted))
            stmt = stmt.where(Statement.id.in_(about))
    return overlapping(
        stmt, Statement.said_on_start, Statement.said_on_end, filters.get("said_from"), filters.get("said_to")
    )


def about_by_statement(session: Session, ids: Sequence[str]) -> dict[str, list[str]]:
    return grouped_by(
        session, StatementAbout, "statement_id", ids, lambda row: row.entity_id, StatementAbout.entity_id
    )


def statement_links(session: Session, rows: Sequence[Any]) -> Linked:
    """What a statement's row does not hold: the entities it is about."""
    ids = [row.id for row in rows]
    about = about_by_statement(session, ids)
    return {"about": {i: about.get(i, []) for i in ids}}


# One statement is two queries, built once: the statement with its article and event (the
# summaries read even a retired article or event, as a statement still names it) and the dataset
# version (the response's X-Dataset-Version, read in the same statement), then every entity it
# names: those it is about (first column 1, in id order) and its speaker and channel.
_ARTICLE, _EVENT, _ENTITY = Article.__table__, Event.__table__, Entity.__table__
_STATEMENT_ITEM = Prepared(
    select(
        *loaded_columns(Statement),
        *prefixed(_ARTICLE, "a_", "id", "title", "published_value", "published_precision", "published_note"),
        *prefixed(
            _EVENT, "e_", "id", "type", "title", "date_value", "date_precision", "date_note", "planned"
        ),
        DATASET_VERSION,
    )
    .outerjoin(_ARTICLE, _ARTICLE.c.id == Statement.article_id)
    .outerjoin(_EVENT, _EVENT.c.id == Statement.event_id)
    .where(Statement.id == bindparam("statement_id"), Statement.deleted_at.is_(None))
)
_ABOUT = StatementAbout.__table__
_STATEMENT_ENTITIES = Prepared(
    union_all(
        select(literal(1).label("about"), _ENTITY.c.id, _ENTITY.c.type, _ENTITY.c.name)
        .join(_ABOUT, _ABOUT.c.entity_id == _ENTITY.c.id)
        .where(_ABOUT.c.statement_id == bindparam("statement_id")),
        select(literal(0), _ENTITY.c.id, _ENTITY.c.type, _ENTITY.c.name).where(
            _ENTITY.c.id.in_([bindparam("speaker_id"), bindparam("channel_id")])
        ),
    ).order_by("about", "id")
)


def get_statement(session: Session, *, statement_id: str) -> Found | None:
    """The statement's row, its linked values and its ``related`` summaries (or None)."""
    row = run(session, _STATEMENT_ITEM, statement_id=statement_id).first()
    if row is None:
        return None
    about: list[str] = []
    entities: dict[str, dict[str, Any]] = {}
    found = run(
        session,
        _STATEMENT_ENTITIES,
        statement_id=row.id,
        speaker_id=row.speaker_id,
        channel_id=row.channel_id,
    )
    for entity in found:
        if entity.about:
            about.append(entity.id)
        entities[entity.id] = entity_summary(entity)
    related = {
        "speaker": entities.get(row.speaker_id),
        "article": article_summary(Prefixed(row, "a_")) if row.a_id is not None else None,
        "about": [entities[e] for e in about],
        "event": event_summary(Prefixed(row, "e_")) if row.e_id is not None else None,
        "channel": entities.get(row.channel_id) if row.channel_id else None,
    }
    return Found(row, {"about": {row.id: about}}, related, row.dataset_version)


def statement_summaries_where(session: Session, *conditions: Any) -> list[dict[str, Any]]:
    """Summaries of live statements matching ``conditions``, in date order."""
    rows = session.scalars(
        select(Statement)
        .where(Statement.deleted_at.is_(None), *conditions)
        .order_by(
            Statement.said_on_start.is_(None),
            Statement.said_on_start,
            Statement.article_id,
            Statement.start,
        )
    )
    return [statement_summary(s) for s in rows]


def has_live_statements(session: Session, *, article_id: str) -> bool:
    """Whether any live statement quotes this article (it then cannot be retired)."""
    said = select(Statement.id).where(Statement.article_id == article_id, Statement.deleted_at.is_(None))
    return session.scalar(said.limit(1)) is not None
