"""GET /v1/changes: every creation, update and deletion in order, for mirrors and sync."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from api.db import get_session
from api.http.jsonio import json_response
from api.http.smorest import Blueprint
from api.queries.changes import list_changes
from schemas.changes import ChangesArgsSchema, ChangesSchema

blp = Blueprint("changes", __name__, url_prefix="/v1", description="The change feed.")


@blp.route("/changes")
class Changes(MethodView):
    @blp.doc(
        operationId="listChanges",
        summary="What changed since a cursor",
        description=(
            "Revisions of articles, entities, statements and events in the order they happened, each with "
            "the item as it became (`data`, null for a deletion). Start without `since`, then pass "
            "`meta.next_cursor`: a mirror that applies every change in order (set `data` at "
            "`collection`/`id`, remove on `delete`) holds the same items as the API."
        ),
    )
    @blp.arguments(ChangesArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, ChangesSchema)
    def get(self, args: dict[str, Any]) -> Response:
        changes, last = list_changes(get_session(), since=int(args.get("since", 0)), limit=args["limit"])
        return json_response({"data": changes, "meta": {"next_cursor": str(last), "limit": args["limit"]}})
