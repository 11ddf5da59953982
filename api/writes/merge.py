"""Entity merge: a duplicate entity folded into another, every reference moved, history kept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from api import ids
from api.collections import ENTITIES
from api.errors import ClientError
from api.models import (
    Article,
    ArticleCitedOutlet,
    Entity,
    EntityAlias,
    Event,
    EventParticipant,
    Mention,
    Revision,
    Statement,
    StatementAbout,
)
from api.writes.history import record_changes
from api.writes.items import bump_version, compare_and_set, fetched
from api.writes.search_index import sync_search_index


def _move_links(session: Session, model: Any, column: str, source: str, target: str) -> set[str]:
    """Point link rows at ``target`` instead of ``source`` (dropping those ``target`` already has)."""
    owners: set[str] = set()
    pk = [c.key for c in model.__table__.primary_key.columns]
    owner = next(key for key in pk if key != column)
    for row in session.scalars(select(model).where(getattr(model, column) == source)).all():
        owners.add(getattr(row, owner))
        twin_key = tuple(target if key == column else getattr(row, key) for key in pk)
        if session.get(model, twin_key) is not None:
            session.delete(row)
        else:
            setattr(row, column, target)
        session.flush()
    return owners


def _move_mentions(session: Session, source: str, target: str) -> None:
    """Mentions of ``source`` become mentions of ``target`` with the ids that derive from them.

    A span already mentioning ``target`` keeps that mention only; the others keep their
    status and confidence.
    """
    for mention in session.scalars(select(Mention).where(Mention.entity_id == source)).all():
        new_id = ids.mention_id(mention.article_id, target, mention.start, mention.end)
        twin = session.get(Mention, new_id)
        session.delete(mention)
        session.flush()
        if twin is None:
            session.add(
                Mention(
                    id=new_id,
                    article_id=mention.article_id,
                    entity_id=target,
                    start=mention.start,
                    end=mention.end,
                    text=mention.text,
                    status=mention.status,
                    confidence=mention.confidence,
                )
            )
    session.flush()


def _repoint(session: Session, column: Any, source: str, target: str) -> set[str]:
    """Set ``column`` to ``target`` where it is ``source``; the ids of the rows changed."""
    model = column.class_
    changed = set(session.scalars(select(model.id).where(column == source)))
    if changed:
        session.execute(
            update(model)
            .where(column == source)
            .values({column.key: target})
            .execution_options(synchronize_session=False)
        )
    return changed


def merge_entity(session: Session, *, item_id: str, into: str, actor: str) -> dict[str, Any]:
    """Merge the duplicate ``item_id`` into ``into``: every reference moves, aliases are kept.

    The duplicate is retired with ``merged_into`` set, so its id answers 308 to the target;
    earlier merges into the duplicate now point at the target too. The change feed gets a
    ``merge`` for the duplicate and an ``update`` for every item whose references moved.
    """
    resource = ENTITIES
    source = session.get(Entity, item_id)
    if source is None:
        raise ClientError(404, f"No entity with id {item_id!r}.")
    if source.merged_into:
        raise ClientError(409, f"The entity {item_id!r} was merged into {source.merged_into!r} already.")
    if source.deleted_at is not None:
        raise ClientError(410, f"The entity {item_id!r} was retired.")
    if into == item_id:
        raise ClientError(422, "An entity cannot be merged into itself.", errors={"into": ["same entity"]})
    target = session.get(Entity, into)
    if target is None or target.deleted_at is not None:
        raise ClientError(
            422, f"No live entity with id {into!r}.", errors={"into": ["unknown or retired entity"]}
        )
    touched: dict[str, set[str]] = {
        "statements": _repoint(session, Statement.speaker_id, item_id, into)
        | _repoint(session, Statement.channel_id, item_id, into)
        | _move_links(session, StatementAbout, "entity_id", item_id, into),
        "events": _repoint(session, Event.location_id, item_id, into)
        | _move_links(session, EventParticipant, "entity_id", item_id, into),
        "articles": _repoint(session, Article.outlet_id, item_id, into)
        | _move_links(session, ArticleCitedOutlet, "entity_id", item_id, into)
        | set(session.scalars(select(Mention.article_id).where(Mention.entity_id == item_id))),
    }
    _move_mentions(session, item_id, into)
    owned = {
        (a.alias, a.language)
        for a in session.scalars(select(EntityAlias).where(EntityAlias.entity_id == into))
    }
    moved = [
        {"alias": a.alias, "language": a.language, "in_text": a.in_text, "normalized": a.normalized}
        for a in session.scalars(select(EntityAlias).where(EntityAlias.entity_id == item_id))
    ]
    if (source.name, "en") not in {(a["alias"], a["language"]) for a in moved}:
        moved.append(
            {"alias": source.name, "language": "en", "in_text": False, "normalized": source.name_normalized}
        )
    new_aliases = [{**a, "entity_id": into} for a in moved if (a["alias"], a["language"]) not in owned]
    if new_aliases:
        session.execute(insert(EntityAlias), new_aliases)
    now = datetime.now(UTC)
    session.execute(update(Entity).where(Entity.merged_into == item_id).values(merged_into=into))
    compare_and_set(session, resource, source, {"deleted_at": now, "merged_into": into})
    compare_and_set(session, resource, target, {})
    session.add(
        Revision(
            collection="entities", item_id=item_id, action="merge", actor=actor, at=now, data={"into": into}
        )
    )
    session.flush()
    sync_search_index(session, "entity", [item_id, into])
    record_changes(session, actor=actor, collection="entities", ids=[into])
    for collection, changed in touched.items():
        if changed:
            record_changes(session, actor=actor, collection=collection, ids=changed)
    bump_version(session)
    return fetched(session, resource, into)
