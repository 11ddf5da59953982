"""/v1/articles: list, create (with an optional extraction), read, change, retire and restore
articles, and their history."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from sqlalchemy.orm import Session

from api.collections import ARTICLES
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
from api.writes.ingest import article_id, propose
from api.writes.items import create_item, patch_item, restore_item, retire_item
from schemas.articles import ArticleItemSchema, ArticleListArgsSchema, ArticlePageSchema
from schemas.changes import RevisionsSchema
from schemas.writes import ArticleCreateArgsSchema, ArticleCreateSchema, ArticlePatchSchema

blp = Blueprint("articles", __name__, url_prefix="/v1/articles", description=ARTICLES.description)
ARTICLE_ID = {
    "in": "path",
    "name": "item_id",
    "description": "The article id.",
    "example": ARTICLES.id_example,
}


def _with_id(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    """A body without an id gets the one `flask ingest` would make."""
    return body if "id" in body else {**body, "id": article_id(session, body)}


def _with_proposals(session: Session, article: dict[str, Any]) -> dict[str, Any]:
    """?extract=true: the extraction pipeline's proposals stored with the new article."""
    propose(session, article["id"], actor=key_name())
    return ARTICLES.fetch(session, article["id"]) or article


@blp.route("")
class Articles(MethodView):
    @blp.doc(operationId="listArticles", description=f"Articles {LIST_DESCRIPTION}")
    @blp.arguments(ArticleListArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, ArticlePageSchema, headers=LINK_HEADER, description=LIST_200)
    @streamed_alternatives(blp)
    def get(self, args: dict[str, Any]) -> Response:
        """List articles"""
        return list_or_stream(ARTICLES, args)

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="createArticle",
        description=CREATE_DESCRIPTION,
        parameters=[IDEMPOTENCY_KEY],
    )
    @guarded("write", json_body=True)
    @blp.arguments(ArticleCreateArgsSchema, location="query", as_kwargs=False)
    @blp.arguments(ArticleCreateSchema, location="json", error_status_code=422)
    @blp.response(201, ArticleItemSchema)
    @problem_responses(
        blp, {**WRITE_ERRORS, 409: "The id is taken (or retired).", 415: "The body is not JSON."}
    )
    def post(self, query: dict[str, Any], data: dict[str, Any]) -> Response:
        """Create an article"""
        with unit_of_work() as session:

            def create() -> Response:
                article = create_item(session, ARTICLES, data=_with_id(session, data), actor=key_name())
                if query.get("extract"):
                    article = _with_proposals(session, article)
                return created(article, "articles.ArticleItem")

            return idempotent(session, create)


@blp.route("/<string:item_id>", parameters=[ARTICLE_ID])
class ArticleItem(MethodView):
    @blp.doc(
        operationId="getArticle",
        description="The article with its related items summarised under `related`.",
    )
    @blp.response(200, ArticleItemSchema)
    @problem_responses(
        blp,
        {
            404: "No article has this id.",
            410: "The article was retired; its history is at its /revisions.",
        },
    )
    def get(self, item_id: str) -> Response:
        """Get one article"""
        session = get_session()
        article = ARTICLES.fetch(session, item_id)
        return json_response(found_or_gone(session, ARTICLES, item_id, article))

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="patchArticle",
        description=PATCH_DESCRIPTION,
        parameters=[IF_MATCH],
    )
    @guarded("write", json_body=True)
    @blp.arguments(ArticlePatchSchema, location="json", error_status_code=422)
    @blp.response(200, ArticleItemSchema)
    @problem_responses(
        blp,
        {
            **WRITE_ERRORS,
            404: "No article has this id.",
            410: "The article was retired.",
            412: "If-Match is not the current ETag.",
            415: "The body is not JSON.",
            428: "If-Match is missing.",
        },
    )
    def patch(self, changes: dict[str, Any], item_id: str) -> Response:
        """Change an article (JSON merge patch)"""
        with unit_of_work() as session:
            article = patch_item(
                session,
                ARTICLES,
                item_id=item_id,
                changes=changes,
                if_match=request.if_match,
                actor=key_name(),
            )
        return written(article)

    @blp.doc(
        security=WRITE_SECURITY,
        operationId="retireArticle",
        description="Needs `write` and If-Match. The article leaves the lists and answers 410; its "
        "history stays and an admin can restore it. An article with live statements cannot be "
        "retired (409).",
        parameters=[IF_MATCH],
    )
    @guarded("write")
    @blp.response(204)
    @problem_responses(
        blp,
        {
            **WRITE_ERRORS,
            404: "No article has this id.",
            409: "The article still has live statements.",
            410: "The article was retired already.",
            412: "If-Match is not the current ETag.",
            428: "If-Match is missing.",
        },
    )
    def delete(self, item_id: str) -> Response:
        """Retire an article (soft delete)"""
        with unit_of_work() as session:
            retire_item(session, ARTICLES, item_id=item_id, if_match=request.if_match, actor=key_name())
        return Response(status=204)


@blp.route(
    "/<string:item_id>/revisions",
    parameters=[{**ARTICLE_ID, "description": "The article id (also of a deleted one)."}],
)
class ArticleRevisions(MethodView):
    @blp.doc(
        operationId="listArticleRevisions",
        description="Every revision of the article, oldest first, with who made it and when.",
    )
    @blp.response(200, RevisionsSchema)
    @problem_responses(blp, {404: "No article ever had this id."})
    def get(self, item_id: str) -> Response:
        """The history of one article"""
        return json_response(revisions_or_404(get_session(), ARTICLES, item_id))


@blp.route("/<string:item_id>/restore", parameters=[ARTICLE_ID])
class ArticleRestore(MethodView):
    @blp.doc(security=WRITE_SECURITY, operationId="restoreArticle", description="Needs the `admin` scope.")
    @guarded("admin")
    @blp.response(200, ArticleItemSchema)
    @problem_responses(
        blp,
        {
            **WRITE_ERRORS,
            404: "No article has this id.",
            409: "The article is not retired (or was merged).",
        },
    )
    def post(self, item_id: str) -> Response:
        """Restore a retired article"""
        with unit_of_work() as session:
            article = restore_item(session, ARTICLES, item_id=item_id, actor=key_name())
        return written(article)
