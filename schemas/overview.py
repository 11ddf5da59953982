"""The API root: versions, counts and links."""

from __future__ import annotations

from marshmallow import fields

from schemas.common import Schema, doc


class CountsSchema(Schema):
    """Number of live items per resource."""

    articles = fields.Integer(metadata=doc("Articles.", 5))
    entities = fields.Integer(metadata=doc("Entities.", 60))
    statements = fields.Integer(metadata=doc("Statements.", 40))
    events = fields.Integer(metadata=doc("Events.", 20))
    mentions = fields.Integer(metadata=doc("Entity mentions in articles.", 300))


class OverviewSchema(Schema):
    """The API root."""

    api_version = fields.String(metadata=doc("Version of the API contract.", "1.0.0"))
    dataset_version = fields.String(
        metadata=doc("Changes whenever the data changes; also sent as `X-Dataset-Version`.", "1")
    )
    dataset_changed_at = fields.DateTime(
        allow_none=True, metadata=doc("When the data last changed (UTC).", "2026-11-21T23:50:00Z")
    )
    counts = fields.Nested(CountsSchema, metadata=doc("Items per resource."))
    links = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata=doc("Where to go next.", {"statements": "/v1/statements", "docs": "/docs"}),
    )
