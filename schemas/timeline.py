"""Timeline shapes and arguments: counts per day, week, month or year."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import Schema, choice_list, date_bound, doc, id_list
from schemas.vocabulary import EVENT_TYPES, PRECISIONS, STATEMENT_KINDS, TIMELINE_INTERVALS


class TimelineArgsSchema(Schema):
    """Bucket size and filters of the timeline."""

    interval = fields.String(
        load_default="month",
        validate=validate.OneOf(TIMELINE_INTERVALS),
        metadata=doc("Bucket size: day, week (ISO, from Monday), month or year.", "month"),
    )
    entity = id_list(
        "Only items involving this entity: events it takes part in or is the location of, statements "
        "it made or is about, articles that mention it.",
        "sergei-shoigu",
    )
    event_type = choice_list(
        "Only events of this type (statements and articles are not narrowed).", EVENT_TYPES
    )
    kind = choice_list(
        "Only statements of this kind (events and articles are not narrowed).", STATEMENT_KINDS
    )
    date_from = date_bound(
        "Only items whose date overlaps the interval starting here (YYYY[-MM[-DD]]). With `date_to`, "
        "the buckets run from this date to `date_to`.",
        "2023",
    )
    date_to = date_bound(
        "Only items whose date overlaps the interval ending here (YYYY[-MM[-DD]]). Must not end before "
        "`date_from` begins.",
        "2025-12",
    )


class TimelineBucketSchema(Schema):
    """One bucket: the items whose whole date falls inside it, per series."""

    start = fields.Date(metadata=doc("First day of the bucket.", "2023-05-01"))
    end = fields.Date(metadata=doc("Last day of the bucket.", "2023-05-31"))
    label = fields.String(
        metadata=doc("YYYY-MM-DD (day, and week: its Monday), YYYY-MM (month) or YYYY (year).", "2023-05")
    )
    events = fields.Integer(metadata=doc("Events dated inside the bucket.", 3))
    statements = fields.Integer(metadata=doc("Statements dated inside the bucket.", 12))
    articles = fields.Integer(metadata=doc("Articles published inside the bucket.", 2))


class TimelineCountsSchema(Schema):
    """A number per series."""

    events = fields.Integer(metadata=doc("Events.", 21))
    statements = fields.Integer(metadata=doc("Statements.", 73))
    articles = fields.Integer(metadata=doc("Articles.", 5))


class ImpreciseItemSchema(Schema):
    """An item whose date is less precise than the buckets, with the days it may fall on."""

    id = fields.String(metadata=doc("Item id.", "2023-05-ukrainian-cross-border-raids-into-russia"))
    value = fields.String(metadata=doc("The date as written: YYYY, YYYY-MM or YYYY-MM-DD.", "2023-05"))
    precision = fields.String(
        validate=validate.OneOf(PRECISIONS), metadata=doc("Precision of `value`.", "month")
    )
    start = fields.Date(metadata=doc("First day `value` covers.", "2023-05-01"))
    end = fields.Date(metadata=doc("Last day `value` covers.", "2023-05-31"))


class TimelineImpreciseSchema(Schema):
    """Matching items that no bucket contains whole (a month-precision event by week), per series."""

    events = fields.List(fields.Nested(ImpreciseItemSchema), metadata=doc("Events, by date then id."))
    statements = fields.List(fields.Nested(ImpreciseItemSchema), metadata=doc("Statements, by date then id."))
    articles = fields.List(fields.Nested(ImpreciseItemSchema), metadata=doc("Articles, by date then id."))
    counts = fields.Nested(TimelineCountsSchema, metadata=doc("How many items each list holds."))


class TimelineUndatedSchema(Schema):
    """Matching items without any date."""

    statements = fields.Integer(
        metadata=doc("Statements whose date is unknown (never counted when a date filter is given).", 3)
    )


class TimelineSchema(Schema):
    """Counts per bucket, zero-filled; per series, buckets + imprecise (+ undated) = totals."""

    interval = fields.String(
        validate=validate.OneOf(TIMELINE_INTERVALS), metadata=doc("The bucket size used.", "month")
    )
    buckets = fields.List(
        fields.Nested(TimelineBucketSchema),
        metadata=doc("Contiguous buckets in date order, empty ones included."),
    )
    totals = fields.Nested(TimelineCountsSchema, metadata=doc("Items matching the filters, per series."))
    imprecise = fields.Nested(
        TimelineImpreciseSchema, metadata=doc("Matching items too imprecise for the bucket size.")
    )
    undated = fields.Nested(TimelineUndatedSchema, metadata=doc("Matching items without a date."))
