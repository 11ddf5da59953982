"""Load validated seed rows into the database idempotently, in one transaction.

Rows are compared column by column with what is stored: new rows are inserted, changed
rows updated (``updated_at`` moves), rows that left the seeds are retired (resources get
``deleted_at``; link rows are removed). A second run with the same seeds writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.checks import SeedRows
from api.collections import LOAD_ORDER
from api.models import Base, DatasetState, Timestamps
from api.writes.history import record_changes
from api.writes.search_index import sync_search_index


@dataclass
class LoadReport:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    retired: dict[str, int] = field(default_factory=dict)
    search_documents: int = 0  # documents of the search index written or removed
    version: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            any(self.inserted.values())
            or any(self.updated.values())
            or any(self.retired.values())
            or self.search_documents
        )


def _key(model: type[Base], row: Any) -> tuple[Any, ...]:
    columns = model.__table__.primary_key.columns
    if isinstance(row, dict):
        return tuple(row[c.key] for c in columns)
    return tuple(getattr(row, c.key) for c in columns)


def _sync(
    session: Session, model: type[Base], rows: list[dict[str, Any]], now: datetime
) -> tuple[int, int, int]:
    tracked = issubclass(model, Timestamps)
    existing = {_key(model, obj): obj for obj in session.scalars(select(model))}
    inserted = updated = retired = 0
    wanted = set()
    for row in rows:
        key = _key(model, row)
        wanted.add(key)
        obj = existing.get(key)
        if obj is None:
            extra = {"created_at": now, "updated_at": now, "deleted_at": None} if tracked else {}
            session.add(model(**row, **extra))
            inserted += 1
            continue
        changed = {k: v for k, v in row.items() if getattr(obj, k) != v}
        if tracked and obj.deleted_at is not None:
            obj.deleted_at = None
            changed["deleted_at"] = None
        if changed:
            for name, value in changed.items():
                setattr(obj, name, value)
            if tracked:
                obj.updated_at = now
            updated += 1
    stale = [key for key in existing if key not in wanted]
    for key in stale:
        obj = existing[key]
        if tracked:
            if obj.deleted_at is None:
                obj.deleted_at = now
                obj.updated_at = now
                retired += 1
        else:
            session.delete(obj)
            retired += 1
    session.flush()
    return inserted, updated, retired


def load_seed_rows(session: Session, rows: SeedRows) -> LoadReport:
    """Synchronise the database with ``rows``. The caller owns the transaction."""
    now = datetime.now(UTC)
    report = LoadReport()
    for name, model in LOAD_ORDER:
        inserted, updated, retired = _sync(session, model, getattr(rows, name), now)
        report.inserted[name], report.updated[name], report.retired[name] = inserted, updated, retired
    report.search_documents = sync_search_index(session)
    record_changes(session, actor="seed")
    state = session.get(DatasetState, 1)
    if state is None:
        state = DatasetState(id=1, version=0, digest="", changed_at=now)
        session.add(state)
    if report.changed or state.digest != rows.digest:
        state.version += 1
        state.digest = rows.digest
        state.changed_at = now
    report.version = state.version
    session.flush()
    return report
