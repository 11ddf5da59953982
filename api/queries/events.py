"""Event lists and items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.models import Article, Event, EventEvidence, EventParticipant, Statement
from api.queries.paging import Listing, SortKey
from api.queries.resolve import entity_ids_named
from api.queries.search import search_filter
from api.queries.shapes import article_summary, entity_summaries, fuzzy, grouped_by, overlapping
from api.queries.statements import statement_summaries_where

_ID = SortKey(Event.id)
SORTS: dict[str, list[SortKey]] = {"date": [SortKey(Event.date_start, "date")], "id": [_ID]}


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


def event_dicts(session: Session, events: Sequence[Event]) -> list[dict[str, Any]]:
    ids = [e.id for e in events]
    participants, evidence = _participants(session, ids), _evidence(session, ids)
    return [
        {
            "id": event.id,
            "type": event.type,
            "status": event.status,
            "confidence": event.confidence,
            "title": event.title,
            "summary": event.summary,
            "date": fuzzy(event.date_value, event.date_precision, event.date_note),
            "location": event.location_id,
            "planned": event.planned,
            "participants": participants.get(event.id, []),
            "evidence": evidence.get(event.id, []),
            "created_at": event.created_at,
            "updated_at": event.updated_at,
        }
        for event in events
    ]


LISTING = Listing(filtered_events, SORTS, _ID, event_dicts)


def get_event(session: Session, *, event_id: str) -> dict[str, Any] | None:
    event = session.scalar(select(Event).where(Event.id == event_id, Event.deleted_at.is_(None)))
    if event is None:
        return None
    item = event_dicts(session, [event])[0]
    entities = entity_summaries(session, [event.location_id, *(p["entity"] for p in item["participants"])])
    article_ids = sorted({span["article"] for span in item["evidence"]})
    articles = session.scalars(
        select(Article)
        .where(Article.id.in_(article_ids), Article.deleted_at.is_(None))
        .order_by(Article.published_start, Article.id)
    )
    item["related"] = {
        "participants": [
            {**entities[p["entity"]], "role": p["role"]}
            for p in item["participants"]
            if p["entity"] in entities
        ],
        "location": entities.get(event.location_id) if event.location_id else None,
        "articles": [article_summary(a) for a in articles],
        "statements": statement_summaries_where(session, Statement.event_id == event.id),
    }
    return item
