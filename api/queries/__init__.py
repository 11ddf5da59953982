"""Every read of the service: what the API answers and the lookups writes make. Functions take
the session first and never commit."""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from api.db import connection_of


class Rows:
    """What :func:`run` returns: every row, fetched at once, each a named tuple (read by
    attribute or by position, as a SQLAlchemy row is)."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        return self._rows

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise LookupError(f"expected one row, got {len(self._rows)}")
        return self._rows[0][0]


class _Compiled:
    """A statement compiled for one dialect, with what executing it on the DBAPI cursor needs."""

    def __init__(self, stmt: Executable, dialect: Dialect) -> None:
        self.compiled: SQLCompiler = stmt.compile(dialect=dialect)  # type: ignore[assignment]
        self.sql = self.compiled.string
        self.bind_processors = self.compiled._bind_processors
        # IN lists (expanding parameters, or values built into a list query) are expanded per
        # run, by SQLAlchemy's own public expansion
        self.expands = bool(self.compiled.post_compile_params)
        # the expanded SQL depends only on how many values each IN list has, unless a value is
        # rendered into the SQL itself (literal_execute): then it is expanded on every run
        self.expanding = (
            None
            if self.compiled.literal_execute_params
            else [self.compiled.bind_names[p] for p in self.compiled.post_compile_params]
        )
        self.expansions: dict[tuple[int, ...], Any] = {}
        self.positional = dialect.positional
        self.dialect = dialect
        self.types = [c.type for c in getattr(stmt, "selected_columns", ())]
        # made from the first result's description: the column names, and the type codes
        # some result processors depend on (PostgreSQL's numeric)
        self.row_type: Any = None
        self.processors: list[tuple[int, Any]] | None = None

    def statement(self, params: dict[str, Any]) -> tuple[str, Any]:
        """The SQL text and its parameters (converted by the types' bind processors)."""
        if self.expands:
            sql, values, processors, order = self._expanded(params)
        else:
            sql, values = self.sql, self.compiled.construct_params(params)
            processors, order = self.bind_processors, self.compiled.positiontup
        for name, process in processors.items():
            if name in values:
                values[name] = process(values[name])
        return sql, [values[name] for name in order or ()] if self.positional else values

    def _expanded(self, params: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any], Any]:
        """SQLAlchemy's expansion of the IN lists, made once per count of values: the SQL text
        and the names of the expanded parameters are reused, only the values are placed again."""
        sizes = None
        if self.expanding is not None:
            # the lists given now, or built into the statement (a list query's filter values)
            values = self.compiled.construct_params(params, escape_names=False, _no_postcompile=True)
            sizes = tuple(len(values[name]) for name in self.expanding)
            state = self.expansions.get(sizes)
            if state is not None:
                for name in self.expanding:
                    values.update(zip(state.parameter_expansion[name], values.pop(name), strict=True))
                return state.statement, values, state.processors, state.positiontup
        state = self.compiled.construct_expanded_state(params)
        # kept when every value of a list got a parameter of its own (not so for tuples: IN of rows)
        if sizes is not None and all(
            len(state.parameter_expansion.get(name, ())) == size
            for name, size in zip(self.expanding, sizes, strict=True)
        ):
            self.expansions[sizes] = state
        return state.statement, state.parameters, state.processors, state.positiontup

    def rows(self, description: Sequence[Any], raw: list[tuple[Any, ...]]) -> list[Any]:
        if self.row_type is None:
            processors = [
                t._cached_result_processor(self.dialect, d[1])
                for t, d in zip(self.types, description, strict=False)
            ]
            self.processors = [(i, p) for i, p in enumerate(processors) if p is not None]
            self.row_type = namedtuple("Row", [d[0] for d in description], rename=True)  # type: ignore[misc]
        make: Callable[[Any], Any] = self.row_type._make
        if not self.processors or not raw:
            return list(map(make, raw))
        # column by column, in C: only the columns that have a processor are touched
        columns: list[Any] = list(zip(*raw, strict=True))
        for i, process in self.processors:
            columns[i] = map(process, columns[i])
        return list(map(make, zip(*columns, strict=True)))


class Prepared:
    """A Core statement built once (at import, or once per cached list query), compiled once per
    database dialect and run on the DBAPI cursor of the session's connection: no statement
    construction, cache key or result object per run. Values are bound parameters; SQLAlchemy's
    own type processors convert them and the results, so rows hold what SQLAlchemy would give.

    ``planned_per_run``: on PostgreSQL, the statement is planned for its values on every run,
    never prepared. psycopg prepares a statement run five times on a connection, and PostgreSQL
    then settles on a generic plan, one for any value: for a full-text match that plan walks
    the newest documents checking each, right for a common word (330,216 matches), 15 times too
    slow for a rare one (15 matches: 50 ms instead of 3)."""

    def __init__(self, stmt: Executable, *, planned_per_run: bool = False) -> None:
        self.stmt = stmt
        self.planned_per_run = planned_per_run
        self._by_dialect: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            with self._lock:
                found = self._by_dialect.setdefault(dialect.name, _Compiled(self.stmt, dialect))
        return found


def run(session: Session, stmt: Prepared | Executable, **params: Any) -> Rows | CursorResult[Any]:
    """Execute a statement built once (values as bound parameters) on the session's connection.

    A :class:`Prepared` statement runs on the DBAPI cursor and returns :class:`Rows`; any other
    runs through SQLAlchemy. Database errors are SQLAlchemy's either way (a stalled or gone
    server is a 503)."""
    connection = connection_of(session)
    if not isinstance(stmt, Prepared):
        return connection.execute(stmt, params)
    compiled = stmt.compiled(connection.dialect)
    sql, arguments = compiled.statement(params)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if stmt.planned_per_run and connection.dialect.name == "postgresql":
            cursor.execute(sql, arguments, prepare=False)
        else:
            cursor.execute(sql, arguments)
        return Rows(compiled.rows(cursor.description, cursor.fetchall()))
    except connection.dialect.loaded_dbapi.Error as error:
        # wrapped as SQLAlchemy wraps it (OperationalError…), the connection invalidated when gone
        connection._handle_dbapi_exception(error, sql, arguments, cursor, None)
    finally:
        cursor.close()
