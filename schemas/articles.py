"""Article shapes and list arguments."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import (
    MAX_REPEATS,
    EntitySummarySchema,
    EventSummarySchema,
    Expandable,
    FuzzyDateSchema,
    ListArgsSchema,
    Schema,
    StatementSummarySchema,
    confidence_field,
    date_bound,
    doc,
    filter_doc,
    id_list,
    name_list,
    page_schema,
    status_field,
    with_output_args,
)
from schemas.entities import EntityItemSchema

ARTICLE_SORTS = ("published", "-published", "title", "-title", "id", "-id")
ARTICLE_ID_EXAMPLE = "a-2023-05-russia-belarus-nuclear-deployment-agreement"


class ArticleSchema(Schema):
    """A news article: its verbatim body, publication date and sources."""

    id = fields.String(metadata=doc("Stable article id.", ARTICLE_ID_EXAMPLE))
    title = fields.String(
        metadata=doc("Title as printed.", "L’escalade des tensions entre l’OTAN et la Russie se poursuit")
    )
    lead = fields.String(allow_none=True, metadata=doc("Lead paragraph as printed, if any.", None))
    body = fields.String(
        metadata=doc("The full text, verbatim (typos kept). Every span offset indexes this string.", "…")
    )
    language = fields.String(metadata=doc("Language (ISO 639-1).", "fr"))
    published = fields.Nested(FuzzyDateSchema, metadata=doc("Publication date (fuzzy)."))
    outlet = Expandable(
        EntityItemSchema,
        allow_none=True,
        metadata=doc(
            "Entity id of the publishing outlet, when the text names it (`expand=outlet`).", "zerohedge"
        ),
    )
    cited_outlets = fields.List(
        Expandable(EntityItemSchema),
        metadata=doc(
            "Entity ids of outlets cited inside the text (`expand=cited_outlets`).",
            ["tass", "associated-press"],
        ),
    )
    source_url = fields.String(allow_none=True, metadata=doc("Where the article was published.", None))
    content_hash = fields.String(
        metadata=doc(
            "SHA-256 of the body.", "7e1119c39bb203bf519613291c01abe8c2c90c59801a79d35c0306b8e1a81816"
        )
    )
    notes = fields.String(
        allow_none=True, metadata=doc("Editorial notes: title choice, errors found in the text.", None)
    )
    created_at = fields.DateTime(metadata=doc("When the article was added (UTC).", "2026-11-21T23:50:00Z"))
    updated_at = fields.DateTime(metadata=doc("When the article last changed (UTC).", "2026-11-21T23:50:00Z"))


class MentionSchema(Schema):
    """One occurrence of an entity in an article body."""

    entity = fields.String(metadata=doc("Entity id.", "sergei-shoigu"))
    start = fields.Integer(metadata=doc("First code point of the mention in the body.", 120))
    end = fields.Integer(metadata=doc("Code point after the mention (exclusive).", 135))
    text = fields.String(metadata=doc("Exactly `body[start:end]`.", "Sergueï Choïgou"))
    status = status_field()
    confidence = confidence_field()


class ArticleEntitySchema(EntitySummarySchema):
    """An entity named in the article, with how often."""

    mentions = fields.Integer(metadata=doc("Mentions of the entity in this article.", 3))


class ArticleRelatedSchema(Schema):
    """What an article contains, summarised."""

    entities = fields.List(fields.Nested(ArticleEntitySchema), metadata=doc("Entities the article names."))
    mentions = fields.List(fields.Nested(MentionSchema), metadata=doc("Every mention, in text order."))
    statements = fields.List(fields.Nested(StatementSummarySchema), metadata=doc("Statements it reports."))
    events = fields.List(fields.Nested(EventSummarySchema), metadata=doc("Events it reports."))


class ArticleItemSchema(ArticleSchema):
    """An article with its entities, mentions, statements and events."""

    related = fields.Nested(ArticleRelatedSchema, metadata=doc("Related items, summarised."))


ArticlePageSchema = page_schema(ArticleSchema, "ArticlePage")


class _ArticleListArgsSchema(ListArgsSchema):
    """Filters, sorting and paging for the article list."""

    published_from = date_bound(
        "Only articles whose publication date overlaps the interval starting here (YYYY[-MM[-DD]]).", "2023"
    )
    published_to = date_bound(
        "Only articles whose publication date overlaps the interval ending here (YYYY[-MM[-DD]]).", "2024-12"
    )
    outlet = id_list("Only articles published by this outlet (entity id).", "zerohedge")
    language = fields.List(
        fields.String(validate=validate.Length(min=2, max=10)),
        validate=validate.Length(max=MAX_REPEATS),
        metadata=filter_doc("Only articles in this language. Repeat to match any of several.", "fr"),
    )
    entity = id_list("Only articles that mention this entity.", "sergei-shoigu")
    entity_name = name_list("Only articles that mention the entity with this name.", "Shoigu")
    sort = fields.String(
        load_default="-published",
        validate=validate.OneOf(ARTICLE_SORTS),
        metadata=doc("Sort order; `-` for descending. Ties are broken by id.", "-published"),
    )


ARTICLE_EXPANDABLE = ("outlet", "cited_outlets")
ARTICLE_FACETS = ("language", "outlet", "entity")
ArticleListArgsSchema = with_output_args(
    _ArticleListArgsSchema, ArticleSchema, expandable=ARTICLE_EXPANDABLE, facet_names=ARTICLE_FACETS
)
