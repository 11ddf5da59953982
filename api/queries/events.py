"""Event lists and items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.models import Article, Event, EventEvidence, EventParticipant, Statement
from api.queries.paging import SortKey
from api.queries.resolve import entity_ids_named
from api.queries.search import search_filter
from api.queries.shapes import Found, Linked, article_summary, entity_summaries, grouped_by, overlapping
from api.queries.statements import statement_summaries_where

TIE_BREAK = SortKey(Event.id)
SORTS: dict[str, list[SortKey]] = {"date": [SortKey(Event.date_start, "date")], "id": [TIE_BREAK]}


def filtered_events(session: Session, filters: dict[str, Any]) -> Select[Any]:
    stmt = select(Event).where(Event.deleted_at.is_(None))
    if filters.get("updated_since"):
        stmt = stmt.where(Event.updated_at > filters["updated_since"])
    if filters.get("q"):
        stmt = stmt.where(search_filter(session, "event", filters["q"], Event.id))
    if filters.get("type"):
        stmt = stmt.where(Event.type.in_(filters["type"]))
    if filters.get("status"):
        stmt = stmt.where(Event.status.in_(filters["status"]))
    if filters.get("location"):
        stmt = stmt.where(Event.location_id.in_(filters["location"]))
    if filters.get("planned") is not None:
        stmt = stmt.where(Event.planned.is_(filters["planned"]))
    for key in ("participant", "participant_name"):
        if filters.get(key):
            wanted = filters[key] if key == "participant" else entity_ids_named(session, filters[key])
            participants = select(EventParticipant.event_id).where(EventParticipant.entity_id.in_(wanted))
            stmt = stmt.where(Event.id.in_(participants))
    if filters.get("article"):
        reported = select(EventEvidence.event_id).where(EventEvidence.article_id.in_(filters["article"]))
        stmt = stmt.where(Event.id.in_(reported))
    return overlapping(
        stmt, Event.date_start, Event.date_end, filters.get("date_from"), filters.get("date_to")
    )


def _participants(session: Session, ids: Sequence[str]) -> dict[str, list[dict[str, str]]]:
    return grouped_by(
        session,
        EventParticipant,
        "event_id",
        ids,
        lambda row: {"entity": row.entity_id, "role": row.role},
        EventParticipant.entity_id,
        EventParticipant.role,
    )


def _evidence(session: Session, ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    return grouped_by(
        session,
        EventEvidence,
        "event_id",
        ids,
        lambda row: {"article": row.article_id, "start": row.start, "end": row.end, "text": row.text},
        EventEvidence.article_id,
        EventEvidence.start,
    )


def event_links(session: Session, rows: Sequence[Any]) -> Linked:
    """What an event's row does not hold: its participants and evidence spans."""
    ids = [row.id for row in rows]
    participants, evidence = _participants(session, ids), _evidence(session, ids)
    return {
        "participants": {i: participants.get(i, []) for i in ids},
        "evidence": {i: evidence.get(i, []) for i in ids},
    }


def get_event(session: Session, *, event_id: str) -> Found | None:
    """The event's row, its linked values and its ``related`` summaries (or None)."""
    event = session.scalar(select(Event).where(Event.id == event_id, Event.deleted_at.is_(None)))
    if event is None:
        return None
    linked = event_links(session, [event])
    participants, evidence = linked["participants"][event_id], linked["evidence"][event_id]
    entities = entity_summaries(session, [event.location_id, *(p["entity"] for p in participants)])
    article_ids = sorted({span["article"] for span in evidence})
    articles = session.scalars(
        select(Article)
        .where(Article.id.in_(article_ids), Article.deleted_at.is_(None))
        .order_by(Article.published_start, Article.id)
    )
    related = {
        "participants": [
            {**entities[p["entity"]], "role": p["role"]} for p in participants if p["entity"] in entities
        ],
        "location": entities.get(event.location_id) if event.location_id else None,
        "articles": [article_summary(a) for a in articles],
        "statements": statement_summaries_where(session, Statement.event_id == event.id),
    }
    return Found(event, linked, related)
