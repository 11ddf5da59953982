"""The list envelope and its Link header: the one place a page becomes a response."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import request

from api.errors import ClientError
from api.queries.paging import Page

PAGING_ARGS = ("limit", "cursor", "sort")
SHAPING_ARGS = ("fields", "expand", "facets", "facet_size", "format", "bom")


def _url_with_cursor(cursor: str) -> str:
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    pairs.append(("cursor", cursor))
    return f"{request.base_url}?{urlencode(pairs)}"


def list_response(page: Page) -> tuple[dict[str, Any], dict[str, str]]:
    """``(body, headers)`` for a page: ``{data, meta, links}`` and ``Link: rel="next"``."""
    next_url = _url_with_cursor(page.next_cursor) if page.next_cursor else None
    body = {
        "data": page.items,
        "meta": {"count": page.count, "limit": page.limit, "next_cursor": page.next_cursor},
        "links": {"self": request.url, "next": next_url},
    }
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return body, headers


def split_list_args(args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Filters, paging arguments (as the query functions take them) and output shaping."""
    paging = {k: args.get(k) for k in PAGING_ARGS}
    shaping = {k: args[k] for k in SHAPING_ARGS if k in args}
    filters = {k: v for k, v in args.items() if k not in PAGING_ARGS and k not in SHAPING_ARGS}
    return filters, paging, shaping


def found_or_404(
    item: dict[str, Any] | None, kind: str, item_id: str, *, retired: bool = False
) -> dict[str, Any]:
    """The item, or 410 when it was retired (its history stays at .../revisions), or 404."""
    if item is None:
        if retired:
            raise ClientError(410, f"The {kind} {item_id!r} was retired; its history is at its /revisions.")
        raise ClientError(404, f"No {kind} with id {item_id!r}.")
    return item
