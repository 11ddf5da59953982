"""/v1/statements: list, create, read, change, retire and restore statements, and their history."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from api.collections import STATEMENTS
from api.db import get_session, unit_of_work
from api.http.jsonio import json_response
from api.http.smorest import Blueprint
from api.queries.dataset_version import remember_version
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
from schemas.statements import StatementItemSchema, StatementListArgsSchema, StatementPageSchema
from schemas.writes import StatementCreateSchema, StatementPatchSchema

blp = Blueprint("statements", __name__, url_prefix="/v1/statements", description=STATEMENTS.description)
STATEMENT_ID = {
    "in": "path",
    "name": "item_id",
    "description": "The statement id.",
    "example": STATEMENTS.id_example,
}


@blp.route("")
class Statements(MethodView):
    @blp.doc(operationId="listStatements", description=f"Statements {LIST_DESCRIPTION}")
    @blp.arguments(StatementListArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, StatementPageSchema, headers=LINK_HEADER, description=LIST_200)
    @streamed_alternatives(blp)
    def get(self, args: dict[str, Any]) -> Response:
        """List statements"""
        return list_or_stream(STATEMENTS, args)

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="createStatement",
        description=CREATE_DESCRIPTION,
        parameters=[IDEMPOTENCY_KEY],
    )
    @guarded("write", json_body=True)
    @blp.arguments(NoArgumentsSchema, location="query", as_kwargs=False)
    @blp.arguments(StatementCreateSchema, location="json", error_status_code=422)
    @blp.response(201, StatementItemSchema)
    @problem_responses(
        blp, {**WRITE_ERRORS, 409: "The id is taken (or retired).", 415: "The body is not JSON."}
    )
    def post(self, _query: dict[str, Any], data: dict[str, Any]) -> Response:
        """Create a statement"""
        with unit_of_work() as session:

            def create() -> Response:
                statement = create_item(session, STATEMENTS, data=data, actor=key_name())
                return created(statement, "statements.StatementItem")

            return idempotent(session, create)


@blp.route("/<string:item_id>", parameters=[STATEMENT_ID])
class StatementItem(MethodView):
    @blp.doc(
        operationId="getStatement",
        description="The statement with its related items summarised under `related`.",
    )
    @blp.response(200, StatementItemSchema)
    @problem_responses(
        blp,
        {
            404: "No statement has this id.",
            410: "The statement was retired; its history is at its /revisions.",
        },
    )
    def get(self, item_id: str) -> Response:
        """Get one statement"""
        session = get_session()
        statement, version = STATEMENTS.fetch_versioned(session, item_id)
        remember_version(version)
        return json_response(found_or_gone(session, STATEMENTS, item_id, statement))

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="patchStatement",
        description=PATCH_DESCRIPTION,
        parameters=[IF_MATCH],
    )
    @guarded("write", json_body=True)
    @blp.arguments(StatementPatchSchema, location="json", error_status_code=422)
    @blp.response(200, StatementItemSchema)
    @problem_responses(
        blp,
        {
            **WRITE_ERRORS,
            404: "No statement has this id.",
            410: "The statement was retired.",
            412: "If-Match is not the current ETag.",
            415: "The body is not JSON.",
            428: "If-Match is missing.",
        },
    )
    def patch(self, changes: dict[str, Any], item_id: str) -> Response:
        """Change a statement (JSON merge patch)"""
        with unit_of_work() as session:
            statement = patch_item(
                session,
                STATEMENTS,
                item_id=item_id,
                changes=changes,
                if_match=request.if_match,
                actor=key_name(),
            )
        return written(statement)

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="retireStatement",
        description="Needs `write` and If-Match. The statement leaves the lists and answers 410; its "
        "history stays and an admin can restore it.",
        parameters=[IF_MATCH],
    )
    @guarded("write")
    @blp.response(204)
    @problem_responses(
        blp,
        {
            **WRITE_ERRORS,
            404: "No statement has this id.",
            410: "The statement was retired already.",
            412: "If-Match is not the current ETag.",
            428: "If-Match is missing.",
        },
    )
    def delete(self, item_id: str) -> Response:
        """Retire a statement (soft delete)"""
        with unit_of_work() as session:
            retire_item(session, STATEMENTS, item_id=item_id, if_match=request.if_match, actor=key_name())
        return Response(status=204)


@blp.route(
    "/<string:item_id>/revisions",
    parameters=[{**STATEMENT_ID, "description": "The statement id (also of a deleted one)."}],
)
class StatementRevisions(MethodView):
    @blp.doc(
        operationId="listStatementRevisions",
        description="Every revision of the statement, oldest first, with who made it and when.",
    )
    @blp.response(200, RevisionsSchema)
    @problem_responses(blp, {404: "No statement ever had this id."})
    def get(self, item_id: str) -> Response:
        """The history of one statement"""
        return json_response(revisions_or_404(get_session(), STATEMENTS, item_id))


@blp.route("/<string:item_id>/restore", parameters=[STATEMENT_ID])
class StatementRestore(MethodView):
    @blp.doc(security=WRITE_SECURITY, operationId="restoreStatement", description="Needs the `admin` scope.")
    @guarded("admin")
    @blp.response(200, StatementItemSchema)
    @problem_responses(
        blp,
        {
            **WRITE_ERRORS,
            404: "No statement has this id.",
            409: "The statement is not retired (or was merged).",
        },
    )
    def post(self, item_id: str) -> Response:
        """Restore a retired statement"""
        with unit_of_work() as session:
            statement = restore_item(session, STATEMENTS, item_id=item_id, actor=key_name())
        return written(statement)
