"""Dataset-wide figures: version and counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Article, DatasetState, Entity, Event, Mention, Statement


def dataset_state(session: Session) -> DatasetState | None:
    return session.get(DatasetState, 1)


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
