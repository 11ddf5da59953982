"""The four collections of the dataset, wired to their queries and schemas."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.models import Article, Entity, Event, Statement
from api.queries import articles, entities, events, statements
from api.queries.facets import ARTICLE_FACETS, ENTITY_FACETS, EVENT_FACETS, STATEMENT_FACETS
from api.views.collections import Collection, collection_blueprint
from api.views.relations import register_relations
from api.views.resolve import register_resolve
from api.views.shaping import MANY, ONE, PARTICIPANTS
from api.views.writes import Writable, register_merge, register_writes
from api.writes.ingest import article_id, propose
from api.writes.items import merged_target
from schemas.articles import ArticleItemSchema, ArticleListArgsSchema, ArticlePageSchema, ArticleSchema
from schemas.entities import EntityItemSchema, EntityListArgsSchema, EntityPageSchema, EntitySchema
from schemas.events import EventItemSchema, EventListArgsSchema, EventPageSchema, EventSchema
from schemas.statements import (
    StatementItemSchema,
    StatementListArgsSchema,
    StatementPageSchema,
    StatementSchema,
)
from schemas.writes import (
    ArticleCreateArgsSchema,
    ArticleCreateSchema,
    ArticlePatchSchema,
    EntityCreateSchema,
    EntityPatchSchema,
    EventCreateSchema,
    EventPatchSchema,
    StatementCreateSchema,
    StatementPatchSchema,
)

COLLECTIONS = [
    Collection(
        name="articles",
        singular="article",
        description="News articles, verbatim, with their publication dates and sources.",
        id_example="a-2023-05-russia-belarus-nuclear-deployment-agreement",
        args_schema=ArticleListArgsSchema,
        page_schema=ArticlePageSchema,
        item_schema=ArticleItemSchema,
        list_schema=ArticleSchema,
        listing=articles.LISTING,
        model=Article,
        get_item=articles.get_article,
        id_keyword="article_id",
        expandable={"outlet": ("entity", ONE), "cited_outlets": ("entity", MANY)},
        facets=ARTICLE_FACETS,
    ),
    Collection(
        name="entities",
        singular="entity",
        description="People, organisations, countries, places, weapons, agreements, exercises, programmes.",
        id_example="sergei-shoigu",
        args_schema=EntityListArgsSchema,
        page_schema=EntityPageSchema,
        item_schema=EntityItemSchema,
        list_schema=EntitySchema,
        listing=entities.LISTING,
        model=Entity,
        get_item=entities.get_entity,
        id_keyword="entity_id",
        expandable={},
        facets=ENTITY_FACETS,
        redirect=merged_target,
    ),
    Collection(
        name="statements",
        singular="statement",
        description="Quotations and reported speech, each linked to the exact span of its article.",
        id_example="st-674fa164936e678d",
        args_schema=StatementListArgsSchema,
        page_schema=StatementPageSchema,
        item_schema=StatementItemSchema,
        list_schema=StatementSchema,
        listing=statements.LISTING,
        model=Statement,
        get_item=statements.get_statement,
        id_keyword="statement_id",
        expandable={
            "speaker": ("entity", ONE),
            "about": ("entity", MANY),
            "article": ("article", ONE),
            "event": ("event", ONE),
            "channel": ("entity", ONE),
        },
        facets=STATEMENT_FACETS,
    ),
    Collection(
        name="events",
        singular="event",
        description="Meetings, signings, deployments, exercises and more, merged across articles.",
        id_example="2023-05-25-tactical-nuclear-deployment-agreement",
        args_schema=EventListArgsSchema,
        page_schema=EventPageSchema,
        item_schema=EventItemSchema,
        list_schema=EventSchema,
        listing=events.LISTING,
        model=Event,
        get_item=events.get_event,
        id_keyword="event_id",
        expandable={"location": ("entity", ONE), "participants": ("entity", PARTICIPANTS)},
        facets=EVENT_FACETS,
    ),
]

BLUEPRINTS = {c.name: collection_blueprint(c) for c in COLLECTIONS}


def _extract_if_asked(
    session: Session, item: dict[str, Any], args: dict[str, Any], actor: str
) -> dict[str, Any]:
    """POST /v1/articles?extract=true: store the pipeline's proposals with the article."""
    if not args.get("extract"):
        return item
    propose(session, item["id"], actor=actor)
    return articles.get_article(session, article_id=item["id"]) or item


def _article_id_if_missing(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/articles without an id: the id `flask ingest` would make."""
    return body if "id" in body else {**body, "id": article_id(session, body)}


WRITABLE = [
    Writable(
        "articles",
        ArticleCreateSchema,
        ArticlePatchSchema,
        ArticleItemSchema,
        COLLECTIONS[0].id_example,
        create_args=ArticleCreateArgsSchema,
        complete=_article_id_if_missing,
        after_create=_extract_if_asked,
    ),
    Writable(
        "entities",
        EntityCreateSchema,
        EntityPatchSchema,
        EntityItemSchema,
        "sergei-shoigu",
        "entity_id",
        # not in the seeds, so that "Try it out" → Execute with a write key creates it (then 409)
        create_example={
            "id": "dmitry-medvedev",
            "name": "Dmitry Medvedev",
            "type": "person",
            "description": "Deputy Chairman of the Security Council of Russia",
            "aliases": [{"alias": "Dmitri Medvedev", "language": "fr", "in_text": False}],
        },
    ),
    Writable(
        "statements", StatementCreateSchema, StatementPatchSchema, StatementItemSchema, "st-674fa164936e678d"
    ),
    Writable("events", EventCreateSchema, EventPatchSchema, EventItemSchema, COLLECTIONS[3].id_example),
]
register_resolve(BLUEPRINTS["entities"])
for writable in WRITABLE:
    register_writes(BLUEPRINTS[writable.collection], writable)
register_merge(BLUEPRINTS["entities"])
register_relations(BLUEPRINTS["entities"])
