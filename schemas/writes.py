"""Request bodies of the write operations (curators)."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import Schema, doc
from schemas.vocabulary import ENTITY_TYPES

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class AliasInputSchema(Schema):
    """One spelling of an entity's name."""

    alias = fields.String(
        required=True, validate=validate.Length(min=1, max=300), metadata=doc("The spelling.", "Choïgou")
    )
    language = fields.String(
        required=True, validate=validate.Length(min=2, max=10), metadata=doc("Language (ISO 639-1).", "fr")
    )
    in_text = fields.Boolean(load_default=False, metadata=doc("Whether it occurs in the corpus.", True))


def _entity_fields(required: bool) -> dict[str, fields.Field]:
    return {
        "name": fields.String(
            required=required,
            validate=validate.Length(min=1, max=300),
            metadata=doc("Canonical English name.", "Sergei Shoigu"),
        ),
        "type": fields.String(
            required=required, validate=validate.OneOf(ENTITY_TYPES), metadata=doc("Entity type.", "person")
        ),
        "description": fields.String(
            allow_none=True,
            validate=validate.Length(max=2000),
            metadata=doc("Role or description; null clears it.", "Minister of Defence of Russia (2012–2024)"),
        ),
        "wikidata": fields.String(
            allow_none=True,
            validate=validate.Regexp(r"^Q[1-9][0-9]{0,11}$", error="Must be a Wikidata QID such as Q312853."),
            metadata={
                **doc("Wikidata QID, only where certain; null clears it.", "Q312853"),
                "pattern": r"^Q[1-9][0-9]{0,11}$",
            },
        ),
        "aliases": fields.List(
            fields.Nested(AliasInputSchema),
            validate=validate.Length(max=200),
            metadata=doc(
                "Every spelling; replaces the current list.", [{"alias": "Choïgou", "language": "fr"}]
            ),
        ),
    }


EntityCreateSchema = type(
    "EntityCreateSchema",
    (Schema,),
    {
        "id": fields.String(
            required=True,
            validate=[
                validate.Length(max=120),
                validate.Regexp(SLUG_PATTERN, error="Must be a lowercase slug."),
            ],
            metadata={
                **doc("Readable stable id: a slug of the English name.", "sergei-shoigu"),
                "pattern": SLUG_PATTERN,
            },
        ),
        **_entity_fields(required=True),
        "__doc__": "A new entity. Counts, timestamps and related items are the API's, not writable.",
    },
)
EntityPatchSchema = type(
    "EntityPatchSchema",
    (Schema,),
    {
        **_entity_fields(required=False),
        "__doc__": "A JSON merge patch of an entity: the fields given replace the current ones; null clears.",
    },
)
