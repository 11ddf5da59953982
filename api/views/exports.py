"""CSV and NDJSON: every matching item of a list, streamed page by page.

CSV flattening: a nested object becomes one column per field, named ``parent.child``
(``said_on.value``, ``counts.mentions``); a list of ids is one column with the ids joined
by ``|``; a list of objects (aliases, participants, evidence) and an expanded object are
one column holding JSON. Columns follow the documented field order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import marshmallow as ma
import orjson
from flask import Response, request, stream_with_context
from sqlalchemy.orm import Session

from api.jsonio import OPTIONS
from api.queries.paging import Page

MIMETYPES = {"json": "application/json", "csv": "text/csv", "ndjson": "application/x-ndjson"}
EXPORT_PAGE = 500


def negotiated_format(explicit: str | None) -> str:
    """``format=`` wins; otherwise the Accept header may ask for CSV or NDJSON."""
    if explicit:
        return explicit
    best = request.accept_mimetypes.best_match(list(MIMETYPES.values()), default="application/json")
    return next(name for name, mimetype in MIMETYPES.items() if mimetype == best)


def every_item(
    list_items: Callable[..., Page], session: Session, filters: dict[str, Any], sort: str
) -> Iterator[Any]:
    """Every matching item, following cursors (no count query per page)."""
    cursor = None
    while True:
        page = list_items(
            session, filters=filters, sort=sort, limit=EXPORT_PAGE, cursor=cursor, with_count=False
        )
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def csv_columns(schema: type[ma.Schema], only: list[str] | None = None) -> list[str]:
    columns = []
    for name, field in schema().fields.items():
        if only and name != "id" and name not in only:
            continue
        nested = getattr(field, "nested", None)
        if isinstance(field, ma.fields.Nested) and not field.many and isinstance(nested, type):
            columns.extend(f"{name}.{child}" for child in nested().fields)
        else:
            columns.append(name)
    return columns


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "|".join(value)
    if isinstance(value, str):
        return value
    # numbers, booleans, timestamps, objects and lists of objects: their JSON text
    return orjson.dumps(value, option=OPTIONS).decode().strip('"')


def flatten(item: dict[str, Any], columns: list[str]) -> list[str]:
    row = []
    for column in columns:
        parent, _, child = column.partition(".")
        value = item.get(parent)
        if child:
            value = value.get(child) if isinstance(value, dict) else None
        row.append(_cell(value))
    return row


def _csv_chunks(items: Iterable[dict[str, Any]], columns: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
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


def stream(fmt: str, items: Iterable[dict[str, Any]], *, columns: list[str], filename: str) -> Response:
    body = _csv_chunks(items, columns) if fmt == "csv" else _ndjson_lines(items)
    content_type = MIMETYPES[fmt] + "; charset=utf-8"
    response = Response(stream_with_context(body), content_type=content_type)
    extension = "csv" if fmt == "csv" else "ndjson"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response
