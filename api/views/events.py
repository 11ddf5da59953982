"""/v1/events: list, create, read, change, retire and restore events, and their history."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from api.collections import EVENTS
from api.db import get_session, unit_of_work
from api.http.jsonio import json_response
from api.http.smorest import Blueprint
from api.views.item_support import (
    CREATE_DESCRIPTION,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    PATCH_DESCRIPTION,
    WRITE_ERRORS,
    WRITE_SECURITY,
    created,
    found_or_gone,
    guarded,
    key_name,
    problem_responses,
    revisions_or_404,
    written,
)
from api.views.listing import LINK_HEADER, LIST_200, LIST_DESCRIPTION, list_or_stream, streamed_alternatives
from api.writes.idempotency import idempotent
from api.writes.items import create_item, patch_item, restore_item, retire_item
from schemas.changes import RevisionsSchema
from schemas.common import NoArgumentsSchema
from schemas.events import EventItemSchema, EventListArgsSchema, EventPageSchema
from schemas.writes import EventCreateSchema, EventPatchSchema

blp = Blueprint("events", __name__, url_prefix="/v1/events", description=EVENTS.description)
EVENT_ID = {
    "in": "path",
    "name": "item_id",
    "description": "The event id.",
    "example": EVENTS.id_example,
}


@blp.route("")
class Events(MethodView):
    @blp.doc(operationId="listEvents", description=f"Events {LIST_DESCRIPTION}")
    @blp.arguments(EventListArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, EventPageSchema, headers=LINK_HEADER, description=LIST_200)
    @streamed_alternatives(blp)
    def get(self, args: dict[str, Any]) -> Response:
        """List events"""
        return list_or_stream(EVENTS, args)

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="createEvent",
        description=CREATE_DESCRIPTION,
        parameters=[IDEMPOTENCY_KEY],
    )
    @guarded("write", json_body=True)
    @blp.arguments(NoArgumentsSchema, location="query", as_kwargs=False)
    @blp.arguments(EventCreateSchema, location="json", error_status_code=422)
    @blp.response(201, EventItemSchema)
    @problem_responses(
        blp, {**WRITE_ERRORS, 409: "The id is taken (or retired).", 415: "The body is not JSON."}
    )
    def post(self, _query: dict[str, Any], data: dict[str, Any]) -> Response:
        """Create an event"""
        with unit_of_work() as session:

            def create() -> Response:
                event = create_item(session, EVENTS, data=data, actor=key_name())
                return created(event, "events.EventItem")

            return idempotent(session, create)


@blp.route("/<string:item_id>", parameters=[EVENT_ID])
class EventItem(MethodView):
    @blp.doc(
        operationId="getEvent",
        description="The event with its related items summarised under `related`.",
    )
    @blp.response(200, EventItemSchema)
    @problem_responses(
        blp,
        {
            404: "No event has this id.",
            410: "The event was retired; its history is at its /revisions.",
        },
    )
    def get(self, item_id: str) -> Response:
        """Get one event"""
        session = get_session()
        event = EVENTS.fetch(session, item_id)
        return json_response(found_or_gone(session, EVENTS, item_id, event))

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="patchEvent",
        description=PATCH_DESCRIPTION,
        parameters=[IF_MATCH],
    )
    @guarded("write", json_body=True)
    @blp.arguments(EventPatchSchema, location="json", error_status_code=422)
    @blp.response(200, EventItemSchema)
    @problem_responses(
        blp,
        {
            **WRITE_ERRORS,
            404: "No event has this id.",
            410: "The event was retired.",
            412: "If-Match is not the current ETag.",
            415: "The body is not JSON.",
            428: "If-Match is missing.",
        },
    )
    def patch(self, changes: dict[str, Any], item_id: str) -> Response:
        """Change an event (JSON merge patch)"""
        with unit_of_work() as session:
            event = patch_item(
                session,
                EVENTS,
                item_id=item_id,
                changes=changes,
                if_match=request.if_match,
                actor=key_name(),
            )
        return written(event)

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="retireEvent",
        description="Needs `write` and If-Match. The event leaves the lists and answers 410; its "
        "history stays and an admin can restore it.",
        parameters=[IF_MATCH],
    )
    @guarded("write")
    @blp.response(204)
    @problem_responses(
        blp,
        {
            **WRITE_ERRORS,
            404: "No event has this id.",
            410: "The event was retired already.",
            412: "If-Match is not the current ETag.",
            428: "If-Match is missing.",
        },
    )
    def delete(self, item_id: str) -> Response:
        """Retire an event (soft delete)"""
        with unit_of_work() as session:
            retire_item(session, EVENTS, item_id=item_id, if_match=request.if_match, actor=key_name())
        return Response(status=204)


@blp.route(
    "/<string:item_id>/revisions",
    parameters=[{**EVENT_ID, "description": "The event id (also of a deleted one)."}],
)
class EventRevisions(MethodView):
    @blp.doc(
        operationId="listEventRevisions",
        description="Every revision of the event, oldest first, with who made it and when.",
    )
    @blp.response(200, RevisionsSchema)
    @problem_responses(blp, {404: "No event ever had this id."})
    def get(self, item_id: str) -> Response:
        """The history of one event"""
        return json_response(revisions_or_404(get_session(), EVENTS, item_id))


@blp.route("/<string:item_id>/restore", parameters=[EVENT_ID])
class EventRestore(MethodView):
    @blp.doc(security=WRITE_SECURITY, operationId="restoreEvent", description="Needs the `admin` scope.")
    @guarded("admin")
    @blp.response(200, EventItemSchema)
    @problem_responses(
        blp,
        {
            **WRITE_ERRORS,
            404: "No event has this id.",
            409: "The event is not retired (or was merged).",
        },
    )
    def post(self, item_id: str) -> Response:
        """Restore a retired event"""
        with unit_of_work() as session:
            event = restore_item(session, EVENTS, item_id=item_id, actor=key_name())
        return written(event)
