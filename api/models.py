"""Typed ORM models: the data model of PRODUCT.md §2, nothing else.

Fuzzy dates are stored as four columns: the value as written (``2024-10``), its
precision, a note, and the first and last day the value covers, so range filters are
plain indexed comparisons (overlap: ``first <= to AND last >= from``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from schemas.vocabulary import ENTITY_TYPES, EVENT_TYPES, PRECISIONS, STATEMENT_KINDS, STATUSES


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Reviewed:
    """Proposals of the extraction pipeline are ``proposed`` with a confidence; curators verify them."""

    status: Mapped[str] = mapped_column(String(10), default="verified", server_default="verified")
    confidence: Mapped[float | None] = mapped_column(Float)


class Entity(Timestamps, Reviewed, Base):
    __tablename__ = "entities"
    __table_args__ = (
        CheckConstraint(_in("type", ENTITY_TYPES), name="type"),
        CheckConstraint(_in("status", STATUSES), name="status"),
    )

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # accent-, case-, apostrophe- and dash-folded name, for matching names (api.text.fold)
    name_normalized: Mapped[str] = mapped_column(String(300), index=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    wikidata: Mapped[str | None] = mapped_column(String(20))
    # set when the entity was merged into another: its id then redirects there (308)
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("entities.id"))


class EntityAlias(Base):
    __tablename__ = "entity_aliases"

    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True)
    alias: Mapped[str] = mapped_column(String(300), primary_key=True)
    language: Mapped[str] = mapped_column(String(10), primary_key=True)
    in_text: Mapped[bool]
    # accent-, case- and apostrophe-folded form, for matching names
    normalized: Mapped[str] = mapped_column(String(300), index=True)


class Article(Timestamps, Base):
    __tablename__ = "articles"
    __table_args__ = (CheckConstraint(_in("published_precision", PRECISIONS), name="published_precision"),)

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10), index=True)
    published_value: Mapped[str] = mapped_column(String(10))
    published_precision: Mapped[str] = mapped_column(String(5))
    published_note: Mapped[str | None] = mapped_column(Text)
    published_start: Mapped[date] = mapped_column(Date, index=True)
    published_end: Mapped[date] = mapped_column(Date)
    outlet_id: Mapped[str | None] = mapped_column(ForeignKey("entities.id"), index=True)
    source_url: Mapped[str | None] = mapped_column(Text)
    source_file: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    notes: Mapped[str | None] = mapped_column(Text)


class ArticleCitedOutlet(Base):
    __tablename__ = "article_cited_outlets"

    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True, index=True)


class Mention(Reviewed, Base):
    __tablename__ = "mentions"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        Index("ix_mentions_entity_article", "entity_id", "article_id"),
        Index("ix_mentions_article_start", "article_id", "start"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class Event(Timestamps, Reviewed, Base):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(_in("type", EVENT_TYPES), name="type"),
        CheckConstraint(_in("date_precision", PRECISIONS), name="date_precision"),
        CheckConstraint(_in("status", STATUSES), name="status"),
    )

    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    date_value: Mapped[str] = mapped_column(String(10))
    date_precision: Mapped[str] = mapped_column(String(5))
    date_note: Mapped[str | None] = mapped_column(Text)
    date_start: Mapped[date] = mapped_column(Date, index=True)
    date_end: Mapped[date] = mapped_column(Date)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("entities.id"), index=True)
    # true when the text states the event as a plan, a deadline or a possibility; its date is
    # then the announced time, not a record that it happened
    planned: Mapped[bool] = mapped_column(default=False, server_default=false())


class EventParticipant(Base):
    __tablename__ = "event_participants"

    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(80), primary_key=True)


class EventEvidence(Base):
    __tablename__ = "event_evidence"
    __table_args__ = (Index("ix_event_evidence_article_event", "article_id", "event_id"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class Statement(Timestamps, Reviewed, Base):
    __tablename__ = "statements"
    __table_args__ = (
        CheckConstraint(_in("kind", STATEMENT_KINDS), name="kind"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(
            "said_on_precision IS NULL OR " + _in("said_on_precision", PRECISIONS),
            name="said_on_precision",
        ),
        # ix_statements_said_on_order and ix_statements_speaker_said_on_order, on
        # (speaker_id,) said_on_rank, said_on_sort, id: written per backend (migration 0008)
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id"), index=True)
    speaker_id: Mapped[str] = mapped_column(ForeignKey("entities.id"))
    kind: Mapped[str] = mapped_column(String(10), index=True)
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    said_on_value: Mapped[str | None] = mapped_column(String(10))
    said_on_precision: Mapped[str | None] = mapped_column(String(5))
    said_on_note: Mapped[str | None] = mapped_column(Text)
    said_on_start: Mapped[date | None] = mapped_column(Date, index=True)
    said_on_end: Mapped[date | None] = mapped_column(Date)
    event_id: Mapped[str | None] = mapped_column(ForeignKey("events.id"), index=True)
    channel_id: Mapped[str | None] = mapped_column(ForeignKey("entities.id"))
    # the list's order, computed by the database: undated last, then by date (migration 0008)
    said_on_rank: Mapped[int] = mapped_column(
        Integer, Computed("CASE WHEN said_on_start IS NULL THEN 1 ELSE 0 END"), deferred=True
    )
    said_on_sort: Mapped[date] = mapped_column(
        Date, Computed("coalesce(said_on_start, '9999-12-31')"), deferred=True
    )


class StatementAbout(Base):
    __tablename__ = "statement_about"

    statement_id: Mapped[str] = mapped_column(
        ForeignKey("statements.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True, index=True)


class DatasetState(Base):
    """One row: the dataset version, bumped by every change that reaches the database."""

    __tablename__ = "dataset_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # bumped by triggers on entity_aliases (migration 0010): the spelling variants' version
    aliases_version: Mapped[int] = mapped_column(Integer, server_default="0")
    # bumped by triggers on search_documents (migration 0012): what search counts are kept by
    search_version: Mapped[int] = mapped_column(Integer, server_default="0")


class LiveCount(Base):
    """The live rows (``deleted_at IS NULL``) of a collection's table (``column_name`` ``'*'``), or
    those with one value of a single-valued facet column, kept by triggers as rows change
    (migration 0011). NULL is ``is_null`` true with an empty ``value``; a boolean is ``'true'`` or
    ``'false'``. A count may be 0."""

    __tablename__ = "live_counts"
    # ix_live_counts_order on (table_name, column_name, count DESC, is_null, value): a facet's
    # values in the order it shows them, written per backend (migration 0011)

    table_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    column_name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(160), primary_key=True)
    is_null: Mapped[bool] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class SearchDocument(Base):
    """One searchable item: its text (for snippets) and its stems (what the index holds).

    SQLite indexes ``terms`` in the FTS5 table ``search_fts`` (kept in sync by triggers);
    PostgreSQL in the generated ``tsv`` column with a GIN index. Both are made by migration
    0002 and are invisible to the ORM.
    """

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("doc_type", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str] = mapped_column(String(160))
    content: Mapped[str] = mapped_column(Text)
    terms: Mapped[str] = mapped_column(Text)


class ApiKey(Base):
    """A curator's key: only a SHA-256 of the secret is kept, with its scopes."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # public part of the key
    name: Mapped[str] = mapped_column(String(100), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(100))  # space-separated: read write admin
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Revision(Base):
    """One change of one item: what it became (``data``, null when retired), who, when.

    The sequence of revisions is the change feed; an item's revisions are its history.
    """

    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_item", "collection", "item_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[str] = mapped_column(String(160))
    action: Mapped[str] = mapped_column(String(10))  # create | update | delete
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class IdempotencyRecord(Base):
    """The first response to a POST sent with an Idempotency-Key, replayed for 24 hours."""

    __tablename__ = "idempotency_records"

    actor: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
