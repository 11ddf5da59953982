"""Counts the database keeps as rows change (table ``live_counts``, triggers of migration 0011):
the live rows of each collection's table, and per value of each single-valued facet column. A
list with no filter reads its count and those facets here, a one-row or top-``size`` read,
instead of counting its rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, false, select
from sqlalchemy.orm import Session

from api.models import LiveCount
from api.queries import Prepared, run

ROWS = "*"  # the column_name of a table's count of live rows

_ROWS = Prepared(
    select(LiveCount.count).where(
        LiveCount.table_name == bindparam("table_name"),
        LiveCount.column_name == ROWS,
        LiveCount.value == "",
        LiveCount.is_null == false(),
    )
)


def _top_values(value_order: Any) -> Prepared:
    """The ``size`` most frequent values of one column: by count, NULL last, then ``value_order``."""
    return Prepared(
        select(LiveCount.value, LiveCount.is_null, LiveCount.count)
        .where(
            LiveCount.table_name == bindparam("table_name"),
            LiveCount.column_name == bindparam("column_name"),
            LiveCount.count > 0,
        )
        .order_by(LiveCount.count.desc(), LiveCount.is_null, value_order)
        .limit(bindparam("size"))
    )


# values in code point order on both: SQLite compares text as bytes, PostgreSQL does with "C"
_TOP_VALUES = {
    "sqlite": _top_values(LiveCount.value),
    "postgresql": _top_values(LiveCount.value.collate("C")),
}


def live_rows(session: Session, table: str) -> int:
    """The number of live rows of ``table`` (one of the four collections' tables)."""
    return run(session, _ROWS, table_name=table).scalar() or 0


def top_values(session: Session, table: str, column: str, size: int) -> tuple[list[tuple[Any, int]], int]:
    """The ``size`` most frequent values of ``column`` among the live rows of ``table`` with their
    counts, most frequent first, NULL (None) after the other values of its count, then by code
    point; and the count of the live rows left out."""
    statement = _TOP_VALUES[session.get_bind().dialect.name]
    rows = run(session, statement, table_name=table, column_name=column, size=size)
    shown = [(None if row.is_null else row.value, row.count) for row in rows]
    return shown, live_rows(session, table) - sum(count for _, count in shown)
