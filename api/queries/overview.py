"""Dataset-wide figures: version and counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Article, DatasetState, Entity, Event, Mention, Statement
from api.queries import Prepared, run

_STATE = DatasetState.__table__
_DATASET_STATE = Prepared(select(_STATE.c.version, _STATE.c.changed_at).where(_STATE.c.id == 1))


def dataset_state(session: Session) -> Any:
    """The dataset version and when it changed (``.version``, ``.changed_at``), read on every
    request: a plain row of table columns, so neither an ORM object nor the ORM's result
    processing is involved."""
    return run(session, _DATASET_STATE).first()


def resource_counts(session: Session) -> dict[str, int]:
    def live(model: Any) -> int:
        return session.scalar(select(func.count()).select_from(model).where(model.deleted_at.is_(None))) or 0

    mentions = session.scalar(
        select(func.count())
        .select_from(Mention)
        .join(Article, Article.id == Mention.article_id)
        .where(Article.deleted_at.is_(None))
    )
    return {
        "articles": live(Article),
        "entities": live(Entity),
        "statements": live(Statement),
        "events": live(Event),
        "mentions": mentions or 0,
    }
