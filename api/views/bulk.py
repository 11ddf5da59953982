"""GET /v1/export: the whole dataset as NDJSON, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from flask import Response
from flask.views import MethodView
from sqlalchemy.orm import Session

from api.collections import COLLECTIONS
from api.db import get_session
from api.http.smorest import Blueprint
from api.queries.articles import mentions_by_article
from api.views.exports import EXPORT_PAGE, every_item, stream
from schemas.common import NoArgumentsSchema

blp = Blueprint("export", __name__, url_prefix="/v1", description="Bulk export of the whole dataset.")


def _chunks(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    while chunk := list(islice(items, size)):
        yield chunk


def dataset_lines(session: Session) -> Iterator[dict[str, Any]]:
    """Every live item of every collection, as its list item plus ``type``; articles carry their mentions."""
    for collection in COLLECTIONS:
        items = every_item(collection.listing.page, session, {}, "id")
        for chunk in _chunks(items, EXPORT_PAGE):
            mentions = (
                mentions_by_article(session, [i["id"] for i in chunk])
                if collection.name == "articles"
                else {}
            )
            for item in chunk:
                extra = {"mentions": mentions.get(item["id"], [])} if collection.name == "articles" else {}
                yield {"type": collection.singular, "data": {**item, **extra}}


@blp.route("/export")
class Export(MethodView):
    @blp.doc(
        operationId="exportDataset",
        summary="The whole dataset as NDJSON",
        description=(
            'One JSON object per line, `{"type": "article"|"entity"|"statement"|"event", "data": {…}}`: '
            "every live item of the four collections (in that order, each by id), `data` shaped as in the "
            "lists; articles also carry their `mentions`. The number of lines is the sum of the four "
            "collection counts of `GET /v1`. Takes no parameter."
        ),
        responses={
            "200": {
                "description": "NDJSON stream",
                "content": {
                    "application/x-ndjson": {
                        # a byte stream to clients: one JSON document per line, not one JSON document
                        "schema": {"type": "string", "format": "binary"},
                        "example": '{"type": "entity", "data": {"id": "sergei-shoigu", "name": "Sergei Shoigu"}}\n',
                    }
                },
            }
        },
    )
    @blp.arguments(NoArgumentsSchema, location="query", as_kwargs=False)
    def get(self, _args: dict[str, Any]) -> Response:
        session = get_session()
        return stream(
            "ndjson", dataset_lines(session), session=session, columns=[], filename="veille-dataset"
        )
