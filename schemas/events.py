"""Event shapes and list arguments."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import (
    ArticleSummarySchema,
    EntitySummarySchema,
    Expandable,
    FuzzyDateSchema,
    ListArgsSchema,
    Schema,
    SpanSchema,
    StatementSummarySchema,
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
from schemas.vocabulary import EVENT_TYPES, STATUSES

EVENT_SORTS = ("date", "-date", "id", "-id")


class ParticipantSchema(Schema):
    """An entity taking part in an event, with its role."""

    entity = Expandable(
        EntityItemSchema, metadata=doc("Entity id (`expand=participants`: the entity).", "sergei-shoigu")
    )
    role = fields.String(metadata=doc("Role in the event.", "signatory"))


class EventSchema(Schema):
    """A real-world event, merged across every article that reports it."""

    id = fields.String(
        metadata=doc("Stable readable id: date and slug.", "2023-05-25-tactical-nuclear-deployment-agreement")
    )
    type = fields.String(
        validate=validate.OneOf(EVENT_TYPES), metadata=doc("Event type.", "agreement_signing")
    )
    status = status_field()
    confidence = confidence_field()
    title = fields.String(metadata=doc("Short title.", "Russia and Belarus sign the deployment agreement"))
    summary = fields.String(allow_none=True, metadata=doc("What happened, in a few sentences.", "…"))
    date = fields.Nested(FuzzyDateSchema, metadata=doc("When it happened (fuzzy)."))
    location = Expandable(
        EntityItemSchema,
        allow_none=True,
        metadata=doc("Place entity id (`expand=location`: the entity).", "minsk"),
    )
    planned = fields.Boolean(
        metadata=doc(
            "True when the text states the event as a plan, a deadline or a possibility: `date` is "
            "the announced time, not a record that it happened.",
            False,
        )
    )
    participants = fields.List(fields.Nested(ParticipantSchema), metadata=doc("Who took part, with a role."))
    evidence = fields.List(
        fields.Nested(SpanSchema), metadata=doc("Spans of every article that reports the event.")
    )
    created_at = fields.DateTime(metadata=doc("When the event was added (UTC).", "2026-11-21T23:50:00Z"))
    updated_at = fields.DateTime(metadata=doc("When it last changed (UTC).", "2026-11-21T23:50:00Z"))


class EventParticipantSummarySchema(EntitySummarySchema):
    """A participant in brief, with its role."""

    role = fields.String(metadata=doc("Role in the event.", "signatory"))


class EventRelatedSchema(Schema):
    """Who took part, where, and which articles and statements refer to the event."""

    participants = fields.List(
        fields.Nested(EventParticipantSummarySchema), metadata=doc("Participants, summarised.")
    )
    location = fields.Nested(EntitySummarySchema, allow_none=True, metadata=doc("Where it happened."))
    articles = fields.List(fields.Nested(ArticleSummarySchema), metadata=doc("Articles that report it."))
    statements = fields.List(
        fields.Nested(StatementSummarySchema), metadata=doc("Statements made at the event.")
    )


class EventItemSchema(EventSchema):
    """An event with its participants, location, articles and statements."""

    related = fields.Nested(EventRelatedSchema, metadata=doc("Related items, summarised."))


EventPageSchema = page_schema(EventSchema, "EventPage")


class _EventListArgsSchema(ListArgsSchema):
    """Filters, sorting and paging for the event list."""

    type = choice_list("Only events of this type.", EVENT_TYPES)
    participant = id_list("Only events this entity took part in.", "vladimir-putin")
    participant_name = name_list("Only events the entity with this name took part in.", "Poutine")
    location = id_list("Only events at this place.", "minsk")
    planned = fields.Boolean(
        truthy={"true"},
        falsy={"false"},
        metadata=doc(
            "`true`: only planned events (plans, deadlines, possibilities); `false`: only the others.", True
        ),
    )
    article = id_list("Only events reported by this article.", "a-2023-05-25-nuclear-deployment-agreement")
    status = choice_list("Only events with this review status.", STATUSES)
    date_from = date_bound(
        "Only events whose date overlaps the interval starting here (YYYY[-MM[-DD]]).", "2023"
    )
    date_to = date_bound(
        "Only events whose date overlaps the interval ending here (YYYY[-MM[-DD]]).", "2024-06"
    )
    sort = fields.String(
        load_default="date",
        validate=validate.OneOf(EVENT_SORTS),
        metadata=doc("Sort order; `-` for descending. Ties are broken by id.", "date"),
    )


EVENT_EXPANDABLE = ("location", "participants")
EVENT_FACETS = ("type", "status", "planned", "location", "participant", "article")
EventListArgsSchema = with_output_args(
    _EventListArgsSchema, EventSchema, expandable=EVENT_EXPANDABLE, facet_names=EVENT_FACETS
)
