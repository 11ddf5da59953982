"""Change feed and revision shapes."""

from __future__ import annotations

from marshmallow import fields, validate

from schemas.common import Schema, doc, filter_doc

COLLECTION_NAMES = ("articles", "entities", "statements", "events")


class RevisionSchema(Schema):
    """One change of one item."""

    seq = fields.String(metadata=doc("Position in the change feed (opaque, increasing).", "42"))
    collection = fields.String(
        validate=validate.OneOf(COLLECTION_NAMES), metadata=doc("Collection of the item.", "statements")
    )
    id = fields.String(metadata=doc("Id of the item.", "sergei-shoigu"))
    action = fields.String(
        validate=validate.OneOf(("create", "update", "delete", "merge")),
        metadata=doc("What happened to the item.", "update"),
    )
    actor = fields.String(metadata=doc("Who made the change: `seed` or an API key's name.", "seed"))
    at = fields.DateTime(metadata=doc("When (UTC).", "2026-11-22T01:00:00Z"))
    data = fields.Dict(
        allow_none=True,
        metadata=doc(
            "The item as it became: its list shape (articles also carry their `mentions`), without "
            'timestamps and counts; null once deleted; `{"into": id}` for a merge.',
            {"id": "sergei-shoigu", "name": "Sergei Shoigu"},
        ),
    )


class ChangesArgsSchema(Schema):
    """Where to continue the feed from."""

    since = fields.String(
        validate=validate.Regexp(r"^[0-9]{1,18}$", error="Must be a cursor from meta.next_cursor."),
        metadata=filter_doc("`meta.next_cursor` of the previous call; omit to start from the beginning."),
    )
    limit = fields.Integer(
        load_default=100,
        validate=validate.Range(min=1, max=1000),
        metadata=doc("Most changes returned.", 100),
    )


class ChangesMetaSchema(Schema):
    """Where the feed stands."""

    next_cursor = fields.String(
        metadata=doc("Pass as `since` to get what comes next (the same value when nothing is new).", "42")
    )
    limit = fields.Integer(metadata=doc("Most changes asked for.", 100))


class ChangesSchema(Schema):
    """Changes in order, and the cursor to continue from."""

    data = fields.List(fields.Nested(RevisionSchema), metadata=doc("The changes, oldest first."))
    meta = fields.Nested(ChangesMetaSchema, metadata=doc("Paging state."))


class RevisionsSchema(Schema):
    """Every revision of one item, oldest first."""

    data = fields.List(fields.Nested(RevisionSchema), metadata=doc("The item's revisions."))
