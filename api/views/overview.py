"""GET /v1: what this API serves, in which version, and where to go next; GET / leads to the docs."""

from __future__ import annotations

import flask
from flask import Response, redirect, url_for
from flask.views import MethodView

from api.db import get_session
from api.http.jsonio import json_response
from api.http.smorest import Blueprint
from api.queries.overview import dataset_state, resource_counts
from schemas.overview import OverviewSchema

API_VERSION = "1.0.0"

blp = Blueprint("overview", __name__, url_prefix="/v1", description="The API root.")
# outside the OpenAPI document: a landing redirect and the trailing-slash spelling of /v1
root = flask.Blueprint("root", __name__)


def overview() -> Response:
    session = get_session()
    state = dataset_state(session)
    links = {
        "articles": url_for("articles.Articles", _external=True),
        "entities": url_for("entities.Entities", _external=True),
        "statements": url_for("statements.Statements", _external=True),
        "events": url_for("events.Events", _external=True),
    }
    links["search"] = url_for("search.Search", _external=True)
    links["timeline"] = url_for("timeline.TimelineView", _external=True)
    links["changes"] = url_for("changes.Changes", _external=True)
    links["export"] = url_for("export.Export", _external=True)
    links["openapi"] = url_for("api-docs.openapi_json", _external=True)
    links["docs"] = url_for("api-docs.openapi_swagger_ui", _external=True)
    links["redoc"] = url_for("api-docs.openapi_redoc", _external=True)
    links["explore"] = url_for("explore.page", _external=True)
    return json_response(
        {
            "api_version": API_VERSION,
            "dataset_version": str(state.version) if state else "0",
            "dataset_changed_at": state.changed_at if state else None,
            "counts": resource_counts(session, str(state.version) if state else None),
            "links": links,
        }
    )


@blp.route("")
class Overview(MethodView):
    @blp.doc(
        operationId="getOverview",
        summary="API and dataset version, counts, links",
        description=(
            "The entry point: versions, how many items each collection holds, and links to the collections, "
            "search, timeline, change feed, export, the OpenAPI document, the docs and the explorer. "
            "`/v1/` answers the same."
        ),
    )
    @blp.response(200, OverviewSchema)
    def get(self) -> Response:
        return overview()


@root.get("/v1/")
def overview_with_slash() -> Response:
    return overview()


@root.get("/")
def landing() -> Response:
    """A browser landing on the host gets the interactive docs; 302, as the landing may change."""
    return redirect(url_for("api-docs.openapi_swagger_ui"), code=302)
