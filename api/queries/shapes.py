"""Row → dict shapes shared by the resource queries (the summaries of PRODUCT.md §4)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from api.fuzzy_dates import bounds
from api.models import Article, Entity, Event, Statement

# how a field of an item is read from its row
PLAIN = "plain"  # one column
FUZZY = "fuzzy"  # a fuzzy date: the columns <column>_value, _precision and _note
LINKED = "linked"  # computed by the collection's query from other rows (link tables, counts)


@dataclass(frozen=True)
class Field:
    """One field of an item, in the order the API shows it."""

    name: str
    column: str | None = None  # the row attribute (PLAIN) or column prefix (FUZZY); default: ``name``
    kind: str = PLAIN
    written: bool = True  # part of the body that creates an item (and that a PATCH applies to)


# per field name, the value of each item id: what a collection's query computes beside its rows
Linked = Mapping[str, Mapping[str, Any]]


class Shape:
    """Builds items from rows, field by field, as the collection declares them."""

    def __init__(self, fields: Sequence[Field]) -> None:
        self.fields = tuple(fields)
        self._names = tuple(f.name for f in fields)
        # one C-level getter for every field (a linked field takes the id's place until filled)
        columns = [
            "id"
            if f.kind == LINKED
            else f"{f.column or f.name}_value"
            if f.kind == FUZZY
            else f.column or f.name
            for f in fields
        ]
        self._columns = attrgetter(*columns)
        self._fuzzy = [
            (f.name, attrgetter(*(f"{f.column or f.name}_{part}" for part in ("value", "precision", "note"))))
            for f in fields
            if f.kind == FUZZY
        ]
        self._linked = [f.name for f in fields if f.kind == LINKED]

    def __call__(self, row: Any, linked: Linked) -> dict[str, Any]:
        item = dict(zip(self._names, self._columns(row), strict=True))
        for name, parts in self._fuzzy:
            value, precision, note = parts(row)
            item[name] = None if value is None else {"value": value, "precision": precision, "note": note}
        for name in self._linked:
            item[name] = linked[name][row.id]
        return item


class Found(NamedTuple):
    """An item as its query finds it: the collection's shape makes the body, plus ``related``."""

    row: Any
    linked: Linked
    related: dict[str, Any]


def grouped_by(
    session: Session,
    model: Any,
    owner: str,
    ids: Collection[str],
    shape: Callable[[Any], Any],
    *order_by: Any,
) -> dict[str, list[Any]]:
    """Rows of ``model`` whose ``owner`` column is in ``ids``, shaped, grouped by owner: one query.

    Plain rows of the table's columns, not ORM objects: ``shape`` reads them by attribute all the same.
    """
    found: dict[str, list[Any]] = defaultdict(list)
    if ids:
        column = getattr(model, owner)
        stmt = select(*model.__table__.columns).where(column.in_(ids)).order_by(column, *order_by)
        for row in session.execute(stmt):
            found[getattr(row, owner)].append(shape(row))
    return found


def prefixed(table: Any, prefix: str, *names: str) -> list[Any]:
    """Columns ``names`` of ``table`` labelled ``prefix + name``, to select beside another table's."""
    return [table.c[name].label(prefix + name) for name in names]


class Prefixed:
    """The ``prefix``-labelled columns of a row (see :func:`prefixed`) read as plain attributes,
    so the summary functions take them as they take a row of their own table."""

    __slots__ = ("_prefix", "_row")

    def __init__(self, row: Any, prefix: str) -> None:
        self._row, self._prefix = row, prefix

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, self._prefix + name)


def is_retired(session: Session, model: Any, item_id: str) -> bool:
    """Whether ``item_id`` names an item that exists but was retired (soft-deleted)."""
    return (
        session.scalar(select(model.id).where(model.id == item_id, model.deleted_at.is_not(None))) is not None
    )


def overlapping(
    stmt: Select[Any], first_day: Any, last_day: Any, date_from: str | None, date_to: str | None
) -> Select[Any]:
    """Rows whose fuzzy date interval overlaps ``date_from``..``date_to`` (each YYYY[-MM[-DD]])."""
    if date_from:
        stmt = stmt.where(last_day >= bounds(date_from)[0])
    if date_to:
        stmt = stmt.where(first_day <= bounds(date_to)[1])
    return stmt


def fuzzy(value: str | None, precision: str | None, note: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"value": value, "precision": precision, "note": note}


def entity_summary(entity: Entity) -> dict[str, Any]:
    return {"id": entity.id, "type": entity.type, "name": entity.name}


def article_summary(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "published": fuzzy(article.published_value, article.published_precision, article.published_note),
    }


def event_summary(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "title": event.title,
        "date": fuzzy(event.date_value, event.date_precision, event.date_note),
        "planned": event.planned,
    }


def statement_summary(statement: Statement) -> dict[str, Any]:
    return {
        "id": statement.id,
        "kind": statement.kind,
        "speaker": statement.speaker_id,
        "text": statement.text,
        "said_on": fuzzy(statement.said_on_value, statement.said_on_precision, statement.said_on_note),
        "article": statement.article_id,
    }


def entity_summaries(session: Session, ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
    """Summaries of the given entities in one query, keyed by id."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.scalars(select(Entity).where(Entity.id.in_(wanted)))
    return {row.id: entity_summary(row) for row in rows}
