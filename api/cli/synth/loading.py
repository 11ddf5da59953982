"""Bulk writes of a synthetic dataset into a migrated database, in one transaction.

SQLite gets Core bulk inserts with fsync off and a big page cache for the loading connection;
PostgreSQL gets COPY without a statement timeout, then ANALYZE.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.orm import Session

from api.cli.synth import ARTICLE_PREFIX, DEFAULT_SEED, ENTITY_PREFIX, EVENT_PREFIX
from api.cli.synth.generator import Generator
from api.db import lift_statement_timeout
from api.ids import content_hash
from api.models import (
    Article,
    ArticleCitedOutlet,
    DatasetState,
    Entity,
    EntityAlias,
    Event,
    EventEvidence,
    EventParticipant,
    Mention,
    SearchDocument,
    Statement,
    StatementAbout,
)
from api.writes.search_index import sync_search_index

# Parents before children, so foreign keys always point at existing rows.
CHUNK_TABLES = (
    ("articles", Article),
    ("article_cited_outlets", ArticleCitedOutlet),
    ("mentions", Mention),
    ("statements", Statement),
    ("statement_about", StatementAbout),
    ("event_evidence", EventEvidence),
    ("search_documents", SearchDocument),
)
INSERT_BATCH = 10_000


class SynthRefused(Exception):
    """The database holds data this run must not mix with."""


@dataclass
class SynthReport:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    version: int = 0
    built: bool = True  # False when the database already held this very dataset
    seconds: float = 0.0


def synth_digest(articles: int, seed: int) -> str:
    """The dataset_state digest of a synthetic dataset: it names its parameters."""
    return content_hash(f"veille-synth:v1:articles={articles}:seed={seed}")


def _insert(connection: Connection, model: Any, rows: list[dict[str, Any]], report: SynthReport) -> None:
    """Core bulk inserts of ``rows``; PostgreSQL gets them through COPY, several times faster."""
    table = model.__table__
    report.counts[table.name] += len(rows)
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        columns = list(rows[0])
        quoted = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
        cursor = connection.connection.driver_connection.cursor()  # psycopg's own connection
        with cursor, cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return
    for first in range(0, len(rows), INSERT_BATCH):
        connection.execute(insert(table), rows[first : first + INSERT_BATCH])


def existing_data(connection: Connection, articles: int, seed: int) -> str:
    """``empty``, ``same`` (this very dataset), ``synthetic`` (another one) or ``foreign``."""
    foreign = any(
        connection.execute(select(model.id).where(~model.id.startswith(prefix)).limit(1)).first()
        for model, prefix in ((Article, ARTICLE_PREFIX), (Entity, ENTITY_PREFIX), (Event, EVENT_PREFIX))
    )
    synthetic = (
        connection.execute(select(Article.id).where(Article.id.startswith(ARTICLE_PREFIX)).limit(1)).first()
        or connection.execute(select(Entity.id).where(Entity.id.startswith(ENTITY_PREFIX)).limit(1)).first()
    )
    if synthetic:
        digest = connection.execute(select(DatasetState.digest).where(DatasetState.id == 1)).scalar()
        return "same" if digest == synth_digest(articles, seed) else "synthetic"
    return "foreign" if foreign else "empty"


def _bulk_settings(connection: Connection, loading: bool) -> None:
    """SQLite: no fsync and a big page cache while loading (a crash means starting again anyway),
    and temporary files in memory: each row inserted into a table with triggers (the live counts,
    migration 0011) opens a statement journal, a temporary file by default, which made the
    triggers cost three times what they do in memory."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA synchronous={'OFF' if loading else 'NORMAL'}")
        connection.exec_driver_sql(f"PRAGMA cache_size={-262144 if loading else -2000}")  # KiB: 256 MiB
        connection.exec_driver_sql(f"PRAGMA temp_store={'MEMORY' if loading else 'DEFAULT'}")
        connection.commit()


def populate(
    connection: Connection,
    generator: Generator,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SynthReport:
    """Writes ``generator``'s dataset through ``connection``, in the caller's transaction."""
    started = time.perf_counter()
    report = SynthReport()
    state = existing_data(connection, generator.n_articles, generator.seed)
    if state == "same":
        report.built = False
        report.version = (
            connection.execute(select(DatasetState.version).where(DatasetState.id == 1)).scalar() or 0
        )
        return report
    if state == "synthetic":
        raise SynthRefused(
            "this database already holds synthetic data built with other parameters; "
            "build into a new database (e.g. a new SQLite file)"
        )
    if state == "foreign" and not force:
        raise SynthRefused(
            "this database holds non-synthetic data; use --force to add synthetic data beside it"
        )
    if connection.dialect.name == "postgresql":
        lift_statement_timeout(connection)

    entities, aliases = generator.entity_rows()
    _insert(connection, Entity, entities, report)
    _insert(connection, EntityAlias, aliases, report)
    events, participants = generator.event_rows()
    _insert(connection, Event, events, report)
    _insert(connection, EventParticipant, participants, report)
    for count, chunk in generator.chunks():
        for name, model in CHUNK_TABLES:
            _insert(connection, model, chunk.rows.get(name, []), report)
        if progress is not None:
            progress(count)

    # entities and events are few: their documents are exactly what the app itself writes
    with Session(bind=connection) as session:
        report.counts["search_documents"] += sync_search_index(session, "entity")
        report.counts["search_documents"] += sync_search_index(session, "event")
        dataset_state = session.get(DatasetState, 1)
        now = datetime.now(UTC)
        if dataset_state is None:
            dataset_state = DatasetState(id=1, version=0, digest="", changed_at=now)
            session.add(dataset_state)
        dataset_state.version += 1
        dataset_state.digest = synth_digest(generator.n_articles, generator.seed)
        dataset_state.changed_at = now
        session.flush()
        report.version = dataset_state.version
    report.seconds = time.perf_counter() - started
    return report


def build(
    engine: Engine,
    articles: int,
    seed: int = DEFAULT_SEED,
    *,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SynthReport:
    """Generates and loads a synthetic dataset into a migrated database, in one transaction."""
    generator = Generator(articles, seed)
    with engine.connect() as connection:
        _bulk_settings(connection, loading=True)
        try:
            with connection.begin():
                report = populate(connection, generator, force=force, progress=progress)
        finally:
            _bulk_settings(connection, loading=False)
        if connection.dialect.name == "sqlite" and report.built:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.dialect.name == "postgresql" and report.built:
            connection.exec_driver_sql("ANALYZE")  # what autovacuum would soon do
        connection.commit()
    return report
