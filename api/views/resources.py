"""The four collections of the dataset, wired to their queries and schemas."""

from __future__ import annotations

from api.models import Article, Entity, Event, Statement
from api.queries import articles, entities, events, statements
from api.queries.facets import ARTICLE_FACETS, ENTITY_FACETS, EVENT_FACETS, STATEMENT_FACETS
from api.views.collections import Collection, collection_blueprint
from api.views.entity_writes import register_entity_writes
from api.views.relations import register_relations
from api.views.resolve import register_resolve
from api.views.shaping import MANY, ONE, PARTICIPANTS
from schemas.articles import ArticleItemSchema, ArticleListArgsSchema, ArticlePageSchema, ArticleSchema
from schemas.entities import EntityItemSchema, EntityListArgsSchema, EntityPageSchema, EntitySchema
from schemas.events import EventItemSchema, EventListArgsSchema, EventPageSchema, EventSchema
from schemas.statements import (
    StatementItemSchema,
    StatementListArgsSchema,
    StatementPageSchema,
    StatementSchema,
)

COLLECTIONS = [
    Collection(
        name="articles",
        singular="article",
        description="News articles, verbatim, with their publication dates and sources.",
        id_example="a-2023-05-25-nuclear-deployment-agreement",
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
    ),
    Collection(
        name="statements",
        singular="statement",
        description="Quotations and reported speech, each linked to the exact span of its article.",
        id_example="st-0123456789abcdef",
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
register_resolve(BLUEPRINTS["entities"])
register_entity_writes(BLUEPRINTS["entities"])
register_relations(BLUEPRINTS["entities"])
