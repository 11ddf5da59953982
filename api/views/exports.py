"""CSV and NDJSON: every matching item of a list, streamed page by page.

CSV flattening: a nested object becomes one column per field, named ``parent.child``
(``said_on.value``, ``counts.mentions``); a fuzzy date also gets ``parent.start`` and
``parent.end``, the first and last day it covers, for spreadsheets and charts to plot
(``2023-05`` → ``2023-05-01``, ``2023-05-31``); a list of ids is one column with the ids joined
by ``|``; a list of objects (aliases, participants, evidence) and an expanded object are
one column holding JSON (``[]`` when empty). Columns follow the documented field order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
import orjson
from flask import Response, request, stream_with_context
from sqlalchemy.orm import Session

from api.db import close_session
from api.fuzzy_dates import interval
from api.queries.paging import Page
from api.representation import OPTIONS
from schemas.common import FuzzyDateSchema

MIMETYPES = {"json": "application/json", "csv": "text/csv", "ndjson": "application/x-ndjson"}
EXPORT_PAGE = 500


def negotiated_format(explicit: str | None) -> str:
    """``format=`` wins; otherwise the Accept header may ask for CSV or NDJSON."""
    if explicit:
        return explicit
    best = request.accept_mimetypes.best_match(list(MIMETYPES.values()), default="application/json")
    return next(name for name, mimetype in MIMETYPES.items() if mimetype == best)


def every_item(
    list_items: Callable[..., Page],
    session: Session,
    filters: dict[str, Any],
    sort: str,
    cursor: str | None = None,
) -> Iterator[Any]:
    """Every matching item after ``cursor`` (all when None), following cursors (no counts).

    The first page is read now, so a bad request (a bad cursor, a malformed q) fails with a
    problem+json before the response starts.
    """

    def page(after: str | None) -> Page:
        return list_items(
            session, filters=filters, sort=sort, limit=EXPORT_PAGE, cursor=after, with_count=False
        )

    def items(current: Page) -> Iterator[Any]:
        while True:
            yield from current.items
            if current.next_cursor is None:
                return
            current = page(current.next_cursor)

    return items(page(cursor))


@dataclass(frozen=True)
class Column:
    name: str  # "said_on.value" for a field of a nested object
    json: bool  # a list of objects: always JSON text, "[]" when empty
    bound: int | None = None  # a fuzzy date's first (0) or last (1) day, computed from value and precision


def csv_columns(schema: type[ma.Schema], only: list[str] | None = None) -> list[Column]:
    columns = []
    for name, field in schema().fields.items():
        if only and name != "id" and name not in only:
            continue
        nested = getattr(field, "nested", None)
        if isinstance(field, ma.fields.Nested) and not field.many and isinstance(nested, type):
            columns.extend(Column(f"{name}.{child}", False) for child in nested().fields)
            if issubclass(nested, FuzzyDateSchema):
                columns += [Column(f"{name}.start", False, 0), Column(f"{name}.end", False, 1)]
        else:
            inner = getattr(field, "inner", None)
            columns.append(
                Column(name, isinstance(field, ma.fields.List) and isinstance(inner, ma.fields.Nested))
            )
    return columns


def _json(value: Any) -> str:
    return orjson.dumps(value, option=OPTIONS).decode()


def _cell(value: Any, as_json: bool) -> str:
    if as_json:
        return _json(value if value is not None else [])
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "|".join(value)
    # numbers, booleans, timestamps, expanded objects: their JSON text (timestamps unquoted)
    return _json(value).strip('"')


def flatten(item: dict[str, Any], columns: list[Column]) -> list[str]:
    row = []
    for column in columns:
        parent, _, child = column.name.partition(".")
        value = item.get(parent)
        if column.bound is not None:
            value = interval(value["value"], value["precision"])[column.bound].isoformat() if value else None
        elif child:
            value = value.get(child) if isinstance(value, dict) else None
        row.append(_cell(value, column.json))
    return row


def _csv_chunks(items: Iterable[dict[str, Any]], columns: list[Column], *, bom: bool) -> Iterator[str]:
    buffer = io.StringIO()
    if bom:  # Excel takes a file without it for the local code page and garbles every accent
        buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    for index, item in enumerate(items, 1):
        writer.writerow(flatten(item, columns))
        if index % EXPORT_PAGE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _ndjson_lines(items: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    for item in items:
        yield orjson.dumps(item, option=OPTIONS | orjson.OPT_APPEND_NEWLINE)


def _closing(chunks: Iterable[Any], session: Session) -> Iterator[Any]:
    """The stream runs after the request's teardown has closed ``session`` once; reading
    more pages checks a connection out again, which is given back when the stream ends."""
    try:
        yield from chunks
    finally:
        close_session(session)


def stream(
    fmt: str,
    items: Iterable[dict[str, Any]],
    *,
    session: Session,
    columns: list[Column],
    filename: str,
    bom: bool = False,
) -> Response:
    body = _closing(_csv_chunks(items, columns, bom=bom) if fmt == "csv" else _ndjson_lines(items), session)
    content_type = MIMETYPES[fmt] + "; charset=utf-8"
    response = Response(stream_with_context(body), content_type=content_type)
    extension = "csv" if fmt == "csv" else "ndjson"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response
