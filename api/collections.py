"""The four collections of the dataset, each declared once.

A collection is everything the service knows about one kind of item: its model and the
tables of its child rows, its fields in the order the API shows them (which of them a write
body holds), its list (filters, sorts) and item queries, its summary (search hits,
`related`), its facets and expandable fields, how a new item's id is made, and the text its
search document holds. Views, writes, checks, history, the search index and the seed loader
read it from here.

To add a field to statements: the model (api/models.py), a migration, a `Field` in
`STATEMENTS.fields` below, and the schemas (schemas/statements.py, schemas/writes.py).
README's "How to add a field" walks through it, and tests/test_add_a_field.py does it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Collection as Ids
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from sqlalchemy.orm import Session

from api import ids
from api.models import (
    Article,
    ArticleCitedOutlet,
    Base,
    Entity,
    EntityAlias,
    Event,
    EventEvidence,
    EventParticipant,
    Mention,
    Statement,
    StatementAbout,
)
from api.queries import articles, entities, events, search_documents, statements
from api.queries.facets import Facet
from api.queries.paging import Listing, SortKey
from api.queries.shapes import (
    FUZZY,
    LINKED,
    Field,
    Found,
    Linked,
    Shape,
    article_summary,
    entity_summary,
    event_summary,
    statement_summary,
)
from schemas.articles import ArticleSchema
from schemas.entities import EntitySchema
from schemas.events import EventSchema
from schemas.statements import StatementSchema

# what an expandable field holds: one id, a list of ids, or participants ({entity, role})
ONE, MANY, PARTICIPANTS = "one", "many", "participants"


@dataclass(frozen=True)
class Child:
    """Rows owned by an item (aliases, mentions, participants…), replaced whole on a write."""

    table: str  # table name, also the attribute of the seed rows
    model: type[Base]
    owner: str  # column naming the item


@dataclass(frozen=True)
class Collection:
    name: str  # plural, as in the URL and the revisions: "statements"
    singular: str  # also the search document type: "statement"
    model: Any
    description: str  # the tag's description in the OpenAPI document
    id_example: str  # a seeded id: the spec's example
    fields: tuple[Field, ...]  # the item's fields, in the order the API shows them
    links: Callable[[Session, Sequence[Any]], Linked]  # the LINKED fields of some rows
    filtered: Callable[[Session, dict[str, Any]], Any]  # the list's filters → a SELECT of rows
    sorts: dict[str, list[SortKey]]
    tie_break: SortKey
    get_item: Callable[..., Found | None]  # the item's row, linked values and related summaries
    id_keyword: str  # the keyword of ``get_item`` that takes the id
    summary: Callable[[Any], dict[str, Any]]  # a row of ``model`` → the item in brief
    search_texts: Callable[[Session, Ids[str] | None], dict[str, str]]  # id → its search document
    list_schema: type[ma.Schema]  # one list item: the CSV columns
    children: tuple[Child, ...] = ()
    facets: dict[str, Facet] = field(default_factory=dict)
    expandable: dict[str, tuple[str, str]] = field(default_factory=dict)
    # a body's id, or the id made from its content (statements)
    new_id: Callable[[dict[str, Any]], str] = lambda body: body["id"]

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", Shape(self.fields))
        object.__setattr__(
            self,
            "listing",
            Listing(self.filtered, self.sorts, self.tie_break, self.shape_rows, self.model.__tablename__),
        )

    shape: Shape = field(init=False, repr=False)
    listing: Listing = field(init=False, repr=False)  # the one list function, with this shape

    def shape_rows(self, session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
        """List items from rows of ``model``."""
        return self.shape.many(rows, self.links(session, rows))

    def fetch(self, session: Session, item_id: str) -> dict[str, Any] | None:
        """The item as GET answers it, or None when there is no live item with this id."""
        return self.fetch_versioned(session, item_id)[0]

    def fetch_versioned(self, session: Session, item_id: str) -> tuple[dict[str, Any] | None, int | None]:
        """:meth:`fetch`, and the dataset version when the item's query read it with the item."""
        found = self.get_item(session, **{self.id_keyword: item_id})
        if found is None:
            return None, None
        item = self.shape(found.row, found.linked)
        item["related"] = found.related
        return item, found.dataset_version

    @property
    def input_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.written)

    def to_input(self, item: dict[str, Any]) -> dict[str, Any]:
        """The write body that recreates ``item`` (the base a JSON merge patch applies to)."""
        return {name: item[name] for name in self.input_fields}

    def revision_data(self, session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
        """What a revision keeps of each row: the list item (history compares these)."""
        return self.shape_rows(session, rows)

    @property
    def tables(self) -> list[tuple[str, type[Base]]]:
        return [(self.name, self.model), *((c.table, c.model) for c in self.children)]


class _Entities(Collection):
    def to_input(self, item: dict[str, Any]) -> dict[str, Any]:
        return {**super().to_input(item), "wikidata": item["external_ids"]["wikidata"]}


class _Articles(Collection):
    def to_input(self, item: dict[str, Any]) -> dict[str, Any]:
        keys = ("entity", "start", "end", "text", "status")
        mentions = [{k: m[k] for k in keys} for m in item["related"]["mentions"]]
        return {**super().to_input(item), "mentions": mentions}

    def revision_data(self, session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
        # plus the mentions: a curator's edit of a mention is a change of the article too
        mentions = articles.mentions_by_article(session, [row.id for row in rows])
        return [
            {**item, "mentions": mentions.get(item["id"], [])}
            for item in super().revision_data(session, rows)
        ]


# fields every item has, that the service sets
ID, CONFIDENCE = Field("id", written=False), Field("confidence", written=False)
TIMESTAMPS = (Field("created_at", written=False), Field("updated_at", written=False))

ENTITIES = _Entities(
    name="entities",
    singular="entity",
    model=Entity,
    description="People, organisations, countries, places, weapons, agreements, exercises, programmes.",
    id_example="sergei-shoigu",
    fields=(
        ID,
        Field("type"),
        Field("name"),
        Field("status"),
        CONFIDENCE,
        Field("description"),
        Field("aliases", kind=LINKED),
        Field("external_ids", kind=LINKED, written=False),
        Field("counts", kind=LINKED, written=False),
        *TIMESTAMPS,
    ),
    links=entities.entity_links,
    filtered=entities.filtered_entities,
    sorts=entities.SORTS,
    tie_break=entities.TIE_BREAK,
    get_item=entities.get_entity,
    id_keyword="entity_id",
    summary=entity_summary,
    search_texts=search_documents.entity_texts,
    list_schema=EntitySchema,
    children=(Child("entity_aliases", EntityAlias, "entity_id"),),
    facets={
        "type": Facet("type"),
        "status": Facet("status"),
        "article": Facet("article_id", "article", Mention, "entity_id"),
    },
)
ARTICLES = _Articles(
    name="articles",
    singular="article",
    model=Article,
    description="News articles, verbatim, with their publication dates and sources.",
    id_example="a-2023-05-russia-belarus-nuclear-deployment-agreement",
    fields=(
        ID,
        Field("title"),
        Field("lead"),
        Field("body"),
        Field("language"),
        Field("published", kind=FUZZY),
        Field("outlet", "outlet_id"),
        Field("cited_outlets", kind=LINKED),
        Field("source_url"),
        Field("content_hash", written=False),
        Field("notes"),
        *TIMESTAMPS,
    ),
    links=articles.article_links,
    filtered=articles.filtered_articles,
    sorts=articles.SORTS,
    tie_break=articles.TIE_BREAK,
    get_item=articles.get_article,
    id_keyword="article_id",
    summary=article_summary,
    search_texts=search_documents.article_texts,
    list_schema=ArticleSchema,
    children=(
        Child("article_cited_outlets", ArticleCitedOutlet, "article_id"),
        Child("mentions", Mention, "article_id"),
    ),
    facets={
        "language": Facet("language"),
        "outlet": Facet("outlet_id", "entity"),
        "entity": Facet("entity_id", "entity", Mention, "article_id"),
    },
    expandable={"outlet": ("entity", ONE), "cited_outlets": ("entity", MANY)},
)
EVENTS = Collection(
    name="events",
    singular="event",
    model=Event,
    description="Meetings, signings, deployments, exercises and more, merged across articles.",
    id_example="2023-05-25-tactical-nuclear-deployment-agreement",
    fields=(
        ID,
        Field("type"),
        Field("status"),
        CONFIDENCE,
        Field("title"),
        Field("summary"),
        Field("date", kind=FUZZY),
        Field("location", "location_id"),
        Field("planned"),
        Field("participants", kind=LINKED),
        Field("evidence", kind=LINKED),
        *TIMESTAMPS,
    ),
    links=events.event_links,
    filtered=events.filtered_events,
    sorts=events.SORTS,
    tie_break=events.TIE_BREAK,
    get_item=events.get_event,
    id_keyword="event_id",
    summary=event_summary,
    search_texts=search_documents.event_texts,
    list_schema=EventSchema,
    children=(
        Child("event_participants", EventParticipant, "event_id"),
        Child("event_evidence", EventEvidence, "event_id"),
    ),
    facets={
        "type": Facet("type"),
        "status": Facet("status"),
        "planned": Facet("planned"),
        "location": Facet("location_id", "entity"),
        "participant": Facet("entity_id", "entity", EventParticipant, "event_id"),
        "article": Facet("article_id", "article", EventEvidence, "event_id"),
    },
    expandable={"location": ("entity", ONE), "participants": ("entity", PARTICIPANTS)},
)
STATEMENTS = Collection(
    name="statements",
    singular="statement",
    model=Statement,
    description="Quotations and reported speech, each linked to the exact span of its article.",
    id_example="st-674fa164936e678d",
    fields=(
        ID,
        Field("kind"),
        Field("status"),
        CONFIDENCE,
        Field("text"),
        Field("article", "article_id"),
        Field("start"),
        Field("end"),
        Field("speaker", "speaker_id"),
        Field("said_on", kind=FUZZY),
        Field("about", kind=LINKED),
        Field("event", "event_id"),
        Field("channel", "channel_id"),
        *TIMESTAMPS,
    ),
    links=statements.statement_links,
    filtered=statements.filtered_statements,
    sorts=statements.SORTS,
    tie_break=statements.TIE_BREAK,
    get_item=statements.get_statement,
    id_keyword="statement_id",
    summary=statement_summary,
    search_texts=search_documents.statement_texts,
    list_schema=StatementSchema,
    children=(Child("statement_about", StatementAbout, "statement_id"),),
    facets={
        "speaker": Facet("speaker_id", "entity"),
        "kind": Facet("kind"),
        "status": Facet("status"),
        "article": Facet("article_id", "article"),
        "event": Facet("event_id", "event"),
        "about": Facet("entity_id", "entity", StatementAbout, "statement_id"),
    },
    expandable={
        "speaker": ("entity", ONE),
        "about": ("entity", MANY),
        "article": ("article", ONE),
        "event": ("event", ONE),
        "channel": ("entity", ONE),
    },
    new_id=lambda body: ids.statement_id(body["article"], body["start"], body["end"]),
)

# the order of the API (overview, export, search types)
COLLECTIONS: tuple[Collection, ...] = (ARTICLES, ENTITIES, STATEMENTS, EVENTS)
BY_NAME = {c.name: c for c in COLLECTIONS}
BY_SINGULAR = {c.singular: c for c in COLLECTIONS}
# parents before children, so that foreign keys always point at existing rows
LOAD_ORDER: list[tuple[str, type[Base]]] = [
    t for c in (ENTITIES, ARTICLES, EVENTS, STATEMENTS) for t in c.tables
]
