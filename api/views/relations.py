"""GET /v1/entities/{id}/relations: the entities connected to one entity."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.db import get_session
from api.http.problems import PROBLEM_MIMETYPE
from api.http.smorest import Blueprint
from api.queries.relations import entity_relations
from api.views.listing import found_or_404
from schemas.common import ProblemSchema
from schemas.relations import RelationArgsSchema, RelationsSchema


def register_relations(blp: Blueprint) -> None:
    """Add ``/<id>/relations`` to the entities blueprint ``blp``."""

    @blp.route(
        "/<string:item_id>/relations",
        parameters=[
            {"in": "path", "name": "item_id", "description": "The entity id.", "example": "sergei-shoigu"}
        ],
    )
    class Relations(MethodView):
        @blp.doc(
            operationId="getEntityRelations",
            summary="Entities connected to an entity",
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
        @blp.alt_response(
            404, schema=ProblemSchema, content_type=PROBLEM_MIMETYPE, description="No entity has this id."
        )
        def get(self, args: dict[str, Any], item_id: str) -> dict[str, Any]:
            relations = entity_relations(
                get_session(),
                entity_id=item_id,
                types=args.get("type"),
                min_total=args["min_total"],
                limit=args["limit"],
            )
            return found_or_404(relations, "entity", item_id)
