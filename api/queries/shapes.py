"""Row → dict shapes shared by the resource queries (the summaries of PRODUCT.md §4)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from api.fuzzy_dates import bounds
from api.models import Article, Entity, Event, Statement
from api.queries import Prepared, run

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
        # the row attribute of every field (a linked field takes the id's place until filled)
        self._columns = tuple(
            "id"
            if f.kind == LINKED
            else f"{f.column or f.name}_value"
            if f.kind == FUZZY
            else f.column or f.name
            for f in fields
        )
        self._fuzzy = tuple(
            (f.name, tuple(f"{f.column or f.name}_{part}" for part in ("value", "precision", "note")))
            for f in fields
            if f.kind == FUZZY
        )
        self._linked = tuple(f.name for f in fields if f.kind == LINKED)
        self._by_attribute = self._getters(attrgetter, lambda name: name)
        self._by_position: dict[tuple[str, ...], tuple[Any, ...]] = {}

    def _getters(self, getter: Callable[..., Any], where: Callable[[str], Any]) -> tuple[Any, ...]:
        """One C-level getter for every field, one per fuzzy date and one for the id."""
        return (
            getter(*(where(c) for c in self._columns)),
            [(name, getter(*(where(c) for c in parts))) for name, parts in self._fuzzy],
            getter(where("id")),
        )

    def _plan(self, row: Any) -> tuple[Any, ...]:
        """Getters by position for a result row (read ~25x faster than by attribute), made once
        per result shape; getters by attribute for anything else (an ORM instance)."""
        keys = getattr(row, "_fields", None)
        if keys is None:
            return self._by_attribute
        plan = self._by_position.get(keys)
        if plan is None:
            plan = self._by_position[keys] = self._getters(itemgetter, keys.index)
        return plan

    def many(self, rows: Sequence[Any], linked: Linked) -> list[dict[str, Any]]:
        """The items of ``rows`` (of one result), with the linked values of their ids."""
        if not rows:
            return []
        columns, fuzzy, row_id = self._plan(rows[0])
        names, linked_values = self._names, [(name, linked[name]) for name in self._linked]
        items = []
        for row in rows:
            item = dict(zip(names, columns(row), strict=True))
            for name, parts in fuzzy:
                value, precision, note = parts(row)
                item[name] = None if value is None else {"value": value, "precision": precision, "note": note}
            for name, values in linked_values:
                item[name] = values[row_id(row)]
            items.append(item)
        return items

    def __call__(self, row: Any, linked: Linked) -> dict[str, Any]:
        return self.many([row], linked)[0]


class Found(NamedTuple):
    """An item as its query finds it: the collection's shape makes the body, plus ``related``."""

    row: Any
    linked: Linked
    related: dict[str, Any]
    # the dataset version, when the item's query read it in the same statement (None otherwise)
    dataset_version: int | None = None


_GROUPED: dict[tuple[Any, ...], Prepared] = {}


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
    The statement is built once per (model, owner, order) with the ids as one expanding parameter.
    """
    found: dict[str, list[Any]] = defaultdict(list)
    if ids:
        key = (model, owner, *order_by)
        stmt = _GROUPED.get(key)
        if stmt is None:
            column = getattr(model, owner)
            stmt = Prepared(
                select(*model.__table__.columns)
                .where(column.in_(bindparam("owner_ids", expanding=True)))
                .order_by(column, *order_by)
            )
            _GROUPED[key] = stmt
        rows = run(session, stmt, owner_ids=list(ids)).all()
        if rows:
            owner_of = itemgetter(rows[0]._fields.index(owner))
            for row in rows:
                found[owner_of(row)].append(shape(row))
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


SummaryFunction = TypeVar("SummaryFunction", bound=Callable[[Any], dict[str, Any]])


def reads(*columns: str) -> Callable[[SummaryFunction], SummaryFunction]:
    """Declares the columns a summary reads (``summary.columns``): a query made for summaries
    alone selects those, not the whole row (an article's body)."""

    def mark(summary: SummaryFunction) -> SummaryFunction:
        summary.columns = columns  # type: ignore[attr-defined]
        return summary

    return mark


@reads("id", "type", "name")
def entity_summary(entity: Entity) -> dict[str, Any]:
    return {"id": entity.id, "type": entity.type, "name": entity.name}


@reads("id", "title", "published_value", "published_precision", "published_note")
def article_summary(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "published": fuzzy(article.published_value, article.published_precision, article.published_note),
    }


@reads("id", "type", "title", "date_value", "date_precision", "date_note", "planned")
def event_summary(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "title": event.title,
        "date": fuzzy(event.date_value, event.date_precision, event.date_note),
        "planned": event.planned,
    }


@reads("id", "kind", "speaker_id", "text", "said_on_value", "said_on_precision", "said_on_note", "article_id")
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
