"""Revisions: every change of an article, entity, statement or event, kept forever.

Writers call :func:`record_changes` inside their transaction with the items they may have
touched; it compares each item's current shape with its last revision and appends a
revision where they differ (``create``, ``update``) or where the item is gone (``delete``).
The shape is the list item (for articles, with their mentions) without what other items
change (timestamps, counts). A merged entity's last revision is a ``merge`` naming its target.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from api.collections import BY_NAME, COLLECTIONS
from api.models import Revision
from api.queries.changes import last_revisions, live_rows

VOLATILE = ("created_at", "updated_at", "counts")
GONE = ("delete", "merge")  # actions after which an item is no longer served


def _shape(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in VOLATILE}


def record_changes(
    session: Session, *, actor: str, collection: str | None = None, ids: Collection[str] | None = None
) -> int:
    """Append a revision for each item (of ``collection``, or all) whose shape changed."""
    now = datetime.now(UTC)
    written = 0
    for kind in [BY_NAME[collection]] if collection else COLLECTIONS:
        name = kind.name
        rows = live_rows(session, model=kind.model, ids=ids)
        current = {item["id"]: _shape(item) for item in kind.revision_data(session, rows)}
        last = last_revisions(session, collection=name, ids=ids)
        for item_id, data in current.items():
            previous = last.get(item_id)
            if previous is None or previous.action in GONE or previous.data != data:
                action = "update" if previous is not None and previous.action not in GONE else "create"
                session.add(
                    Revision(collection=name, item_id=item_id, action=action, actor=actor, at=now, data=data)
                )
                written += 1
        for item_id, previous in last.items():
            if item_id not in current and previous.action not in GONE:
                session.add(
                    Revision(
                        collection=name, item_id=item_id, action="delete", actor=actor, at=now, data=None
                    )
                )
                written += 1
    session.flush()
    return written
