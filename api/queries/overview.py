"""Dataset-wide figures: version and counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Article, DatasetState, Entity, Event, Mention, Statement
from api.queries import Prepared, run
from api.queries.live_counts import live_rows
from api.queries.paging import counted, versioned_key

_STATE = DatasetState.__table__
# the dataset version as a column of another query: an item read with it needs no second statement
DATASET_VERSION = select(_STATE.c.version).where(_STATE.c.id == 1).scalar_subquery().label("dataset_version")
_DATASET_STATE = Prepared(
    select(_STATE.c.version, _STATE.c.changed_at, _STATE.c.search_version).where(_STATE.c.id == 1)
)


def dataset_state(session: Session) -> Any:
    """The dataset version, when it changed and the search documents' version (``.version``,
    ``.changed_at``, ``.search_version``), read on every request: a plain row of table columns,
    so neither an ORM object nor the ORM's result processing is involved."""
    return run(session, _DATASET_STATE).first()


def resource_counts(session: Session, version: str | None = None) -> dict[str, int]:
    """How many live items each collection holds (kept by the database: api.queries.live_counts)
    and how many mentions live articles hold (counted once per dataset version ``version``)."""

    def mentions() -> int:
        live_mentions = (
            select(func.count())
            .select_from(Mention)
            .join(Article, Article.id == Mention.article_id)
            .where(Article.deleted_at.is_(None))
        )
        return session.scalar(live_mentions) or 0

    return {
        "articles": live_rows(session, Article.__tablename__),
        "entities": live_rows(session, Entity.__tablename__),
        "statements": live_rows(session, Statement.__tablename__),
        "events": live_rows(session, Event.__tablename__),
        "mentions": counted(mentions, versioned_key(session, version, "mentions")),
    }
