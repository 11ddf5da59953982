"""GET /v1: what this API serves, in which version, and where to go next."""

from __future__ import annotations

from flask import Response, url_for
from flask.views import MethodView

from api.db import get_session
from api.jsonio import json_response
from api.queries.overview import dataset_state, resource_counts
from api.smorest import Blueprint
from schemas.overview import OverviewSchema

API_VERSION = "1.0.0"

blp = Blueprint("overview", __name__, url_prefix="/v1", description="The API root.")


@blp.route("")
class Overview(MethodView):
    @blp.doc(
        operationId="getOverview",
        summary="API and dataset version, counts, links",
        description="The entry point: versions, how many items each collection holds, and links.",
    )
    @blp.response(200, OverviewSchema)
    def get(self) -> Response:
        session = get_session()
        state = dataset_state(session)
        links = {
            name: url_for(f"{name}.ListView", _external=True)
            for name in ("articles", "entities", "statements", "events")
        }
        links["openapi"] = url_for("api-docs.openapi_json", _external=True)
        links["docs"] = url_for("api-docs.openapi_swagger_ui", _external=True)
        return json_response(
            {
                "api_version": API_VERSION,
                "dataset_version": str(state.version) if state else "0",
                "dataset_changed_at": state.changed_at if state else None,
                "counts": resource_counts(session),
                "links": links,
            }
        )
