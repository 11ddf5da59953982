"""The API root: versions, counts and links."""

from __future__ import annotations

from marshmallow import fields

from schemas.common import Schema, doc


class CountsSchema(Schema):
    """Number of live items per resource."""

    articles = fields.Integer(metadata=doc("Articles.", 5))
    entities = fields.Integer(metadata=doc("Entities.", 59))
    statements = fields.Integer(metadata=doc("Statements.", 73))
    events = fields.Integer(metadata=doc("Events.", 21))
    mentions = fields.Integer(metadata=doc("Entity mentions in articles.", 232))


class OverviewSchema(Schema):
    """The API root."""

    api_version = fields.String(metadata=doc("Version of the API contract.", "1.0.0"))
    # a string since 1.0.0 (fields never change type within /v1): the header's value, digits only
    dataset_version = fields.String(
        metadata={
            **doc(
                "The dataset version as a string of decimal digits (an integer, the same as the "
                "`X-Dataset-Version` header), increased by every change of the data.",
                "1",
            ),
            "pattern": "^[0-9]+$",
        }
    )
    dataset_changed_at = fields.DateTime(
        allow_none=True, metadata=doc("When the data last changed (UTC).", "2026-11-21T23:50:00Z")
    )
    counts = fields.Nested(CountsSchema, metadata=doc("Items per resource."))
    links = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata=doc(
            "Where to go next: articles, entities, statements, events, search, timeline, changes, export, "
            "openapi, docs, redoc, explore.",
            {"statements": "https://api.example/v1/statements", "docs": "https://api.example/docs"},
        ),
    )
