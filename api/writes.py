"""Curators' writes: one transaction each, optimistic concurrency, history, search index.

Concurrency: a write states the ETag it read (If-Match). The row is then updated with a
compare-and-set on ``updated_at``, so of two writers holding the same ETag exactly one
succeeds and the other gets 412, on SQLite and PostgreSQL alike, without table locks.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from api.history import record_changes
from api.jsonio import OPTIONS
from api.models import DatasetState, Entity, EntityAlias
from api.problems import ClientError
from api.queries.entities import get_entity
from api.search_index import sync_search_index
from api.text import fold

RESERVED_IDS = ("resolve",)  # sub-paths of /v1/entities


def representation_etag(item: dict[str, Any]) -> str:
    """The ETag a GET of ``item`` carries (the SHA-256 of the JSON body)."""
    return hashlib.sha256(orjson.dumps(item, option=OPTIONS)).hexdigest()[:32]


def _bump_version(session: Session) -> None:
    session.execute(update(DatasetState).where(DatasetState.id == 1).values(version=DatasetState.version + 1))


def _after_change(session: Session, entity_id: str, actor: str) -> None:
    session.flush()
    sync_search_index(session, "entity", [entity_id])
    record_changes(session, actor=actor, collection="entities", ids=[entity_id])
    _bump_version(session)


def _replace_aliases(session: Session, entity_id: str, aliases: list[dict[str, Any]]) -> None:
    session.execute(delete(EntityAlias).where(EntityAlias.entity_id == entity_id))
    seen: set[tuple[str, str]] = set()
    for alias in aliases:
        key = (alias["alias"], alias["language"])
        if key in seen:
            raise ClientError(
                422,
                f"Alias {alias['alias']!r} ({alias['language']}) is listed twice.",
                errors={"aliases": ["duplicate alias"]},
            )
        seen.add(key)
        session.add(EntityAlias(entity_id=entity_id, normalized=fold(alias["alias"]), **alias))


def create_entity(session: Session, *, data: dict[str, Any], actor: str) -> dict[str, Any]:
    if data["id"] in RESERVED_IDS:
        raise ClientError(
            422, f"{data['id']!r} is reserved for /v1/entities/{data['id']}.", errors={"id": ["reserved"]}
        )
    existing = session.get(Entity, data["id"])
    if existing is not None:
        state = "retired (an admin can restore it)" if existing.deleted_at else "in use"
        raise ClientError(
            409, f"The entity id {data['id']!r} is {state}.", errors={"id": [f"already {state}"]}
        )
    now = datetime.now(UTC)
    session.add(
        Entity(
            id=data["id"],
            name=data["name"],
            name_normalized=fold(data["name"]),
            type=data["type"],
            description=data.get("description"),
            wikidata=data.get("wikidata"),
            created_at=now,
            updated_at=now,
            deleted_at=None,
        )
    )
    session.flush()
    _replace_aliases(session, data["id"], data.get("aliases", []))
    _after_change(session, data["id"], actor)
    item = get_entity(session, entity_id=data["id"])
    assert item is not None
    return item


def _current(session: Session, entity_id: str, if_match: Any) -> tuple[Entity, dict[str, Any]]:
    """The live entity and its item, once ``if_match`` is known to name its current ETag."""
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise ClientError(404, f"No entity with id {entity_id!r}.")
    if entity.deleted_at is not None:
        raise ClientError(410, f"The entity {entity_id!r} was retired.")
    if not if_match:
        raise ClientError(428, "Send If-Match with the entity's current ETag (from a GET) to change it.")
    item = get_entity(session, entity_id=entity_id)
    assert item is not None
    if not if_match.contains(representation_etag(item)) and not if_match.star_tag:
        raise ClientError(412, "The entity changed since that ETag was read: GET it again, then retry.")
    return entity, item


def _compare_and_set(session: Session, entity: Entity, values: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    result = session.execute(
        update(Entity)
        .where(Entity.id == entity.id, Entity.updated_at == entity.updated_at)
        .values(**values, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ClientError(
            412, "The entity changed while this request was being served: GET it again, then retry."
        )
    session.expire(entity)


def patch_entity(
    session: Session, *, entity_id: str, changes: dict[str, Any], if_match: Any, actor: str
) -> dict[str, Any]:
    entity, _item = _current(session, entity_id, if_match)
    values = {k: v for k, v in changes.items() if k in ("name", "type", "description", "wikidata")}
    if "name" in values:
        values["name_normalized"] = fold(values["name"])
    _compare_and_set(session, entity, values)
    if "aliases" in changes:
        _replace_aliases(session, entity_id, changes["aliases"])
    _after_change(session, entity_id, actor)
    item = get_entity(session, entity_id=entity_id)
    assert item is not None
    return item


def retire_entity(session: Session, *, entity_id: str, if_match: Any, actor: str) -> None:
    entity, _item = _current(session, entity_id, if_match)
    _compare_and_set(session, entity, {"deleted_at": datetime.now(UTC)})
    _after_change(session, entity_id, actor)


def restore_entity(session: Session, *, entity_id: str, actor: str) -> dict[str, Any]:
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise ClientError(404, f"No entity with id {entity_id!r}.")
    if entity.deleted_at is None:
        raise ClientError(409, f"The entity {entity_id!r} is not retired.")
    _compare_and_set(session, entity, {"deleted_at": None})
    _after_change(session, entity_id, actor)
    item = get_entity(session, entity_id=entity_id)
    assert item is not None
    return item
