"""List and item endpoints, declared once for every collection."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from flask.views import MethodView

from api.db import get_session
from api.problems import PROBLEM_MIMETYPE
from api.queries.paging import Page
from api.smorest import Blueprint
from api.views.listing import found_or_404, list_response, split_list_args
from schemas.common import ProblemSchema

LINK_HEADER = {
    "Link": {
        "description": 'RFC 8288 link to the next page (`rel="next"`); absent on the last page.',
        "schema": {"type": "string"},
        "example": '<https://api.example/v1/statements?limit=2&cursor=WyJzYWlkX29uIl0>; rel="next"',
    }
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
    list_items: Callable[..., Page]
    get_item: Callable[..., dict[str, Any] | None]
    id_keyword: str  # keyword of ``get_item`` that takes the id


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
                '(or the `Link: rel="next"` header) for the next page. Unknown parameters are a 400.'
            ),
        )
        @blp.arguments(collection.args_schema, location="query", as_kwargs=False)
        @blp.response(200, collection.page_schema, headers=LINK_HEADER)
        def get(self, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
            filters, paging = split_list_args(args)
            page = collection.list_items(get_session(), filters=filters, **paging)
            return list_response(page)

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
        def get(self, item_id: str) -> dict[str, Any]:
            item = collection.get_item(get_session(), **{collection.id_keyword: item_id})
            return found_or_404(item, collection.singular, item_id)

    return blp
