"""Keyset pagination: the one place lists are sorted, counted, cut into pages and resumed.

A cursor is the sort order and the sort-key values of the last row of the previous page,
base64url-encoded JSON. Resuming is a range condition on the sort keys, so a deep page
costs what the first one costs.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import ColumnElement, Select, and_, bindparam, false, func, inspect, or_, select, tuple_
from sqlalchemy.orm import Session

from api.errors import ClientError
from api.queries import Prepared, run
from api.queries.live_counts import live_rows

V = TypeVar("V")


@dataclass(frozen=True, eq=False)
class SortKey:
    """A sortable expression (never NULL) and how its values travel in a cursor."""

    expression: ColumnElement[Any]
    kind: str = "str"  # str | int | float | date
    always_ascending: bool = False  # e.g. "undated last" whatever the direction asked


class VersionedCache(Generic[V]):
    """Values computed from the data at one dataset version, reused until the data changes.

    The data changes only through writes, which bump the dataset version; a value keyed by
    its version is therefore valid for as long as that version is current. Least recently
    used values are dropped past ``size`` entries. One per process, shared by its threads.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[tuple[Any, ...], V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: tuple[Any, ...], value: V) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


# exact counts per filter and version
COUNTS: VersionedCache[int] = VersionedCache(4096)


def versioned_key(session: Session, version: str | None, *parts: Any) -> tuple[Any, ...] | None:
    """The key of a value read from this session's database at dataset ``version`` (None when
    no version is known: nothing is then kept). The database's URL is part of it: tests run
    several databases in one process, each with its own version 1."""
    return None if version is None else (session.get_bind().engine.url, version, *parts)


@dataclass(frozen=True)
class Listing:
    """How one collection's list is filtered, sorted and shaped: the one list function."""

    filtered: Callable[[Session, dict[str, Any]], Select[Any]]
    sorts: dict[str, list[SortKey]]
    tie_break: SortKey
    shape: Callable[[Session, Sequence[Any]], list[dict[str, Any]]]
    # the table whose live rows the list holds when it has no filter: their count is then read
    # from the counts the database keeps (api.queries.live_counts)
    table: str | None = None

    def filtered_once(self, session: Session, filters: dict[str, Any]) -> Callable[[], Select[Any]]:
        """The filtered SELECT, built on the first call only (a cache hit never builds it)."""
        built: list[Select[Any]] = []

        def filtered() -> Select[Any]:
            if not built:
                built.append(self.filtered(session, filters))
            return built[0]

        return filtered

    def page(
        self,
        session: Session,
        *,
        filters: dict[str, Any],
        sort: str,
        limit: int,
        cursor: str | None,
        with_count: bool = True,
        version: str | None = None,
    ) -> Page:
        """One page. With ``version`` (the dataset version read in this session), the count and
        the page's SELECT are taken from :data:`COUNTS` and :data:`PAGE_QUERIES` when this filter
        was counted and this page's query built at this version already: a page read again
        builds no SQL statement. Without a filter, the count is the one the database keeps."""
        dialect = session.get_bind().dialect.name
        filter_key = repr(sorted(filters.items()))
        filtered = self.filtered_once(session, filters)
        count = -1
        if with_count:
            count_key = versioned_key(session, version, id(self), filter_key)
            if filters or self.table is None:
                count = counted(lambda: count_rows(session, filtered()), count_key)
            else:
                count = counted(partial(live_rows, session, self.table), count_key)
        key = versioned_key(session, version, id(self), filter_key, sort, limit, bool(cursor))
        query = None if key is None else PAGE_QUERIES.get(key)
        if query is None:
            keys = sort_keys(sort, self.sorts, self.tie_break)
            query = page_query(filtered(), keys, limit, resumed=bool(cursor), dialect=dialect)
            if key is not None:
                PAGE_QUERIES.put(key, query)
        page = read_page(session, query, sort=sort, limit=limit, cursor=cursor, count=count)
        return replace(page, items=self.shape(session, page.items))


@dataclass(frozen=True)
class Page:
    items: list[Any]
    count: int
    next_cursor: str | None
    limit: int
    sort_values: list[tuple[Any, ...]] = field(default_factory=list)  # per item, its sort keys


def sort_keys(sort: str, sorts: dict[str, list[SortKey]], tie_break: SortKey) -> list[tuple[SortKey, bool]]:
    """Keys for ``sort`` (``-`` prefix = descending), with ``tie_break`` last."""
    descending = sort.startswith("-")
    chosen = sorts[sort.lstrip("-")]
    keys = [(key, descending and not key.always_ascending) for key in chosen]
    if not any(key is tie_break for key in chosen):
        keys.append((tie_break, descending))
    return keys


def encode_cursor(sort: str, values: list[Any]) -> str:
    payload = [sort, *(v.isoformat() if isinstance(v, date) else v for v in values)]
    return base64.urlsafe_b64encode(orjson.dumps(payload)).rstrip(b"=").decode()


# Integer sort keys are 4-byte integer columns on PostgreSQL: a larger value in a forged cursor
# would fail there as "integer out of range" rather than be compared.
INT_RANGE = range(-(2**31), 2**31)


def _invalid_cursor(reason: str) -> ClientError:
    return ClientError(
        400,
        f"Invalid request: parameter 'cursor': {reason} Use meta.next_cursor of the previous page.",
        errors={"cursor": [reason]},
    )


def decode_cursor(cursor: str, sort: str, keys: list[tuple[SortKey, bool]]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = orjson.loads(raw)
    except (binascii.Error, ValueError):
        raise _invalid_cursor("Not a cursor issued by this API.") from None
    if not isinstance(payload, list) or len(payload) != len(keys) + 1:
        raise _invalid_cursor("Not a cursor issued by this API.")
    if payload[0] != sort:
        raise _invalid_cursor(f"The cursor was issued for sort={payload[0]!r}, not {sort!r}.")
    values: list[Any] = []
    for (key, _descending), value in zip(keys, payload[1:], strict=True):
        try:
            if key.kind == "date":
                values.append(date.fromisoformat(value))
            elif key.kind in ("int", "float"):
                allowed = (int, float) if key.kind == "float" else (int,)
                if not isinstance(value, allowed) or isinstance(value, bool):
                    raise TypeError
                if key.kind == "int" and value not in INT_RANGE:
                    raise ValueError
                values.append(float(value) if key.kind == "float" else value)
            else:
                # PostgreSQL text cannot hold NUL; no value this API issues contains one
                if not isinstance(value, str) or "\x00" in value:
                    raise TypeError
                values.append(value)
        except (TypeError, ValueError):
            raise _invalid_cursor("Not a cursor issued by this API.") from None
    return values


def _after(keys: list[tuple[SortKey, bool]]) -> ColumnElement[bool]:
    """Rows strictly after the cursor's values, bound as ``after_0``, ``after_1``… in the order
    of ``keys``.

    When every key goes the same way this is one row-value comparison, which both databases
    answer with a range scan of an index on the keys: a deep page costs what the first costs.
    """
    bound = [bindparam(f"after_{i}", type_=key.expression.type) for i, (key, _) in enumerate(keys)]
    if len({descending for _, descending in keys}) == 1:
        row = tuple_(*(key.expression for key, _ in keys))
        return row < tuple_(*bound) if keys[0][1] else row > tuple_(*bound)
    clauses = []
    for index, (key, descending) in enumerate(keys):
        equal = [k.expression == b for (k, _), b in zip(keys[:index], bound[:index], strict=True)]
        beyond = key.expression < bound[index] if descending else key.expression > bound[index]
        clauses.append(and_(*equal, beyond))
    return or_(false(), *clauses)


def count_rows(session: Session, stmt: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def counted(count: Callable[[], int], key: tuple[Any, ...] | None) -> int:
    """``count()``: kept in :data:`COUNTS` under ``key`` (a :func:`versioned_key`) when given, and
    reused from there (``count`` is then not called)."""
    known = None if key is None else COUNTS.get(key)
    if known is None:
        known = count()
        if key is not None:
            COUNTS.put(key, known)
    return known


_loaded_columns: dict[Any, list[Any]] = {}


def loaded_columns(entity: Any) -> list[Any]:
    """The table columns an ORM entity loads (not its deferred ones), in the ORM's order: selected
    as plain rows, the same SQL and values as the entity, without ORM instances or identity map."""
    columns = _loaded_columns.get(entity)
    if columns is None:
        columns = [attr.columns[0] for attr in inspect(entity).column_attrs if not attr.deferred]
        _loaded_columns[entity] = columns
    return columns


def plain_rows(stmt: Select[Any]) -> Select[Any]:
    """``stmt`` selecting the :func:`loaded_columns` of its one ORM entity, as plain rows that the
    shapes read by attribute all the same. Any other ``stmt`` is returned as it is."""
    described = stmt.column_descriptions
    if len(described) != 1:
        return stmt
    entity = described[0]["entity"]
    if entity is None or described[0]["expr"] is not entity:
        return stmt
    return stmt.with_only_columns(*loaded_columns(entity))


@dataclass(frozen=True)
class PageQuery:
    """The SELECT of one page of a filtered list, built once: its rows sorted by ``keys``, after
    the cursor's values (bound as ``after_0``… when ``resumed``), ``limit + 1`` of them."""

    prepared: Prepared  # the SELECT, compiled once per dialect
    keys: list[tuple[SortKey, bool]]
    whole_rows: bool  # the rows are the items (plain rows of an ORM entity's columns)


# built page queries per (listing, database, dataset version, filters, sort, limit, resumed)
PAGE_QUERIES: VersionedCache[PageQuery] = VersionedCache(1024)


def page_query(
    stmt: Select[Any], keys: list[tuple[SortKey, bool]], limit: int, *, resumed: bool, dialect: str
) -> PageQuery:
    """The page of ``stmt`` ordered by ``keys`` (the last key must be unique).

    When ``stmt`` selects one ORM entity, the items are plain rows of its loaded columns (read
    by attribute, as the instances were), not ORM instances.
    """
    plain = plain_rows(stmt)
    whole_rows, stmt = plain is not stmt, plain
    if dialect == "postgresql":
        # byte order, as SQLite's BINARY: the same order on both, whatever the database locale
        keys = [
            (SortKey(k.expression.collate("C"), k.kind, k.always_ascending) if k.kind == "str" else k, d)
            for k, d in keys
        ]
    if resumed:
        stmt = stmt.where(_after(keys))
    labelled = [key.expression.label(f"sort_key_{i}") for i, (key, _) in enumerate(keys)]
    order = [key.expression.desc() if desc else key.expression.asc() for key, desc in keys]
    page = stmt.add_columns(*labelled).order_by(*order).limit(limit + 1)
    return PageQuery(Prepared(page), keys, whole_rows)


def read_page(
    session: Session, query: PageQuery, *, sort: str, limit: int, cursor: str | None, count: int
) -> Page:
    """Run ``query`` after ``cursor`` (checked against the query's sort keys)."""
    params = {}
    if cursor:
        params = {f"after_{i}": v for i, v in enumerate(decode_cursor(cursor, sort, query.keys))}
    if query.whole_rows:  # plain rows on the DBAPI cursor: no ORM result handling
        rows = run(session, query.prepared, **params).all()
    else:
        rows = session.execute(query.prepared.stmt, params).all()
    # a plain row is the item itself (its sort_key_* columns are extra attributes nobody reads)
    items = list(rows[:limit]) if query.whole_rows else [row[0] for row in rows[:limit]]
    width = len(query.keys)
    sort_values = [tuple(row[len(row) - width :]) for row in rows[:limit]]
    next_cursor = encode_cursor(sort, list(sort_values[-1])) if len(rows) > limit else None
    return Page(items=items, count=count, next_cursor=next_cursor, limit=limit, sort_values=sort_values)
