"""GET /v1/search: every collection at once, ranked, with highlighted snippets."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from api.collections import COLLECTIONS
from api.db import get_session
from api.http.jsonio import json_response
from api.http.smorest import Blueprint
from api.queries.dataset_version import current_search_version, current_version
from api.queries.paging import Page
from api.queries.search import SEARCH_WINDOW, search_documents, search_hits
from api.views.listing import LINK_HEADER, list_response
from schemas.search import SearchArgsSchema, SearchPageSchema

SUMMARIES = {c.singular: (c.model, c.summary) for c in COLLECTIONS}
blp = Blueprint("search", __name__, url_prefix="/v1", description="Full-text search across collections.")


@blp.route("/search")
class Search(MethodView):
    @blp.doc(
        operationId="search",
        summary="Search articles, entities, statements and events",
        description=(
            "Ranked hits across every collection (or those given in `type`), best first, each with an "
            "HTML-escaped snippet where matching words are wrapped in `<mark>`, the offsets of every "
            "match and a summary of the item. Words are stemmed (French), accents, case and apostrophes "
            'ignored; `"…"` searches a phrase, `word*` a prefix. A malformed query is a 400. '
            f"Hits are ranked within windows of the {SEARCH_WINDOW:,} most recently indexed matching "
            "documents, newest window first: a search matching fewer documents is ranked as a whole, and "
            "one matching many costs what a window costs. `meta.count` is the exact number of matches."
        ),
    )
    @blp.arguments(SearchArgsSchema, location="query", as_kwargs=False)
    @blp.response(200, SearchPageSchema, headers=LINK_HEADER)
    def get(self, args: dict[str, Any]) -> Response:
        session = get_session()
        page, clauses = search_documents(
            session,
            q=args["q"],
            types=args.get("type"),
            limit=args["limit"],
            cursor=args.get("cursor"),
            version=current_version(),
            index_version=current_search_version(),
        )
        hits = search_hits(session, page, clauses, SUMMARIES)
        body, headers = list_response(
            Page(items=hits, count=page.count, next_cursor=page.next_cursor, limit=page.limit)
        )
        return json_response(body, headers=headers)
