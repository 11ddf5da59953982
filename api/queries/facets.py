"""Facet counts: how many items of the current filter have each value of a field."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from api.models import Article, Entity, Event
from api.queries.live_counts import top_values
from api.queries.paging import VersionedCache


@dataclass(frozen=True)
class Facet:
    """A field to count by: a column of the item, or a column of a link table (``owner`` → item id)."""

    column: str  # column of the item table, or of ``link``
    label: str | None = None  # "entity" | "article" | "event": look up names of the values
    link: Any = None  # link model for many-valued facets
    owner: str | None = None  # column of ``link`` holding the item id

    @property
    def many_valued(self) -> bool:
        return self.link is not None


_LABELS = {
    "entity": (Entity, Entity.name),
    "article": (Article, Article.title),
    "event": (Event, Event.title),
}


def _query_value(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value


# a facet's counts per (database, dataset version, collection, filters, facet, size), as list
# counts are: a facet over a million statements is a 100 ms scan, and its answer only changes
# with the data
FACET_COUNTS: VersionedCache[tuple[list[dict[str, Any]], int]] = VersionedCache(1024)


def facet_counts(
    session: Session,
    filtered: Callable[[], Select[Any]],
    facet: Facet,
    *,
    size: int,
    key: tuple[Any, ...] | None = None,
    table: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The ``size`` most frequent values of ``filtered()`` with their counts, and the count of the
    items left out; kept in :data:`FACET_COUNTS` under ``key`` (a versioned key) when given.

    ``table`` says that the list has no filter (its items are the live rows of that table): a
    single-valued facet is then read from the counts the database keeps
    (:mod:`api.queries.live_counts`) instead of counted."""
    known = None if key is None else FACET_COUNTS.get(key)
    if known is None:
        if table is not None and not facet.many_valued:
            known = _labelled(session, facet, *top_values(session, table, facet.column, size))
        else:
            known = _facet_counts(session, filtered(), facet, size=size)
        if key is not None:
            FACET_COUNTS.put(key, known)
    return known


def _facet_counts(
    session: Session, filtered: Select[Any], facet: Facet, *, size: int
) -> tuple[list[dict[str, Any]], int]:
    matching = filtered.subquery()
    if facet.many_valued:
        value = getattr(facet.link, facet.column)
        owner = getattr(facet.link, facet.owner)
        stmt = (
            select(value, func.count(distinct(owner))).where(owner.in_(select(matching.c.id))).group_by(value)
        )
    else:
        value = matching.c[facet.column]
        stmt = select(value, func.count()).group_by(value)
    # a boolean field is counted, shown and filtered as the query values `true` / `false`
    rows = [(_query_value(v), n) for v, n in session.execute(stmt).all()]
    rows.sort(key=lambda row: (-row[1], row[0] is None, row[0] or ""))
    shown, hidden = rows[:size], rows[size:]
    return _labelled(session, facet, shown, sum(n for _, n in hidden))


def _labelled(
    session: Session, facet: Facet, shown: list[tuple[Any, int]], other: int
) -> tuple[list[dict[str, Any]], int]:
    """The values shown, each with its label (the name of the entity, article or event it is)."""
    labels: dict[str, str] = {}
    if facet.label:
        model, name = _LABELS[facet.label]
        wanted = [v for v, _ in shown if v is not None]
        labels = (
            dict(session.execute(select(model.id, name).where(model.id.in_(wanted))).all()) if wanted else {}
        )
    values = [{"value": v, "label": labels.get(v) if facet.label else v, "count": n} for v, n in shown]
    return values, other
