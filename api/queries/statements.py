"""Statement lists and items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.models import Article, Event, Statement, StatementAbout
from api.queries.paging import Listing, SortKey
from api.queries.resolve import entity_ids_named
from api.queries.search import search_filter
from api.queries.shapes import (
    article_summary,
    entity_summaries,
    event_summary,
    fuzzy,
    grouped_by,
    overlapping,
    statement_summary,
)

_ID = SortKey(Statement.id)
SORTS: dict[str, list[SortKey]] = {
    # generated columns, indexed with the id (migration 0008): undated last, then by date
    "said_on": [
        SortKey(Statement.said_on_rank, "int", always_ascending=True),
        SortKey(Statement.said_on_sort, "date"),
    ],
    "id": [_ID],
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


def statement_dict(statement: Statement, about: list[str]) -> dict[str, Any]:
    return {
        "id": statement.id,
        "kind": statement.kind,
        "status": statement.status,
        "confidence": statement.confidence,
        "text": statement.text,
        "article": statement.article_id,
        "start": statement.start,
        "end": statement.end,
        "speaker": statement.speaker_id,
        "said_on": fuzzy(statement.said_on_value, statement.said_on_precision, statement.said_on_note),
        "about": about,
        "event": statement.event_id,
        "channel": statement.channel_id,
        "created_at": statement.created_at,
        "updated_at": statement.updated_at,
    }


def statement_dicts(session: Session, statements: Sequence[Statement]) -> list[dict[str, Any]]:
    about = about_by_statement(session, [s.id for s in statements])
    return [statement_dict(s, about.get(s.id, [])) for s in statements]


LISTING = Listing(filtered_statements, SORTS, _ID, statement_dicts)
list_statements = LISTING.page


def get_statement(session: Session, *, statement_id: str) -> dict[str, Any] | None:
    statement = session.scalar(
        select(Statement).where(Statement.id == statement_id, Statement.deleted_at.is_(None))
    )
    if statement is None:
        return None
    about = about_by_statement(session, [statement.id]).get(statement.id, [])
    entities = entity_summaries(session, [statement.speaker_id, statement.channel_id, *about])
    article = session.get(Article, statement.article_id)
    event = session.get(Event, statement.event_id) if statement.event_id else None
    item = statement_dict(statement, about)
    item["related"] = {
        "speaker": entities.get(statement.speaker_id),
        "article": article_summary(article) if article else None,
        "about": [entities[e] for e in about if e in entities],
        "event": event_summary(event) if event else None,
        "channel": entities.get(statement.channel_id) if statement.channel_id else None,
    }
    return item


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
