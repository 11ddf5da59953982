"""Curators' writes on the four collections: one transaction each, with history.

Every write validates the whole item with the checks the seed files pass (``api.checks``:
spans must be the article text at their offsets, references must name live items), so the
API cannot store what ``flask seed`` would refuse. A PATCH is applied to the current item
and the result validated as a whole, like a POST.

Concurrency: a change states the ETag it read (If-Match). The row is then updated with a
compare-and-set on ``updated_at``, so of two writers holding the same ETag exactly one
succeeds and the other gets 412, on SQLite and PostgreSQL alike, without table locks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from api.checks import Checker, SeedRows, read_article, read_entity, read_event, read_statement
from api.collections import Child, Collection
from api.errors import ClientError
from api.models import (
    Article,
    DatasetState,
    Entity,
)
from api.queries.articles import article_with_text
from api.queries.lookups import live_article_bodies, live_entity_types, live_event_types
from api.queries.statements import has_live_statements
from api.representation import representation_etag
from api.writes.history import record_changes
from api.writes.search_index import sync_search_index

RESERVED_IDS = ("resolve",)  # sub-paths of /v1/entities
# in place of an If-Match: for a server-side step inside the transaction that read the item
UNCONDITIONAL = object()


def _read_entity(
    session: Session, item_id: str, doc: dict[str, Any], check: Checker, rows: SeedRows, row: Any
) -> None:
    read_entity("", {**doc, "id": item_id}, check, rows)


def _read_article(
    session: Session, item_id: str, doc: dict[str, Any], check: Checker, rows: SeedRows, row: Any
) -> None:
    source_file = row.source_file if row is not None else None
    entity_type = live_entity_types(session)
    read_article(
        "", {**doc, "id": item_id}, doc["body"], check, rows, entity_type=entity_type, source_file=source_file
    )


def _read_statement(
    session: Session, item_id: str, doc: dict[str, Any], check: Checker, rows: SeedRows, row: Any
) -> None:
    fields = {k: v for k, v in doc.items() if k != "article"}
    read_statement(
        "",
        doc["article"],
        fields,
        check,
        rows,
        article_body=live_article_bodies(session),
        entity_type=live_entity_types(session),
        event_type=live_event_types(session),
    )


def _read_event(
    session: Session, item_id: str, doc: dict[str, Any], check: Checker, rows: SeedRows, row: Any
) -> None:
    read_event(
        "",
        {**doc, "id": item_id},
        check,
        rows,
        entity_type=live_entity_types(session),
        article_body=live_article_bodies(session),
    )


# how each collection's item is checked (api.checks, with live rows to refer to)
_CHECKS: dict[str, Callable[[Session, str, dict[str, Any], Checker, SeedRows, Any], None]] = {
    "entities": _read_entity,
    "articles": _read_article,
    "statements": _read_statement,
    "events": _read_event,
}


def _validated(
    session: Session, resource: Collection, item_id: str, doc: dict[str, Any], row: Any
) -> tuple[dict[str, Any], dict[Child, list[dict[str, Any]]]]:
    """The item's own column values and its child rows, or a 422 naming every problem."""
    check, rows = Checker(), SeedRows()
    _CHECKS[resource.name](session, item_id, doc, check, rows, row)
    if check.found:
        raise ClientError(
            422,
            f"The {resource.singular} is not valid: " + "; ".join(check.problems),
            errors=check.by_place(),
        )
    (values,) = getattr(rows, resource.name)
    values = {**values, "id": item_id}
    children = {
        child: [{**r, child.owner: item_id} for r in getattr(rows, child.table)]
        for child in resource.children
    }
    return values, children


def _replace_children(
    session: Session,
    item_id: str,
    children: dict[Child, list[dict[str, Any]]],
    confidence: float | None,
    child_confidence: Mapping[str, float] | None = None,
) -> None:
    for child, rows in children.items():
        owner = getattr(child.model, child.owner)
        kept: dict[str, float | None] = {}
        if hasattr(child.model, "confidence"):  # a curator's edit keeps the pipeline's confidence
            kept = dict(
                session.execute(select(child.model.id, child.model.confidence).where(owner == item_id)).all()
            )
            for r in rows:
                r["confidence"] = (child_confidence or {}).get(r["id"], kept.get(r["id"], confidence))
        session.execute(delete(child.model).where(owner == item_id))
        if rows:
            session.execute(insert(child.model), rows)


def _after_change(session: Session, resource: Collection, item_ids: list[str], actor: str) -> None:
    session.flush()
    sync_search_index(session, resource.singular, item_ids)
    record_changes(session, actor=actor, collection=resource.name, ids=item_ids)
    bump_version(session)


def bump_version(session: Session) -> None:
    session.execute(update(DatasetState).where(DatasetState.id == 1).values(version=DatasetState.version + 1))


def fetched(session: Session, resource: Collection, item_id: str) -> dict[str, Any]:
    item = resource.fetch(session, item_id)
    assert item is not None, f"{resource.singular} {item_id} was just written"
    return item


def _refuse_same_text(session: Session, content_hash: str) -> None:
    """409 when a live article already has this text: one text, one article."""
    twin = article_with_text(session, content_hash=content_hash)
    if twin is not None:
        raise ClientError(
            409, f"This text is already the article {twin!r}.", errors={"body": [f"same text as {twin}"]}
        )


def create_item(
    session: Session,
    resource: Collection,
    *,
    data: dict[str, Any],
    actor: str,
    confidence: float | None = None,
    child_confidence: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Insert a new item (POST); ``confidence`` marks rows proposed by the extraction pipeline.

    Every ClientError is raised before anything is written, so a caller may skip the item
    and go on in the same transaction.
    """
    item_id = resource.new_id(data)
    if resource.model is Entity and item_id in RESERVED_IDS:
        raise ClientError(
            422, f"{item_id!r} is reserved for /v1/entities/{item_id}.", errors={"id": ["reserved"]}
        )
    existing = session.get(resource.model, item_id)
    if existing is not None:
        state = "retired (an admin can restore it)" if existing.deleted_at else "in use"
        raise ClientError(
            409, f"The {resource.singular} id {item_id!r} is {state}.", errors={"id": [f"already {state}"]}
        )
    values, children = _validated(session, resource, item_id, data, None)
    if resource.model is Article:
        _refuse_same_text(session, values["content_hash"])
    now = datetime.now(UTC)
    if hasattr(resource.model, "confidence"):
        values["confidence"] = confidence
    session.add(resource.model(**values, created_at=now, updated_at=now, deleted_at=None))
    session.flush()
    _replace_children(session, item_id, children, confidence, child_confidence)
    _after_change(session, resource, [item_id], actor)
    return fetched(session, resource, item_id)


def _current(
    session: Session, resource: Collection, item_id: str, if_match: Any
) -> tuple[Any, dict[str, Any]]:
    """The live row and its item, once ``if_match`` is known to name its current ETag."""
    row = session.get(resource.model, item_id)
    if row is None:
        raise ClientError(404, f"No {resource.singular} with id {item_id!r}.")
    # a missing precondition is named before the state of the item: a change without If-Match
    # is a 428 whether or not the item was retired meanwhile
    if if_match is not UNCONDITIONAL and not if_match:
        raise ClientError(
            428, f"Send If-Match with the {resource.singular}'s current ETag (from a GET) to change it."
        )
    if row.deleted_at is not None:
        raise ClientError(410, f"The {resource.singular} {item_id!r} was retired.")
    if if_match is UNCONDITIONAL:
        return row, fetched(session, resource, item_id)
    item = fetched(session, resource, item_id)
    if not if_match.contains(representation_etag(item)) and not if_match.star_tag:
        raise ClientError(
            412, f"The {resource.singular} changed since that ETag was read: GET it again, then retry."
        )
    return row, item


def compare_and_set(session: Session, resource: Collection, row: Any, values: dict[str, Any]) -> None:
    model = resource.model
    result = session.execute(
        update(model)
        .where(model.id == row.id, model.updated_at == row.updated_at)
        .values(**values, updated_at=datetime.now(UTC))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ClientError(
            412,
            f"The {resource.singular} changed while this request was being served: GET it again, then retry.",
        )
    session.expire(row)


def patch_item(
    session: Session,
    resource: Collection,
    *,
    item_id: str,
    changes: dict[str, Any],
    if_match: Any,
    actor: str,
    child_confidence: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Apply a JSON merge patch (the fields given replace the current ones), checked as a whole."""
    row, item = _current(session, resource, item_id, if_match)
    values, children = _validated(session, resource, item_id, {**resource.to_input(item), **changes}, row)
    compare_and_set(session, resource, row, values)
    _replace_children(session, item_id, children, None, child_confidence)
    _after_change(session, resource, [item_id], actor)
    return fetched(session, resource, item_id)


def retire_item(session: Session, resource: Collection, *, item_id: str, if_match: Any, actor: str) -> None:
    """Soft delete: the item leaves the lists and answers 410; its rows and history stay."""
    row, _item = _current(session, resource, item_id, if_match)
    if resource.model is Article and has_live_statements(session, article_id=item_id):
        raise ClientError(409, f"The article {item_id!r} still has live statements: retire them first.")
    compare_and_set(session, resource, row, {"deleted_at": datetime.now(UTC)})
    _after_change(session, resource, [item_id], actor)


def restore_item(session: Session, resource: Collection, *, item_id: str, actor: str) -> dict[str, Any]:
    row = session.get(resource.model, item_id)
    if row is None:
        raise ClientError(404, f"No {resource.singular} with id {item_id!r}.")
    if row.deleted_at is None:
        raise ClientError(409, f"The {resource.singular} {item_id!r} is not retired.")
    if getattr(row, "merged_into", None):
        raise ClientError(409, f"The {resource.singular} {item_id!r} was merged into {row.merged_into!r}.")
    if resource.model is Article:
        _refuse_same_text(session, row.content_hash)
    compare_and_set(session, resource, row, {"deleted_at": None})
    _after_change(session, resource, [item_id], actor)
    return fetched(session, resource, item_id)
