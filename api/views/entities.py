"""/v1/entities: list, create, read, change, retire and restore entities, and their history;
merge a duplicate into another; resolve a name to entities; an entity's relations.

Every /v1/entities route is here, on this one blueprint (and so under the one `entities` tag).
"""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView
from werkzeug.routing import BaseConverter

from api.collections import ENTITIES
from api.db import get_session, unit_of_work
from api.http.jsonio import json_response
from api.http.problems import PROBLEM_MIMETYPE, problem_response
from api.http.smorest import Blueprint
from api.queries.entities import merged_target
from api.queries.relations import entity_relations
from api.queries.resolve import resolve_name
from api.views.item_support import (
    CREATE_DESCRIPTION,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    PATCH_DESCRIPTION,
    WRITE_ERRORS,
    WRITE_SECURITY,
    created,
    found_or_404,
    found_or_gone,
    guarded,
    key_name,
    problem_responses,
    revisions_or_404,
    written,
)
from api.views.listing import LINK_HEADER, LIST_200, LIST_DESCRIPTION, list_or_stream, streamed_alternatives
from api.writes.idempotency import idempotent
from api.writes.items import RESERVED_IDS, create_item, patch_item, restore_item, retire_item
from api.writes.merge import merge_entity
from schemas.changes import RevisionsSchema
from schemas.common import NoArgumentsSchema, ProblemSchema
from schemas.entities import EntityItemSchema, EntityListArgsSchema, EntityPageSchema
from schemas.relations import RelationArgsSchema, RelationsSchema
from schemas.search import ResolveArgsSchema, ResolveResultSchema
from schemas.writes import EntityCreateSchema, EntityPatchSchema, MergeSchema

blp = Blueprint("entities", __name__, url_prefix="/v1/entities", description=ENTITIES.description)
ENTITY_ID = {
    "in": "path",
    "name": "item_id",
    "description": "The entity id.",
    "example": ENTITIES.id_example,
}
# not in the seeds, so that "Try it out" → Execute with a write key creates it (then 409)
CREATE_EXAMPLE = {
    "id": "dmitry-medvedev",
    "name": "Dmitry Medvedev",
    "type": "person",
    "description": "Deputy Chairman of the Security Council of Russia",
    "aliases": [{"alias": "Dmitri Medvedev", "language": "fr", "in_text": False}],
}


class EntityIdConverter(BaseConverter):
    """A path segment naming an entity: anything but a reserved word, so OPTIONS and 405 stay exact."""

    regex = "(?!(?:" + "|".join(RESERVED_IDS) + ")$)[^/]+"


def _moved(item_id: str, target: str) -> Response:
    """308 to the entity ``item_id`` was merged into, keeping the query string."""
    location = url_for("entities.EntityItem", item_id=target, _external=True)
    if request.query_string:
        location += "?" + request.query_string.decode()
    return problem_response(
        308,
        "Permanent Redirect",
        f"The entity {item_id!r} was merged into {target!r}.",
        headers={"Location": location},
    )


@blp.route("")
class Entities(MethodView):
    @blp.doc(operationId="listEntities", description=f"Entities {LIST_DESCRIPTION}")
    @blp.arguments(EntityListArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, EntityPageSchema, headers=LINK_HEADER, description=LIST_200)
    @streamed_alternatives(blp)
    def get(self, args: dict[str, Any]) -> Response:
        """List entities"""
        return list_or_stream(ENTITIES, args)

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="createEntity",
        description=CREATE_DESCRIPTION,
        parameters=[IDEMPOTENCY_KEY],
    )
    @guarded("write", json_body=True)
    @blp.arguments(NoArgumentsSchema, location="query", as_kwargs=False)
    @blp.arguments(EntityCreateSchema, location="json", error_status_code=422, example=CREATE_EXAMPLE)
    @blp.response(201, EntityItemSchema)
    @problem_responses(
        blp, {**WRITE_ERRORS, 409: "The id is taken (or retired).", 415: "The body is not JSON."}
    )
    def post(self, _query: dict[str, Any], data: dict[str, Any]) -> Response:
        """Create an entity"""
        with unit_of_work() as session:

            def create() -> Response:
                entity = create_item(session, ENTITIES, data=data, actor=key_name())
                return created(entity, "entities.EntityItem")

            return idempotent(session, create)


@blp.route("/resolve")
class EntityResolve(MethodView):
    @blp.doc(
        operationId="resolveEntity",
        description=(
            "Candidates for a name, best first, each with a score: 1.0 when the name is one of the "
            "entity's spellings once accents, case and apostrophes are ignored; string similarity or "
            "word overlap otherwise. `match` is true at 0.9 and above. Candidates under 0.5 are left out."
        ),
    )
    @blp.arguments(ResolveArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, ResolveResultSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Best-matching entities for a name"""
        candidates = resolve_name(
            get_session(), name=args["name"], types=args.get("type"), limit=args["limit"]
        )
        return {"name": args["name"], "data": candidates}


# entity_id, not string: "resolve" is not an entity id, so PATCH /v1/entities/resolve is a 405
@blp.route("/<entity_id:item_id>", parameters=[ENTITY_ID])
class EntityItem(MethodView):
    @blp.doc(
        operationId="getEntity",
        description="The entity with its related items summarised under `related`.",
    )
    @blp.response(200, EntityItemSchema)
    @problem_responses(
        blp,
        {
            404: "No entity has this id.",
            410: "The entity was retired; its history is at its /revisions.",
        },
    )
    @blp.alt_response(
        308,
        schema=ProblemSchema,
        content_type=PROBLEM_MIMETYPE,
        description="The entity was merged into another: `Location` names it.",
        headers={"Location": {"description": "URL of the surviving item.", "schema": {"type": "string"}}},
    )
    def get(self, item_id: str) -> Response:
        """Get one entity"""
        session = get_session()
        entity = ENTITIES.fetch(session, item_id)
        if entity is None and (target := merged_target(session, item_id)):
            return _moved(item_id, target)
        return json_response(found_or_gone(session, ENTITIES, item_id, entity))

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="patchEntity",
        description=PATCH_DESCRIPTION,
        parameters=[IF_MATCH],
    )
    @guarded("write", json_body=True)
    @blp.arguments(EntityPatchSchema, location="json", error_status_code=422)
    @blp.response(200, EntityItemSchema)
    @problem_responses(
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
        """Change an entity (JSON merge patch)"""
        with unit_of_work() as session:
            entity = patch_item(
                session,
                ENTITIES,
                item_id=item_id,
                changes=changes,
                if_match=request.if_match,
                actor=key_name(),
            )
        return written(entity)

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="retireEntity",
        description="Needs `write` and If-Match. The entity leaves the lists and answers 410; its "
        "history stays and an admin can restore it.",
        parameters=[IF_MATCH],
    )
    @guarded("write")
    @blp.response(204)
    @problem_responses(
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
        """Retire an entity (soft delete)"""
        with unit_of_work() as session:
            retire_item(session, ENTITIES, item_id=item_id, if_match=request.if_match, actor=key_name())
        return Response(status=204)


@blp.route(
    "/<string:item_id>/revisions",
    parameters=[{**ENTITY_ID, "description": "The entity id (also of a deleted one)."}],
)
class EntityRevisions(MethodView):
    @blp.doc(
        operationId="listEntityRevisions",
        description="Every revision of the entity, oldest first, with who made it and when.",
    )
    @blp.response(200, RevisionsSchema)
    @problem_responses(blp, {404: "No entity ever had this id."})
    def get(self, item_id: str) -> Response:
        """The history of one entity"""
        return json_response(revisions_or_404(get_session(), ENTITIES, item_id))


@blp.route("/<entity_id:item_id>/restore", parameters=[ENTITY_ID])
class EntityRestore(MethodView):
    @blp.doc(security=WRITE_SECURITY, operationId="restoreEntity", description="Needs the `admin` scope.")
    @guarded("admin")
    @blp.response(200, EntityItemSchema)
    @problem_responses(
        blp,
        {
            **WRITE_ERRORS,
            404: "No entity has this id.",
            409: "The entity is not retired (or was merged).",
        },
    )
    def post(self, item_id: str) -> Response:
        """Restore a retired entity"""
        with unit_of_work() as session:
            entity = restore_item(session, ENTITIES, item_id=item_id, actor=key_name())
        return written(entity)


# no example: any real id would make "Try it out" merge two curated entities
@blp.route(
    "/<entity_id:item_id>/merge",
    parameters=[{"in": "path", "name": "item_id", "description": "The duplicate entity."}],
)
class EntityMerge(MethodView):
    @blp.doc(
        security=WRITE_SECURITY,
        operationId="mergeEntity",
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
    @problem_responses(
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
        """Merge a duplicate entity into another"""
        with unit_of_work() as session:
            entity = merge_entity(session, item_id=item_id, into=data["into"], actor=key_name())
        return written(entity)


@blp.route("/<string:item_id>/relations", parameters=[ENTITY_ID])
class EntityRelations(MethodView):
    @blp.doc(
        operationId="getEntityRelations",
        description=(
            "Every live entity connected to this one, with how many links of each kind and their "
            "ids: **events** both are involved in (participants, or one is the location), "
            "**statements** where one is the speaker and the other is in `about` (in either "
            "direction), **articles** that mention both. Sorted by `counts.total` descending, then "
            "id. Not paginated: `limit` (1–500, default 50) keeps the most connected, and "
            "`meta.count` says how many match in all. Soft-deleted items never count."
        ),
    )
    @blp.arguments(RelationArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, RelationsSchema)
    @problem_responses(blp, {404: "No entity has this id."})
    def get(self, args: dict[str, Any], item_id: str) -> dict[str, Any]:
        """Entities connected to an entity"""
        relations = entity_relations(
            get_session(),
            entity_id=item_id,
            types=args.get("type"),
            min_total=args["min_total"],
            limit=args["limit"],
        )
        return found_or_404(relations, "entity", item_id)
