"""Curators' writes on entities: POST (create), PATCH (merge patch), DELETE (retire), restore."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, g, request, url_for
from flask.views import MethodView
from webargs.flaskparser import abort
from werkzeug.routing import BaseConverter

from api.auth import require_scope
from api.db import unit_of_work
from api.idempotency import idempotent
from api.jsonio import json_response
from api.problems import PROBLEM_MIMETYPE
from api.smorest import Blueprint
from api.writes import (
    RESERVED_IDS,
    create_entity,
    patch_entity,
    representation_etag,
    restore_entity,
    retire_entity,
)
from schemas.common import ProblemSchema
from schemas.entities import EntityItemSchema
from schemas.writes import EntityCreateSchema, EntityPatchSchema

F = TypeVar("F", bound=Callable[..., Any])


class EntityIdConverter(BaseConverter):
    """A path segment naming an entity: anything but a reserved word, so OPTIONS and 405 stay exact."""

    regex = "(?!(?:" + "|".join(RESERVED_IDS) + ")$)[^/]+"


ID_PARAMETER = [
    {"in": "path", "name": "item_id", "description": "The entity id.", "example": "sergei-shoigu"}
]
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Any unique string (1–200 characters) to make retries of this POST safe.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "example": "4f1c2b7e-create-shoigu",
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The ETag of the entity as last read; a stale one is a 412, none a 428.",
    "schema": {"type": "string"},
    "example": '"620e5710845c0d081617c7173e83aa1b"',
}
WRITE_ERRORS = {
    401: "No API key, or an unknown, malformed or revoked one.",
    403: "The key lacks the scope this operation needs.",
}


def _problems(blp: Blueprint, statuses: dict[int, str]):  # type: ignore[no-untyped-def]
    def decorate(view):  # type: ignore[no-untyped-def]
        for status, description in statuses.items():
            view = blp.alt_response(
                status, schema=ProblemSchema, content_type=PROBLEM_MIMETYPE, description=description
            )(view)
        return view

    return decorate


def guarded(scope: str, *, json_body: bool = False) -> Callable[[F], F]:
    """Check the key's scope, then the content type, before the body is even parsed."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require_scope(scope)
            if json_body and not request.is_json:
                abort(
                    415,
                    message="Send the body as application/json (or application/merge-patch+json for PATCH).",
                )
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _key_name() -> str:
    """The name of the key that authorised the write: the actor of its revisions."""
    return g.api_key.name


def _written(item: dict[str, Any], status: int = 200, **headers: str) -> Response:
    return json_response(item, status=status, headers={"ETag": f'"{representation_etag(item)}"', **headers})


def register_entity_writes(blp: Blueprint) -> None:
    @blp.route("", methods=["POST"])
    class CreateEntity(MethodView):
        @blp.doc(
            operationId="createEntity",
            summary="Create an entity",
            description=(
                "Needs a key with the `write` scope. Answers 201 with the entity, its ETag and Location. "
                "With `Idempotency-Key`, a retry of the same request within 24 hours gets the first response "
                "again (header `Idempotent-Replayed: true`); the same key with another request is a 422."
            ),
            parameters=[IDEMPOTENCY_KEY],
        )
        @guarded("write", json_body=True)
        @blp.arguments(EntityCreateSchema, location="json", error_status_code=422)
        @blp.response(201, EntityItemSchema)
        @_problems(blp, {**WRITE_ERRORS, 409: "The id is taken (or retired).", 415: "The body is not JSON."})
        def post(self, data: dict[str, Any]) -> Response:
            with unit_of_work() as session:

                def created() -> Response:
                    item = create_entity(session, data=data, actor=_key_name())
                    location = url_for("entities.ItemView", item_id=item["id"], _external=True)
                    return _written(item, 201, Location=location)

                return idempotent(session, created)

    @blp.route("/<entity_id:item_id>", methods=["PATCH", "DELETE"], parameters=ID_PARAMETER)
    class WriteEntity(MethodView):
        @blp.doc(
            operationId="patchEntity",
            summary="Change an entity (JSON merge patch)",
            description="Needs `write` and If-Match. The fields given replace the current ones; a revision is kept.",
            parameters=[IF_MATCH],
        )
        @guarded("write", json_body=True)
        @blp.arguments(EntityPatchSchema, location="json", error_status_code=422)
        @blp.response(200, EntityItemSchema)
        @_problems(
            blp,
            {
                **WRITE_ERRORS,
                404: "No entity has this id.",
                410: "The entity was retired.",
                412: "If-Match is not the current ETag.",
                415: "The body is not JSON.",
                428: "If-Match is missing.",
            },
        )
        def patch(self, changes: dict[str, Any], item_id: str) -> Response:
            with unit_of_work() as session:
                item = patch_entity(
                    session, entity_id=item_id, changes=changes, if_match=request.if_match, actor=_key_name()
                )
            return _written(item)

        @blp.doc(
            operationId="retireEntity",
            summary="Retire an entity (soft delete)",
            description="Needs `write` and If-Match. The entity leaves the lists and answers 410; its history stays.",
            parameters=[IF_MATCH],
        )
        @guarded("write")
        @blp.response(204)
        @_problems(
            blp,
            {
                **WRITE_ERRORS,
                404: "No entity has this id.",
                410: "The entity was retired already.",
                412: "If-Match is not the current ETag.",
                428: "If-Match is missing.",
            },
        )
        def delete(self, item_id: str) -> Response:
            with unit_of_work() as session:
                retire_entity(session, entity_id=item_id, if_match=request.if_match, actor=_key_name())
            return Response(status=204)

    @blp.route("/<entity_id:item_id>/restore", methods=["POST"], parameters=ID_PARAMETER)
    class RestoreEntity(MethodView):
        @blp.doc(
            operationId="restoreEntity",
            summary="Restore a retired entity",
            description="Needs the `admin` scope.",
        )
        @guarded("admin")
        @blp.response(200, EntityItemSchema)
        @_problems(blp, {**WRITE_ERRORS, 404: "No entity has this id.", 409: "The entity is not retired."})
        def post(self, item_id: str) -> Response:
            with unit_of_work() as session:
                item = restore_entity(session, entity_id=item_id, actor=_key_name())
            return _written(item)
