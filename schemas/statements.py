"""Statement shapes and list arguments."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.articles import ArticleItemSchema
from schemas.common import (
    ArticleSummarySchema,
    EntitySummarySchema,
    EventSummarySchema,
    Expandable,
    FuzzyDateSchema,
    ListArgsSchema,
    Schema,
    choice_list,
    confidence_field,
    date_bound,
    doc,
    id_list,
    name_list,
    page_schema,
    status_field,
    with_output_args,
)
from schemas.entities import EntityItemSchema
from schemas.events import EventItemSchema
from schemas.vocabulary import STATEMENT_KINDS, STATUSES

STATEMENT_SORTS = ("said_on", "-said_on", "id", "-id")


class StatementSchema(Schema):
    """A quotation (`direct`) or reported speech, linked to its exact span."""

    id = fields.String(metadata=doc("Stable id derived from the article and span.", "st-674fa164936e678d"))
    kind = fields.String(
        validate=validate.OneOf(STATEMENT_KINDS),
        metadata=doc("`direct` quotation or `reported` speech.", "direct"),
    )
    status = status_field()
    confidence = confidence_field()
    text = fields.String(
        metadata=doc("The exact words, without quotation marks: `article.body[start:end]`.", "…")
    )
    article = Expandable(
        ArticleItemSchema,
        metadata=doc(
            "Article id (`expand=article`: the article).",
            "a-2023-05-russia-belarus-nuclear-deployment-agreement",
        ),
    )
    start = fields.Integer(metadata=doc("First code point of the text in the article body.", 1234))
    end = fields.Integer(metadata=doc("Code point after the text (exclusive).", 1301))
    speaker = Expandable(
        EntityItemSchema,
        metadata=doc("Entity id of who said it (`expand=speaker`: the entity).", "sergei-shoigu"),
    )
    said_on = fields.Nested(FuzzyDateSchema, allow_none=True, metadata=doc("When it was said (fuzzy)."))
    about = fields.List(
        Expandable(EntityItemSchema),
        metadata=doc("Entity ids the statement is about (`expand=about`: the entities).", ["nato"]),
    )
    event = Expandable(
        EventItemSchema, allow_none=True, metadata=doc("Event at which it was said (`expand=event`).", None)
    )
    channel = Expandable(
        EntityItemSchema,
        allow_none=True,
        metadata=doc("Outlet that relayed the words (entity id; `expand=channel`).", "reuters"),
    )
    created_at = fields.DateTime(metadata=doc("When the statement was added (UTC).", "2026-11-21T23:50:00Z"))
    updated_at = fields.DateTime(metadata=doc("When it last changed (UTC).", "2026-11-21T23:50:00Z"))


class StatementRelatedSchema(Schema):
    """Speaker, article, subjects, event and channel of a statement, summarised."""

    speaker = fields.Nested(EntitySummarySchema, metadata=doc("Who said it."))
    article = fields.Nested(ArticleSummarySchema, metadata=doc("The article it comes from."))
    about = fields.List(fields.Nested(EntitySummarySchema), metadata=doc("What it is about."))
    event = fields.Nested(EventSummarySchema, allow_none=True, metadata=doc("Where it was said."))
    channel = fields.Nested(EntitySummarySchema, allow_none=True, metadata=doc("Who relayed it."))


class StatementItemSchema(StatementSchema):
    """A statement with its related items."""

    related = fields.Nested(StatementRelatedSchema, metadata=doc("Related items, summarised."))


StatementPageSchema = page_schema(StatementSchema, "StatementPage")


class _StatementListArgsSchema(ListArgsSchema):
    """Filters, sorting and paging for the statement list."""

    speaker = id_list("Only statements by this entity.", "sergei-shoigu")
    speaker_name = name_list("Only statements by the entity with this name.", "Choïgou")
    about = id_list("Only statements about this entity.", "nato")
    about_name = name_list("Only statements about the entity with this name.", "OTAN")
    article = id_list(
        "Only statements from this article.", "a-2023-05-russia-belarus-nuclear-deployment-agreement"
    )
    event = id_list("Only statements made at this event.", "2023-05-25-tactical-nuclear-deployment-agreement")
    kind = choice_list("Only statements of this kind.", STATEMENT_KINDS)
    status = choice_list("Only statements with this review status.", STATUSES)
    said_from = date_bound(
        "Only statements whose date overlaps the interval starting here (YYYY[-MM[-DD]]).", "2023-05"
    )
    said_to = date_bound(
        "Only statements whose date overlaps the interval ending here (YYYY[-MM[-DD]]).", "2023-12-31"
    )
    sort = fields.String(
        load_default="said_on",
        validate=validate.OneOf(STATEMENT_SORTS),
        metadata=doc(
            "Sort order; `-` for descending. Undated statements sort after every date. Ties by id.",
            "said_on",
        ),
    )


STATEMENT_EXPANDABLE = ("speaker", "about", "article", "event", "channel")
STATEMENT_FACETS = ("speaker", "kind", "status", "article", "event", "about")
StatementListArgsSchema = with_output_args(
    _StatementListArgsSchema, StatementSchema, expandable=STATEMENT_EXPANDABLE, facet_names=STATEMENT_FACETS
)
