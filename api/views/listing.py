"""What the list routes share: a page as ``{data, meta, links}`` with its Link header, or every
matching item streamed as CSV or NDJSON; facet counts; and how a list is documented.

No route is defined here: each collection's module writes its own list route and calls
:func:`list_or_stream`.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Response, request
from sqlalchemy.orm import Session

from api.collections import Collection
from api.db import get_session
from api.errors import ClientError
from api.http.jsonio import json_response
from api.http.smorest import Blueprint
from api.queries.dataset_version import current_version
from api.queries.facets import facet_counts
from api.queries.paging import Page, versioned_key
from api.views.exports import csv_columns, every_item, negotiated_format, stream
from api.views.shaping import Expander, select_fields

F = TypeVar("F", bound=Callable[..., Any])

PAGING_ARGS = ("limit", "cursor", "sort")
SHAPING_ARGS = ("fields", "expand", "facets", "facet_size", "format", "bom")

LINK_HEADER = {
    "Link": {
        "description": 'RFC 8288 link to the next page (`rel="next"`); absent on the last page.',
        "schema": {"type": "string"},
        # the first page of the seeded statements, as the API issues it
        "example": '<https://api.example/v1/statements?limit=2&cursor=WyJzYWlkX29uIiwwLCIyMDIzLTAzLTAxIiwic3QtMDA2ZGNjMzhjY2QzNjhhMiJd>; rel="next"',
    }
}
# follows the plural that starts the description: "Statements matching the filters, …"
LIST_DESCRIPTION = (
    "matching the filters, one page at a time. Repeating a "
    "filter means OR; different filters combine with AND. Follow `meta.next_cursor` "
    '(or the `Link: rel="next"` header) for the next page. Unknown parameters are a 400. '
    "`format=csv|ndjson` (or `Accept: text/csv`) streams every matching item instead of a page "
    "(the first `limit` items when `limit` is given); "
    "CSV flattens nested objects into `parent.child` columns, joins lists of ids with `|` and "
    "writes lists of objects as JSON. Parameters that would be ignored together are a 400: "
    "`expand` of a field `fields` leaves out, `facets` with CSV or NDJSON."
)
LIST_200 = "A page of items as JSON; with format=csv|ndjson, every matching item (the first `limit` when given), streamed."
STREAMED = {
    "text/csv": {
        "schema": {"type": "string"},
        "example": "id,kind,status,text\r\nst-6f8dc8871e99739c,reported,verified,"
        "ces armes protégeront la Biélorussie contre les menaces occidentales\r\n",
        "description": LIST_200,
    },
    "application/x-ndjson": {
        "schema": {"type": "string"},
        "example": '{"id":"st-6f8dc8871e99739c","kind":"reported"}\n{"id":"st-006dcc38ccd368a2","kind":"direct"}\n',
        "description": LIST_200,
    },
}


def streamed_alternatives(blp: Blueprint) -> Callable[[F], F]:
    """Document the CSV and NDJSON streams a list answers besides its JSON page."""

    def decorate(view: F) -> F:
        for content_type, response in STREAMED.items():
            view = blp.alt_response(200, success=True, content_type=content_type, **response)(view)
        return view

    return decorate


def _url_with_cursor(cursor: str) -> str:
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    pairs.append(("cursor", cursor))
    return f"{request.base_url}?{urlencode(pairs)}"


def list_response(page: Page) -> tuple[dict[str, Any], dict[str, str]]:
    """``(body, headers)`` for a page: ``{data, meta, links}`` and ``Link: rel="next"``."""
    next_url = _url_with_cursor(page.next_cursor) if page.next_cursor else None
    body = {
        "data": page.items,
        "meta": {"count": page.count, "limit": page.limit, "next_cursor": page.next_cursor},
        "links": {"self": request.url, "next": next_url},
    }
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return body, headers


def split_list_args(args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Filters, paging arguments (as the query functions take them) and output shaping."""
    paging = {k: args.get(k) for k in PAGING_ARGS}
    shaping = {k: args[k] for k in SHAPING_ARGS if k in args}
    filters = {k: v for k, v in args.items() if k not in PAGING_ARGS and k not in SHAPING_ARGS}
    return filters, paging, shaping


def _facet_url(name: str, value: Any, many_valued: bool) -> str | None:
    """This list filtered on the value instead of the facet's current filter values.

    Repeating a parameter means OR, so a many-valued facet already filtered by its own
    parameter (``about=belarus&facets=about``: statements about Belarus *and* X) has no URL.
    """
    if value is None or (many_valued and name in request.args):
        return None
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k not in ("cursor", "facets", name)]
    pairs.append((name, value))
    return f"{request.base_url}?{urlencode(pairs)}"


def facets_meta(
    session: Session, collection: Collection, filters: dict[str, Any], names: list[str], size: int
) -> dict[str, Any]:
    """``meta.facets``: for each facet asked, its most frequent values and the count of the others
    (kept per dataset version: the filtered query is built only when one is counted; without a
    filter, a single-valued facet is read from the counts the database keeps)."""
    filtered = collection.listing.filtered_once(session, filters)
    filter_key = repr(sorted(filters.items()))
    table = None if filters else collection.listing.table
    meta = {}
    for name in names:
        facet = collection.facets[name]
        key = versioned_key(session, current_version(), collection.name, filter_key, name, size)
        values, other = facet_counts(session, filtered, facet, size=size, key=key, table=table)
        meta[name] = {
            "values": [{**v, "url": _facet_url(name, v["value"], facet.many_valued)} for v in values],
            "other": other,
        }
    return meta


def shaping_conflicts(shaping: dict[str, Any], fmt: str) -> dict[str, list[str]]:
    """Parameters that are valid alone but would be ignored together: a 400 names them."""
    errors: dict[str, list[str]] = {}
    left_out = [
        name
        for name in shaping.get("expand") or []
        if shaping.get("fields") and name not in shaping["fields"]
    ]
    if left_out:
        errors["expand"] = [
            f"Expands {', '.join(left_out)}, which `fields` leaves out: add {'them' if len(left_out) > 1 else 'it'} "
            "to `fields`, or drop the expand."
        ]
    if fmt != "csv" and shaping.get("bom"):
        errors["bom"] = [f"A byte order mark is for CSV files, not {fmt}: drop `bom` or ask for format=csv."]
    if fmt != "json" and shaping.get("facets"):
        errors["facets"] = [
            f"Facets are counted in JSON pages only, not in {fmt}: drop `facets` or the format."
        ]
    return errors


def list_or_stream(collection: Collection, args: dict[str, Any]) -> Response:
    """A page of ``collection`` as JSON, or every matching item as CSV or NDJSON, for parsed ``args``."""
    session = get_session()
    filters, paging, shaping = split_list_args(args)
    shape = Expander(session, collection.expandable, shaping.get("expand") or [])
    fields = shaping.get("fields")
    fmt = negotiated_format(shaping.get("format"))
    if errors := shaping_conflicts(shaping, fmt):
        detail = "; ".join(f"parameter '{name}': {' '.join(messages)}" for name, messages in errors.items())
        raise ClientError(400, f"Invalid request: {detail}", errors=errors)
    if fmt != "json":
        items = every_item(collection.listing.page, session, filters, paging["sort"], paging["cursor"])
        if "limit" in request.args:  # given: the first `limit` items; absent: every matching item
            items = islice(items, paging["limit"])
        return stream(
            fmt,
            (select_fields(shape(item), fields) for item in items),
            session=session,
            columns=csv_columns(collection.list_schema, fields),
            filename=collection.name,
            bom=bool(shaping.get("bom")),
        )
    page = collection.listing.page(session, filters=filters, version=current_version(), **paging)
    items = [select_fields(shape(item), fields) for item in page.items]
    body, headers = list_response(Page(items, page.count, page.next_cursor, page.limit))
    if shaping.get("facets"):
        body["meta"]["facets"] = facets_meta(
            session, collection, filters, shaping["facets"], shaping["facet_size"]
        )
    return json_response(body, headers=headers)
