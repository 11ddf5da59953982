"""Curators' writes, declared once for every collection: POST, PATCH, DELETE, restore; entity merge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import marshmallow as ma
from flask import Response, g, request, url_for
from flask.views import MethodView
from sqlalchemy.orm import Session
from webargs.flaskparser import abort
from werkzeug.routing import BaseConverter

from api.collections import BY_NAME
from api.db import unit_of_work
from api.http.auth import require_scope
from api.http.jsonio import json_response
from api.http.problems import PROBLEM_MIMETYPE
from api.http.smorest import BEARER_SCHEME, Blueprint
from api.writes.idempotency import idempotent
from api.writes.items import (
    RESERVED_IDS,
    create_item,
    patch_item,
    representation_etag,
    restore_item,
    retire_item,
)
from api.writes.merge import merge_entity
from schemas.common import NoArgumentsSchema, ProblemSchema
from schemas.entities import EntityItemSchema
from schemas.writes import MergeSchema

F = TypeVar("F", bound=Callable[..., Any])


class EntityIdConverter(BaseConverter):
    """A path segment naming an entity: anything but a reserved word, so OPTIONS and 405 stay exact."""

    regex = "(?!(?:" + "|".join(RESERVED_IDS) + ")$)[^/]+"


IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "Any unique string (1–200 characters) to make retries of this POST safe.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    # no example: the only value that works is the ETag of the item as it is now
    "description": "The ETag of the item as last read (from GET or a write's response); a stale one is "
    "a 412, none a 428.",
    "schema": {"type": "string"},
}
WRITE_SECURITY = [{BEARER_SCHEME: []}]
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


@dataclass(frozen=True)
class Writable:
    """What the write endpoints of one collection need beyond :class:`api.writes.items.Resource`."""

    collection: str
    create_schema: type[ma.Schema]
    patch_schema: type[ma.Schema]
    item_schema: type[ma.Schema]
    id_example: str
    converter: str = "string"  # URL converter of the item id
    create_args: type[ma.Schema] = NoArgumentsSchema  # query parameters of the POST
    # the request body Swagger UI's "Try it out" sends: one that creates an item (once)
    create_example: dict[str, Any] | None = None
    # a step before the POST's checks, in its transaction: (session, body) → body (e.g. a made id)
    complete: Callable[[Session, dict[str, Any]], dict[str, Any]] | None = None
    # a step after the POST, in its transaction: (session, item, query args, actor) → item
    after_create: Callable[[Session, dict[str, Any], dict[str, Any], str], dict[str, Any]] | None = None


def register_writes(blp: Blueprint, writable: Writable) -> None:
    """POST /v1/<collection>, PATCH and DELETE /v1/<collection>/<id>, POST …/<id>/restore."""
    resource = BY_NAME[writable.collection]
    noun, camel = resource.singular, resource.singular.capitalize()
    id_parameter = [
        {"in": "path", "name": "item_id", "description": f"The {noun} id.", "example": writable.id_example}
    ]
    item_path = f"/<{writable.converter}:item_id>"

    def location(item: dict[str, Any]) -> str:
        return url_for(f"{writable.collection}.ItemView", item_id=item["id"], _external=True)

    @blp.route("", methods=["POST"])
    class Create(MethodView):
        @blp.doc(
            security=WRITE_SECURITY,
            operationId=f"create{camel}",
            summary=f"Create {'an' if noun[0] in 'aeiou' else 'a'} {noun}",
            description=(
                "Needs a key with the `write` scope. The body is checked as `flask seed` checks the curated "
                "files: spans must be the article text at their offsets, references must name live items "
                "(422 naming each problem). Answers 201 with the item, its ETag and Location. "
                "With `Idempotency-Key`, a retry of the same request within 24 hours gets the first response "
                "again (header `Idempotent-Replayed: true`); the same key with another request is a 422."
            ),
            parameters=[IDEMPOTENCY_KEY],
        )
        @guarded("write", json_body=True)
        @blp.arguments(writable.create_args, location="query", as_kwargs=False)
        @blp.arguments(
            writable.create_schema, location="json", error_status_code=422, example=writable.create_example
        )
        @blp.response(201, writable.item_schema)
        @_problems(blp, {**WRITE_ERRORS, 409: "The id is taken (or retired).", 415: "The body is not JSON."})
        def post(self, args: dict[str, Any], data: dict[str, Any]) -> Response:
            with unit_of_work() as session:

                def created() -> Response:
                    body = data if writable.complete is None else writable.complete(session, data)
                    item = create_item(session, resource, data=body, actor=_key_name())
                    if writable.after_create is not None:
                        item = writable.after_create(session, item, args, _key_name())
                    return _written(item, 201, Location=location(item))

                return idempotent(session, created)

    @blp.route(item_path, methods=["PATCH", "DELETE"], parameters=id_parameter)
    class Write(MethodView):
        @blp.doc(
            security=WRITE_SECURITY,
            operationId=f"patch{camel}",
            summary=f"Change {'an' if noun[0] in 'aeiou' else 'a'} {noun} (JSON merge patch)",
            description=(
                "Needs `write` and If-Match. The fields given replace the current ones (lists are replaced "
                "whole); the result is checked like a POST and a revision is kept."
            ),
            parameters=[IF_MATCH],
        )
        @guarded("write", json_body=True)
        @blp.arguments(writable.patch_schema, location="json", error_status_code=422)
        @blp.response(200, writable.item_schema)
        @_problems(
            blp,
            {
                **WRITE_ERRORS,
                404: f"No {noun} has this id.",
                410: f"The {noun} was retired.",
                412: "If-Match is not the current ETag.",
                415: "The body is not JSON.",
                428: "If-Match is missing.",
            },
        )
        def patch(self, changes: dict[str, Any], item_id: str) -> Response:
            with unit_of_work() as session:
                item = patch_item(
                    session,
                    resource,
                    item_id=item_id,
                    changes=changes,
                    if_match=request.if_match,
                    actor=_key_name(),
                )
            return _written(item)

        @blp.doc(
            security=WRITE_SECURITY,
            operationId=f"retire{camel}",
            summary=f"Retire {'an' if noun[0] in 'aeiou' else 'a'} {noun} (soft delete)",
            description=(
                f"Needs `write` and If-Match. The {noun} leaves the lists and answers 410; its history stays "
                "and an admin can restore it."
                + (" An article with live statements cannot be retired (409)." if noun == "article" else "")
            ),
            parameters=[IF_MATCH],
        )
        @guarded("write")
        @blp.response(204)
        @_problems(
            blp,
            {
                **WRITE_ERRORS,
                404: f"No {noun} has this id.",
                **({409: "The article still has live statements."} if noun == "article" else {}),
                410: f"The {noun} was retired already.",
                412: "If-Match is not the current ETag.",
                428: "If-Match is missing.",
            },
        )
        def delete(self, item_id: str) -> Response:
            with unit_of_work() as session:
                retire_item(session, resource, item_id=item_id, if_match=request.if_match, actor=_key_name())
            return Response(status=204)

    @blp.route(f"{item_path}/restore", methods=["POST"], parameters=id_parameter)
    class Restore(MethodView):
        @blp.doc(
            security=WRITE_SECURITY,
            operationId=f"restore{camel}",
            summary=f"Restore a retired {noun}",
            description="Needs the `admin` scope.",
        )
        @guarded("admin")
        @blp.response(200, writable.item_schema)
        @_problems(
            blp,
            {
                **WRITE_ERRORS,
                404: f"No {noun} has this id.",
                409: f"The {noun} is not retired (or was merged).",
            },
        )
        def post(self, item_id: str) -> Response:
            with unit_of_work() as session:
                item = restore_item(session, resource, item_id=item_id, actor=_key_name())
            return _written(item)


def register_merge(blp: Blueprint) -> None:
    """POST /v1/entities/<id>/merge."""
    # no example: any real id would make "Try it out" merge two curated entities
    id_parameter = [{"in": "path", "name": "item_id", "description": "The duplicate entity."}]

    @blp.route("/<entity_id:item_id>/merge", methods=["POST"], parameters=id_parameter)
    class MergeEntity(MethodView):
        @blp.doc(
            security=WRITE_SECURITY,
            operationId="mergeEntity",
            summary="Merge a duplicate entity into another",
            description=(
                "Needs `write`. Every mention, statement (speaker, channel, about), event (participant, "
                "location) and article (outlet, cited outlets) of the duplicate moves to `into`, which also "
                "gets its aliases and name. The duplicate's id then answers `308 Permanent Redirect` to the "
                "target; the change feed shows a `merge`. Answers with the target entity."
            ),
        )
        @guarded("write", json_body=True)
        @blp.arguments(MergeSchema, location="json", error_status_code=422)
        @blp.response(200, EntityItemSchema)
        @_problems(
            blp,
            {
                **WRITE_ERRORS,
                404: "No entity has this id.",
                409: "The entity was merged already.",
                410: "The entity was retired.",
                415: "The body is not JSON.",
            },
        )
        def post(self, data: dict[str, Any], item_id: str) -> Response:
            with unit_of_work() as session:
                item = merge_entity(session, item_id=item_id, into=data["into"], actor=_key_name())
            return _written(item)
