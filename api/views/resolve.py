"""GET /v1/entities/resolve: map a name, in any spelling, to entity ids."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.db import get_session
from api.http.smorest import Blueprint
from api.queries.resolve import resolve_name
from schemas.search import ResolveArgsSchema, ResolveResultSchema


def register_resolve(blp: Blueprint) -> None:
    @blp.route("/resolve")
    class Resolve(MethodView):
        @blp.doc(
            operationId="resolveEntity",
            summary="Best-matching entities for a name",
            description=(
                "Candidates for a name, best first, each with a score: 1.0 when the name is one of the "
                "entity's spellings once accents, case and apostrophes are ignored; string similarity or "
                "word overlap otherwise. `match` is true at 0.9 and above. Candidates under 0.5 are left out."
            ),
        )
        @blp.arguments(ResolveArgsSchema, location="query", as_kwargs=False)
        @blp.response(200, ResolveResultSchema)
        def get(self, args: dict[str, Any]) -> dict[str, Any]:
            candidates = resolve_name(
                get_session(), name=args["name"], types=args.get("type"), limit=args["limit"]
            )
            return {"name": args["name"], "data": candidates}
