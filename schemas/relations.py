"""Entity relations: who is connected to an entity, how often and through what."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import EntitySummarySchema, Schema, choice_list, doc
from schemas.vocabulary import ENTITY_TYPES

MAX_RELATIONS = 500


class RelationArgsSchema(Schema):
    """Filters and size of the relations list."""

    type = choice_list("Only related entities of this type.", ENTITY_TYPES)
    min_total = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=1_000_000_000),
        metadata=doc("Only related entities with at least this many links in all (`counts.total`)."),
    )
    limit = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=MAX_RELATIONS),
        metadata=doc(
            f"How many related entities to return, 1–{MAX_RELATIONS}, the most connected first.", 50
        ),
    )


class RelationCountsSchema(Schema):
    """How many events, statements and articles link the two entities."""

    events = fields.Integer(metadata=doc("Events both are involved in (as participants or location).", 2))
    statements = fields.Integer(
        metadata=doc("Statements where one is the speaker and the other is what it is about.", 3)
    )
    articles = fields.Integer(metadata=doc("Articles that mention both.", 4))
    total = fields.Integer(metadata=doc("events + statements + articles.", 9))


class RelationSchema(Schema):
    """An entity connected to the requested one, with the ids of what links them."""

    entity = fields.Nested(EntitySummarySchema, metadata=doc("The related entity."))
    counts = fields.Nested(RelationCountsSchema, metadata=doc("Links per kind, and in all."))
    events = fields.List(
        fields.String(),
        metadata=doc(
            "Ids of the shared events, sorted.", ["2023-05-25-tactical-nuclear-deployment-agreement"]
        ),
    )
    statements = fields.List(
        fields.String(), metadata=doc("Ids of the linking statements, sorted.", ["st-674fa164936e678d"])
    )
    articles = fields.List(
        fields.String(),
        metadata=doc(
            "Ids of the articles mentioning both, sorted.",
            ["a-2023-05-russia-belarus-nuclear-deployment-agreement"],
        ),
    )


class RelationsMetaSchema(Schema):
    """Size of the relations list."""

    count = fields.Integer(
        metadata=doc("Related entities matching the filters; more than `data` holds when over `limit`.", 12)
    )
    limit = fields.Integer(metadata=doc("The limit used.", 50))


class RelationsSchema(Schema):
    """The entities connected to an entity, most connected first."""

    entity = fields.Nested(EntitySummarySchema, metadata=doc("The entity asked about."))
    data = fields.List(
        fields.Nested(RelationSchema), metadata=doc("Related entities by `counts.total` descending, then id.")
    )
    meta = fields.Nested(RelationsMetaSchema, metadata=doc("How many related entities match."))
