"""Keeps ``search_documents`` in step with the data: one document per live item.

Every write path calls :func:`sync_search_index` inside its transaction, for the items it
touched (or for everything, as the seed loader does); the backend-specific index (FTS5
table or tsvector column) follows ``search_documents`` by itself.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.collections import BY_SINGULAR, COLLECTIONS
from api.models import SearchDocument
from api.queries.search_documents import only
from api.search_text import terms


def sync_search_index(
    session: Session, doc_type: str | None = None, ids: Collection[str] | None = None
) -> int:
    """Insert, update or remove documents so they match the live items; returns the changes."""
    changes = 0
    for collection in [BY_SINGULAR[doc_type]] if doc_type else COLLECTIONS:
        kind = collection.singular
        wanted = collection.search_texts(session, ids)
        existing_rows = select(SearchDocument).where(SearchDocument.doc_type == kind)
        existing = {d.item_id: d for d in session.scalars(only(existing_rows, SearchDocument.item_id, ids))}
        for item_id, content in wanted.items():
            document = existing.get(item_id)
            if document is None:
                session.add(
                    SearchDocument(
                        doc_type=kind, item_id=item_id, content=content, terms=" ".join(terms(content))
                    )
                )
                changes += 1
            elif document.content != content:
                document.content = content
                document.terms = " ".join(terms(content))
                changes += 1
        stale = [item_id for item_id in existing if item_id not in wanted]
        if stale:
            session.execute(
                delete(SearchDocument).where(
                    SearchDocument.doc_type == kind, SearchDocument.item_id.in_(stale)
                )
            )
            changes += len(stale)
    session.flush()
    return changes
