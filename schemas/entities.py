"""Entity shapes and list arguments."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import (
    ArticleSummarySchema,
    EventSummarySchema,
    ListArgsSchema,
    Schema,
    StatementSummarySchema,
    choice_list,
    confidence_field,
    doc,
    id_list,
    page_schema,
    status_field,
    with_output_args,
)
from schemas.vocabulary import ENTITY_TYPES, STATUSES

ENTITY_SORTS = ("name", "-name", "id", "-id", "type", "-type")


class AliasSchema(Schema):
    """One spelling of an entity's name."""

    alias = fields.String(metadata=doc("A spelling of the name.", "Choïgou"))
    language = fields.String(metadata=doc("Language of the spelling (ISO 639-1).", "fr"))
    in_text = fields.Boolean(metadata=doc("Whether this spelling occurs in the corpus.", True))


class ExternalIdsSchema(Schema):
    """Identifiers of the entity in other datasets."""

    wikidata = fields.String(allow_none=True, metadata=doc("Wikidata QID, only where certain.", "Q312853"))


class EntityCountsSchema(Schema):
    """How often an entity appears in the dataset."""

    mentions = fields.Integer(metadata=doc("Mentions in articles.", 9))
    articles = fields.Integer(metadata=doc("Articles that mention the entity.", 3))
    statements = fields.Integer(metadata=doc("Statements the entity made.", 4))
    events = fields.Integer(metadata=doc("Events the entity took part in.", 2))


class EntitySchema(Schema):
    """A person, organisation, country, place, weapon system, agreement, exercise or programme."""

    id = fields.String(metadata=doc("Stable readable id (slug of the English name).", "sergei-shoigu"))
    type = fields.String(validate=validate.OneOf(ENTITY_TYPES), metadata=doc("Entity type.", "person"))
    name = fields.String(metadata=doc("Canonical English name.", "Sergei Shoigu"))
    status = status_field()
    confidence = confidence_field()
    description = fields.String(
        allow_none=True,
        metadata=doc("Role or description as of the articles.", "Minister of Defence of Russia (2012–2024)"),
    )
    aliases = fields.List(fields.Nested(AliasSchema), metadata=doc("Every spelling seen, with language."))
    external_ids = fields.Nested(ExternalIdsSchema, metadata=doc("Identifiers in other datasets."))
    counts = fields.Nested(EntityCountsSchema, metadata=doc("How often the entity appears."))
    created_at = fields.DateTime(metadata=doc("When the entity was created (UTC).", "2026-11-21T23:50:00Z"))
    updated_at = fields.DateTime(metadata=doc("When the entity last changed (UTC).", "2026-11-21T23:50:00Z"))


class EntityArticleSchema(ArticleSummarySchema):
    """An article that mentions the entity, with how often."""

    mentions = fields.Integer(metadata=doc("Mentions of the entity in this article.", 3))


class EntityRelatedSchema(Schema):
    """What an entity said, took part in and appears in, summarised."""

    statements = fields.List(
        fields.Nested(StatementSummarySchema), metadata=doc("Statements the entity made.")
    )
    events = fields.List(fields.Nested(EventSummarySchema), metadata=doc("Events the entity took part in."))
    articles = fields.List(fields.Nested(EntityArticleSchema), metadata=doc("Articles that mention it."))


class EntityItemSchema(EntitySchema):
    """An entity with its statements, events and articles."""

    related = fields.Nested(EntityRelatedSchema, metadata=doc("Related items, summarised."))


EntityPageSchema = page_schema(EntitySchema, "EntityPage")


class _EntityListArgsSchema(ListArgsSchema):
    """Filters, sorting and paging for the entity list."""

    type = choice_list("Only entities of this type.", ENTITY_TYPES)
    status = choice_list("Only entities with this review status.", STATUSES)
    article = id_list(
        "Only entities mentioned in this article.", "a-2023-05-russia-belarus-nuclear-deployment-agreement"
    )
    sort = fields.String(
        load_default="name",
        validate=validate.OneOf(ENTITY_SORTS),
        metadata=doc("Sort order; `-` for descending. Ties are broken by id.", "name"),
    )


ENTITY_EXPANDABLE = ()
ENTITY_FACETS = ("type", "status", "article")
EntityListArgsSchema = with_output_args(
    _EntityListArgsSchema, EntitySchema, expandable=ENTITY_EXPANDABLE, facet_names=ENTITY_FACETS
)
