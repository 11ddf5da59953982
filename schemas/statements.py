"""Statement shapes and list arguments."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import (
    ArticleSummarySchema,
    EntitySummarySchema,
    EventSummarySchema,
    FuzzyDateSchema,
    ListArgsSchema,
    Schema,
    UTCDateTime,
    choice_list,
    date_bound,
    doc,
    id_list,
    page_schema,
)
from schemas.vocabulary import STATEMENT_KINDS, STATUSES

STATEMENT_SORTS = ("said_on", "-said_on", "id", "-id")


class StatementSchema(Schema):
    """A quotation (`direct`) or reported speech, linked to its exact span."""

    id = fields.String(metadata=doc("Stable id derived from the article and span.", "st-0123456789abcdef"))
    kind = fields.String(
        validate=validate.OneOf(STATEMENT_KINDS),
        metadata=doc("`direct` quotation or `reported` speech.", "direct"),
    )
    status = fields.String(
        validate=validate.OneOf(STATUSES),
        metadata=doc("`verified` by a curator or `proposed` by extraction.", "verified"),
    )
    text = fields.String(
        metadata=doc("The exact words, without quotation marks: `article.body[start:end]`.", "…")
    )
    article = fields.String(metadata=doc("Article id.", "a-2023-05-25-nuclear-deployment-agreement"))
    start = fields.Integer(metadata=doc("First code point of the text in the article body.", 1234))
    end = fields.Integer(metadata=doc("Code point after the text (exclusive).", 1301))
    speaker = fields.String(metadata=doc("Entity id of who said it.", "sergei-shoigu"))
    said_on = fields.Nested(FuzzyDateSchema, allow_none=True, metadata=doc("When it was said (fuzzy)."))
    about = fields.List(fields.String(), metadata=doc("Entity ids the statement is about.", ["nato"]))
    event = fields.String(allow_none=True, metadata=doc("Event at which it was said.", None))
    channel = fields.String(
        allow_none=True, metadata=doc("Outlet that relayed the words (entity id).", "reuters")
    )
    created_at = UTCDateTime(metadata=doc("When the statement was added (UTC).", "2026-11-21T23:50:00+00:00"))
    updated_at = UTCDateTime(metadata=doc("When it last changed (UTC).", "2026-11-21T23:50:00+00:00"))


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


class StatementListArgsSchema(ListArgsSchema):
    """Filters, sorting and paging for the statement list."""

    speaker = id_list("Only statements by this entity.", "sergei-shoigu")
    about = id_list("Only statements about this entity.", "nato")
    article = id_list("Only statements from this article.", "a-2023-05-25-nuclear-deployment-agreement")
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
