"""List and item endpoints, declared once for every collection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import Response, request, url_for
from flask.views import MethodView
from sqlalchemy.orm import Session
from webargs.flaskparser import abort

from api.db import get_session
from api.http.jsonio import json_response
from api.http.problems import PROBLEM_MIMETYPE, problem_response
from api.http.smorest import Blueprint
from api.queries.changes import item_revisions
from api.queries.dataset_version import current_version
from api.queries.facets import Facet, facet_counts
from api.queries.paging import Listing, Page
from api.queries.shapes import is_retired
from api.views.exports import csv_columns, every_item, negotiated_format, stream
from api.views.listing import found_or_404, list_response, split_list_args
from api.views.shaping import Expander, select_fields
from schemas.changes import RevisionsSchema
from schemas.common import ProblemSchema

LINK_HEADER = {
    "Link": {
        "description": 'RFC 8288 link to the next page (`rel="next"`); absent on the last page.',
        "schema": {"type": "string"},
        # the first page of the seeded statements, as the API issues it
        "example": '<https://api.example/v1/statements?limit=2&cursor=WyJzYWlkX29uIiwwLCIyMDIzLTAzLTAxIiwic3QtMDA2ZGNjMzhjY2QzNjhhMiJd>; rel="next"',
    }
}
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


@dataclass(frozen=True)
class Collection:
    name: str  # plural, as in the URL: "statements"
    singular: str
    description: str
    id_example: str
    args_schema: type[ma.Schema]
    page_schema: type[ma.Schema]
    item_schema: type[ma.Schema]
    list_schema: type[ma.Schema]  # one list item
    listing: Listing
    model: Any  # the ORM model (for retired items)
    get_item: Callable[..., dict[str, Any] | None]
    id_keyword: str  # keyword of ``get_item`` that takes the id
    expandable: dict[str, tuple[str, str]] = field(default_factory=dict)
    facets: dict[str, Facet] = field(default_factory=dict)
    # where a retired id now lives (a merged entity), for a 308
    redirect: Callable[[Session, str], str | None] | None = None


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
    filtered = collection.listing.filtered(session, filters)
    meta = {}
    for name in names:
        values, other = facet_counts(session, filtered, collection.facets[name], size=size)
        meta[name] = {
            "values": [
                {**v, "url": _facet_url(name, v["value"], collection.facets[name].many_valued)}
                for v in values
            ],
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


def list_view(collection: Collection, args: dict[str, Any]) -> Response:
    session = get_session()
    filters, paging, shaping = split_list_args(args)
    shape = Expander(session, collection.expandable, shaping.get("expand") or [])
    fields = shaping.get("fields")
    fmt = negotiated_format(shaping.get("format"))
    if errors := shaping_conflicts(shaping, fmt):
        detail = "; ".join(f"parameter '{name}': {' '.join(messages)}" for name, messages in errors.items())
        abort(400, message=f"Invalid request: {detail}", errors=errors)
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


def _redirect_documented(blp: Blueprint, collection: Collection):  # type: ignore[no-untyped-def]
    def decorate(view):  # type: ignore[no-untyped-def]
        if collection.redirect is None:
            return view
        return blp.alt_response(
            308,
            schema=ProblemSchema,
            content_type=PROBLEM_MIMETYPE,
            description=f"The {collection.singular} was merged into another: `Location` names it.",
            headers={"Location": {"description": "URL of the surviving item.", "schema": {"type": "string"}}},
        )(view)

    return decorate


def moved(collection: Collection, item_id: str, target: str) -> Response:
    """308 to the item ``item_id`` was merged into, keeping the query string."""
    location = url_for(f"{collection.name}.ItemView", item_id=target, _external=True)
    if request.query_string:
        location += "?" + request.query_string.decode()
    return problem_response(
        308,
        "Permanent Redirect",
        f"The {collection.singular} {item_id!r} was merged into {target!r}.",
        headers={"Location": location},
    )


def collection_blueprint(collection: Collection) -> Blueprint:
    """A blueprint serving ``/v1/<name>`` (list) and ``/v1/<name>/<id>`` (item)."""
    blp = Blueprint(
        collection.name, __name__, url_prefix=f"/v1/{collection.name}", description=collection.description
    )
    camel = collection.name.capitalize()
    singular = collection.singular.capitalize()

    @blp.route("")
    class ListView(MethodView):
        @blp.doc(
            operationId=f"list{camel}",
            summary=f"List {collection.name}",
            description=(
                f"{collection.name.capitalize()} matching the filters, one page at a time. Repeating a "
                "filter means OR; different filters combine with AND. Follow `meta.next_cursor` "
                '(or the `Link: rel="next"` header) for the next page. Unknown parameters are a 400. '
                "`format=csv|ndjson` (or `Accept: text/csv`) streams every matching item instead of a page "
                "(the first `limit` items when `limit` is given); "
                "CSV flattens nested objects into `parent.child` columns, joins lists of ids with `|` and "
                "writes lists of objects as JSON. Parameters that would be ignored together are a 400: "
                "`expand` of a field `fields` leaves out, `facets` with CSV or NDJSON."
            ),
        )
        @blp.arguments(collection.args_schema, location="query", as_kwargs=False)
        @blp.response(200, collection.page_schema, headers=LINK_HEADER, description=LIST_200)
        @blp.alt_response(200, success=True, content_type="text/csv", **STREAMED["text/csv"])
        @blp.alt_response(
            200, success=True, content_type="application/x-ndjson", **STREAMED["application/x-ndjson"]
        )
        def get(self, args: dict[str, Any]) -> Response:
            return list_view(collection, args)

    @blp.route(
        "/<string:item_id>",
        parameters=[
            {
                "in": "path",
                "name": "item_id",
                "description": f"The {collection.singular} id.",
                "example": collection.id_example,
            }
        ],
    )
    class ItemView(MethodView):
        @blp.doc(
            operationId=f"get{singular}",
            summary=f"Get one {collection.singular}",
            description=f"The {collection.singular} with its related items summarised under `related`.",
        )
        @blp.response(200, collection.item_schema)
        @blp.alt_response(
            404,
            schema=ProblemSchema,
            content_type=PROBLEM_MIMETYPE,
            description=f"No {collection.singular} has this id.",
        )
        @blp.alt_response(
            410,
            schema=ProblemSchema,
            content_type=PROBLEM_MIMETYPE,
            description=f"The {collection.singular} was retired; its history is at its /revisions.",
        )
        @_redirect_documented(blp, collection)
        def get(self, item_id: str) -> Response:
            session = get_session()
            item = collection.get_item(session, **{collection.id_keyword: item_id})
            if item is None and collection.redirect and (target := collection.redirect(session, item_id)):
                return moved(collection, item_id, target)
            retired = item is None and is_retired(session, collection.model, item_id)
            return json_response(found_or_404(item, collection.singular, item_id, retired=retired))

    @blp.route(
        "/<string:item_id>/revisions",
        parameters=[
            {
                "in": "path",
                "name": "item_id",
                "description": f"The {collection.singular} id (also of a deleted one).",
                "example": collection.id_example,
            }
        ],
    )
    class RevisionsView(MethodView):
        @blp.doc(
            operationId=f"list{singular}Revisions",
            summary=f"The history of one {collection.singular}",
            description=f"Every revision of the {collection.singular}, oldest first, with who made it and when.",
        )
        @blp.response(200, RevisionsSchema)
        @blp.alt_response(
            404,
            schema=ProblemSchema,
            content_type=PROBLEM_MIMETYPE,
            description=f"No {collection.singular} ever had this id.",
        )
        def get(self, item_id: str) -> Response:
            history = item_revisions(get_session(), collection=collection.name, item_id=item_id)
            if not history:
                abort(404, message=f"No {collection.singular} ever had the id {item_id!r}.")
            return json_response({"data": history})

    return blp
