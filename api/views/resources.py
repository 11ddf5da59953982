"""The four collections of the dataset, wired to their queries and schemas."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.collections import ARTICLES, ENTITIES, EVENTS, STATEMENTS, Collection
from api.queries.entities import merged_target
from api.views.collections import Collection as ViewCollection
from api.views.collections import collection_blueprint
from api.views.relations import register_relations
from api.views.resolve import register_resolve
from api.views.writes import Writable, register_merge, register_writes
from api.writes.ingest import article_id, propose
from schemas.articles import ArticleItemSchema, ArticleListArgsSchema, ArticlePageSchema
from schemas.entities import EntityItemSchema, EntityListArgsSchema, EntityPageSchema
from schemas.events import EventItemSchema, EventListArgsSchema, EventPageSchema
from schemas.statements import (
    StatementItemSchema,
    StatementListArgsSchema,
    StatementPageSchema,
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


def _view(
    collection: Collection, args_schema: Any, page_schema: Any, item_schema: Any, **extra: Any
) -> ViewCollection:
    c = collection
    return ViewCollection(
        name=c.name,
        singular=c.singular,
        description=c.description,
        id_example=c.id_example,
        args_schema=args_schema,
        page_schema=page_schema,
        item_schema=item_schema,
        list_schema=c.list_schema,
        listing=c.listing,
        model=c.model,
        get_item=c.fetch,
        id_keyword="item_id",
        expandable=c.expandable,
        facets=c.facets,
        **extra,
    )


COLLECTIONS = [
    _view(ARTICLES, ArticleListArgsSchema, ArticlePageSchema, ArticleItemSchema),
    _view(ENTITIES, EntityListArgsSchema, EntityPageSchema, EntityItemSchema, redirect=merged_target),
    _view(STATEMENTS, StatementListArgsSchema, StatementPageSchema, StatementItemSchema),
    _view(EVENTS, EventListArgsSchema, EventPageSchema, EventItemSchema),
]

BLUEPRINTS = {c.name: collection_blueprint(c) for c in COLLECTIONS}


def _extract_if_asked(
    session: Session, item: dict[str, Any], args: dict[str, Any], actor: str
) -> dict[str, Any]:
    """POST /v1/articles?extract=true: store the pipeline's proposals with the article."""
    if not args.get("extract"):
        return item
    propose(session, item["id"], actor=actor)
    return ARTICLES.fetch(session, item["id"]) or item


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
