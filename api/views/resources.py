"""The four collections of the dataset, wired to their queries and schemas."""

from __future__ import annotations

from api.queries import articles, entities, events, statements
from api.views.collections import Collection, collection_blueprint
from schemas.articles import ArticleItemSchema, ArticleListArgsSchema, ArticlePageSchema
from schemas.entities import EntityItemSchema, EntityListArgsSchema, EntityPageSchema
from schemas.events import EventItemSchema, EventListArgsSchema, EventPageSchema
from schemas.statements import StatementItemSchema, StatementListArgsSchema, StatementPageSchema

COLLECTIONS = [
    Collection(
        name="articles",
        singular="article",
        description="News articles, verbatim, with their publication dates and sources.",
        id_example="a-2023-05-25-nuclear-deployment-agreement",
        args_schema=ArticleListArgsSchema,
        page_schema=ArticlePageSchema,
        item_schema=ArticleItemSchema,
        list_items=articles.list_articles,
        get_item=articles.get_article,
        id_keyword="article_id",
    ),
    Collection(
        name="entities",
        singular="entity",
        description="People, organisations, countries, places, weapons, agreements, exercises, programmes.",
        id_example="sergei-shoigu",
        args_schema=EntityListArgsSchema,
        page_schema=EntityPageSchema,
        item_schema=EntityItemSchema,
        list_items=entities.list_entities,
        get_item=entities.get_entity,
        id_keyword="entity_id",
    ),
    Collection(
        name="statements",
        singular="statement",
        description="Quotations and reported speech, each linked to the exact span of its article.",
        id_example="st-0123456789abcdef",
        args_schema=StatementListArgsSchema,
        page_schema=StatementPageSchema,
        item_schema=StatementItemSchema,
        list_items=statements.list_statements,
        get_item=statements.get_statement,
        id_keyword="statement_id",
    ),
    Collection(
        name="events",
        singular="event",
        description="Meetings, signings, deployments, exercises and more, merged across articles.",
        id_example="2023-05-25-tactical-nuclear-deployment-agreement",
        args_schema=EventListArgsSchema,
        page_schema=EventPageSchema,
        item_schema=EventItemSchema,
        list_items=events.list_events,
        get_item=events.get_event,
        id_keyword="event_id",
    ),
]

BLUEPRINTS = [collection_blueprint(c) for c in COLLECTIONS]
