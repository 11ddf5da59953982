"""What the item routes of the four collections share: reading one item (or its 404/410),
its history, the guard and the response of a write, and how they are documented.

No route is defined here: each collection's module writes its own routes and calls these.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Response, g, request, url_for
from sqlalchemy.orm import Session

from api.collections import Collection
from api.http.auth import require_scope
from api.http.jsonio import json_response
from api.http.problems import PROBLEM_MIMETYPE, ClientError
from api.http.smorest import BEARER_SCHEME, Blueprint
from api.queries.changes import item_revisions
from api.queries.shapes import is_retired
from api.representation import representation_etag
from schemas.common import ProblemSchema

F = TypeVar("F", bound=Callable[..., Any])

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
CREATE_DESCRIPTION = (
    "Needs a key with the `write` scope. The body is checked as `flask seed` checks the curated "
    "files: spans must be the article text at their offsets, references must name live items "
    "(422 naming each problem). Answers 201 with the item, its ETag and Location. "
    "With `Idempotency-Key`, a retry of the same request within 24 hours gets the first response "
    "again (header `Idempotent-Replayed: true`); the same key with another request is a 422."
)
PATCH_DESCRIPTION = (
    "Needs `write` and If-Match. The fields given replace the current ones (lists are replaced "
    "whole); the result is checked like a POST and a revision is kept."
)


def problem_responses(blp: Blueprint, statuses: dict[int, str]) -> Callable[[F], F]:
    """Document a problem+json response for each status, with its description."""

    def decorate(view: F) -> F:
        for status, description in statuses.items():
            view = blp.alt_response(
                status, schema=ProblemSchema, content_type=PROBLEM_MIMETYPE, description=description
            )(view)
        return view

    return decorate


def found_or_404(
    item: dict[str, Any] | None, kind: str, item_id: str, *, retired: bool = False
) -> dict[str, Any]:
    """The item, or 410 when it was retired (its history stays at .../revisions), or 404."""
    if item is None:
        if retired:
            raise ClientError(410, f"The {kind} {item_id!r} was retired; its history is at its /revisions.")
        raise ClientError(404, f"No {kind} with id {item_id!r}.")
    return item


def found_or_gone(
    session: Session, collection: Collection, item_id: str, item: dict[str, Any] | None
) -> dict[str, Any]:
    """``item`` as read by the item query; when it is None, 410 for a retired item, else 404."""
    retired = item is None and is_retired(session, collection.model, item_id)
    return found_or_404(item, collection.singular, item_id, retired=retired)


def revisions_or_404(session: Session, collection: Collection, item_id: str) -> dict[str, Any]:
    """``{"data": [...]}``: every revision of the item, oldest first, also of a retired one."""
    history = item_revisions(session, collection=collection.name, item_id=item_id)
    if not history:
        raise ClientError(404, f"No {collection.singular} ever had the id {item_id!r}.")
    return {"data": history}


def guarded(scope: str, *, json_body: bool = False) -> Callable[[F], F]:
    """Check the key's scope, then the content type, before the body is even parsed."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require_scope(scope)
            if json_body and not request.is_json:
                raise ClientError(
                    415, "Send the body as application/json (or application/merge-patch+json for PATCH)."
                )
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def key_name() -> str:
    """The name of the key that authorised the write: the actor of its revisions."""
    return g.api_key.name


def written(item: dict[str, Any]) -> Response:
    """200 with the item as written and its ETag (the If-Match of the next write)."""
    return json_response(item, headers={"ETag": f'"{representation_etag(item)}"'})


def created(item: dict[str, Any], endpoint: str) -> Response:
    """201 with the new item, its ETag and, in Location, its URL (the item route ``endpoint``)."""
    location = url_for(endpoint, item_id=item["id"], _external=True)
    return json_response(
        item, status=201, headers={"ETag": f'"{representation_etag(item)}"', "Location": location}
    )
