"""Shapes of the cross-collection search and of name resolution."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import MAX_REPEATS, QUERY_PATTERN, ListArgsSchema, Schema, doc, filter_doc, page_schema
from schemas.vocabulary import ENTITY_TYPES

DOC_TYPES = ("article", "entity", "statement", "event")


class SearchArgsSchema(ListArgsSchema):
    """Query, types and paging of a search."""

    class Meta(ListArgsSchema.Meta):
        exclude = ("updated_since",)

    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"pattern": QUERY_PATTERN}
        | doc(
            'Words (all must match), "a phrase", prefix*. French stemming, accents, case and '
            "apostrophes ignored; a known spelling of an entity also matches its other spellings.",
            '"armes nucléaires" Choigou',
        ),
    )
    type = fields.List(
        fields.String(validate=validate.OneOf(DOC_TYPES)),
        validate=validate.Length(max=MAX_REPEATS),
        metadata=filter_doc("Only hits of this type. Repeat to match any of several."),
    )


class SearchHitSchema(Schema):
    """One item matching the query, with a highlighted snippet."""

    type = fields.String(validate=validate.OneOf(DOC_TYPES), metadata=doc("Type of the item.", "statement"))
    id = fields.String(metadata=doc("Id of the item.", "st-674fa164936e678d"))
    score = fields.Float(
        metadata=doc("Relevance; higher is better. Comparable within one result list only.", 4.2)
    )
    snippet = fields.String(
        metadata=doc(
            "HTML-escaped excerpt with matching words in <mark>…</mark>.",
            "…des armes <mark>nucléaires</mark> tactiques…",
        )
    )
    matches = fields.List(
        fields.List(fields.Integer()),
        metadata=doc(
            "[start, end] of every matching word in the searched text: the article body, the statement "
            "text, or for entities and events their names, aliases, titles, summaries and evidence joined by ' · '.",
            [[23, 33]],
        ),
    )
    item = fields.Dict(
        metadata=doc(
            "The item in brief: the summary of an article, entity, statement or event.",
            {"id": "sergei-shoigu", "type": "person", "name": "Sergei Shoigu"},
        )
    )


SearchPageSchema = page_schema(SearchHitSchema, "SearchPage")


class ResolveArgsSchema(Schema):
    """A name to map to entity ids."""

    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata=doc("The name as you have it, in any spelling.", "Shoigu"),
    )
    type = fields.List(
        fields.String(validate=validate.OneOf(ENTITY_TYPES)),
        validate=validate.Length(max=MAX_REPEATS),
        metadata=filter_doc("Only entities of this type. Repeat to match any of several."),
    )
    limit = fields.Integer(
        load_default=5, validate=validate.Range(min=1, max=50), metadata=doc("Most candidates returned.", 5)
    )


class ResolveCandidateSchema(Schema):
    """An entity that may be the one named, with how sure the match is."""

    id = fields.String(metadata=doc("Entity id.", "sergei-shoigu"))
    name = fields.String(metadata=doc("Canonical name.", "Sergei Shoigu"))
    type = fields.String(metadata=doc("Entity type.", "person"))
    score = fields.Float(
        metadata=doc("1.0 for an exact spelling (accents, case ignored); lower is weaker.", 1.0)
    )
    match = fields.Boolean(
        metadata=doc("True when the score is high enough to take the candidate as is.", True)
    )
    matched_alias = fields.String(metadata=doc("The spelling that matched best.", "Shoigu"))


class ResolveResultSchema(Schema):
    """Best-matching entities for a name, best first."""

    name = fields.String(metadata=doc("The name that was resolved.", "Shoigu"))
    data = fields.List(fields.Nested(ResolveCandidateSchema), metadata=doc("Candidates, best first."))
