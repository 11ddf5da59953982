"""Request bodies of the write operations (curators)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from schemas.common import DATE_PATTERN, Schema, doc, is_calendar_date
from schemas.vocabulary import ENTITY_TYPES, EVENT_TYPES, PRECISIONS, STATEMENT_KINDS, STATUSES

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


def _review_status() -> fields.String:
    return fields.String(
        validate=validate.OneOf(STATUSES),
        metadata=doc("`verified` (the default for a curator's write) or `proposed`.", "verified"),
    )


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
        "status": _review_status(),
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


def _slug_id(description: str, example: str, max_length: int, *, required: bool = True) -> fields.String:
    return fields.String(
        required=required,
        validate=[
            validate.Length(max=max_length),
            validate.Regexp(SLUG_PATTERN, error="Must be a lowercase slug."),
        ],
        metadata={**doc(description, example), "pattern": SLUG_PATTERN},
    )


def _text(
    description: str, example: object, *, required: bool = False, max_length: int = 2000
) -> fields.String:
    return fields.String(
        required=required,
        allow_none=not required,
        validate=validate.Length(min=1, max=max_length),
        metadata=doc(description, example),
    )


def _entity_ref(description: str, example: str, *, required: bool = False) -> fields.String:
    return fields.String(
        required=required,
        allow_none=not required,
        validate=validate.Length(min=1, max=120),
        metadata=doc(description, example),
    )


def _ref_list(description: str, example: list[str]) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=160)),
        validate=validate.Length(max=200),
        metadata=doc(description, example),
    )


class FuzzyDateInputSchema(Schema):
    """A date as precisely as it is known."""

    value = fields.String(
        required=True,
        validate=validate.Length(min=4, max=10),
        metadata=doc("YYYY, YYYY-MM or YYYY-MM-DD, matching `precision`.", "2024-10-23"),
    )
    precision = fields.String(
        required=True, validate=validate.OneOf(PRECISIONS), metadata=doc("day, month or year.", "day")
    )
    note = _text("How the date was resolved from the text.", "'ce mercredi 23 octobre'")


_PRECISION_BY_LENGTH = {4: "year", 7: "month", 10: "day"}
SHORTHAND_ERROR = (
    "Must be a date as YYYY, YYYY-MM or YYYY-MM-DD naming a real year, month or day, "
    "or an object {value, precision, note}."
)


class FuzzyDateInput(fields.Field):
    """A fuzzy date as an object, or as the shorthand `flask ingest` accepts: ``"2025-03"``.

    The shorthand's precision is its shape (YYYY year, YYYY-MM month, YYYY-MM-DD day), so
    ``"2025-03"`` loads as ``{"value": "2025-03", "precision": "month"}``. Documented as
    ``oneOf: [string, FuzzyDateInput]`` (see api.http.smorest.fuzzy_date_property).
    """

    shorthand_pattern = DATE_PATTERN

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, Any]:
        if isinstance(value, str):
            if not is_calendar_date(value):
                raise ma.ValidationError(SHORTHAND_ERROR)
            return {"value": value, "precision": _PRECISION_BY_LENGTH[len(value)]}
        if not isinstance(value, dict):
            raise ma.ValidationError(SHORTHAND_ERROR)
        loaded: dict[str, Any] = FuzzyDateInputSchema().load(value)
        return loaded


class SpanInputSchema(Schema):
    """A span of an article body: `text` must be exactly `body[start:end]`."""

    start = fields.Integer(
        required=True, validate=validate.Range(min=0, max=10_000_000), metadata=doc("First code point.", 120)
    )
    end = fields.Integer(
        required=True, validate=validate.Range(min=1, max=10_000_000), metadata=doc("End (exclusive).", 135)
    )
    text = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100_000),
        metadata=doc("The exact text.", "Choïgou"),
    )


class MentionInputSchema(SpanInputSchema):
    """One occurrence of an entity in the article body."""

    entity = _entity_ref("Entity id.", "sergei-shoigu", required=True)
    status = _review_status()


class EvidenceInputSchema(SpanInputSchema):
    """A span of an article that reports the event."""

    article = fields.String(
        required=True,
        validate=validate.Length(min=1, max=160),
        metadata=doc("Article id.", "a-2023-05-russia-belarus-nuclear-deployment-agreement"),
    )


class ParticipantInputSchema(Schema):
    """An entity taking part in an event, and how."""

    entity = _entity_ref("Entity id.", "sergei-shoigu", required=True)
    role = fields.String(
        required=True, validate=validate.Length(min=1, max=80), metadata=doc("Its role.", "signatory")
    )


def _article_fields(required: bool) -> dict[str, fields.Field]:
    return {
        "title": _text(
            "Title; must occur verbatim in the body.", "Biélorussie : …", required=required, max_length=1000
        ),
        "lead": _text("Lead paragraph; must occur verbatim in the body.", None, max_length=5000),
        "language": fields.String(
            required=required,
            validate=validate.Regexp(r"^[a-z]{2}$", error="Must be an ISO 639-1 code such as fr."),
            metadata={**doc("Language of the text (ISO 639-1).", "fr"), "pattern": r"^[a-z]{2}$"},
        ),
        "published": FuzzyDateInput(
            required=required, metadata=doc("Publication date: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an object.")
        ),
        "outlet": _entity_ref("Entity id of the publishing outlet.", "zerohedge"),
        "cited_outlets": _ref_list("Entity ids of outlets the article cites.", ["tass"]),
        "source_url": fields.Url(
            allow_none=True, validate=validate.Length(max=2000), metadata=doc("Where it was published.", None)
        ),
        "notes": _text("Curators' notes.", None, max_length=5000),
        "mentions": fields.List(
            fields.Nested(MentionInputSchema),
            validate=validate.Length(max=5000),
            metadata=doc("Every mention of an entity in the body; replaces the current list."),
        ),
    }


ArticleCreateSchema = type(
    "ArticleCreateSchema",
    (Schema,),
    {
        "id": _slug_id(
            "Readable stable id. Optional: without it the id is made as `flask ingest` makes it, "
            "`a-<published value>-<slug of the title>` (with 8 characters of the text's SHA-256 appended when "
            "that id is taken).",
            "a-2024-10-23-belousov-nuclear-powers-clash-risk",
            160,
            required=False,
        ),
        "body": fields.String(
            required=True,
            validate=validate.Length(min=1, max=500_000),
            metadata=doc("The article text, verbatim; every span points into it. Not writable later.", "…"),
        ),
        **_article_fields(required=True),
        "__doc__": "A new article. `content_hash`, timestamps and related items are the API's.",
    },
)
ArticlePatchSchema = type(
    "ArticlePatchSchema",
    (Schema,),
    {
        **_article_fields(required=False),
        "__doc__": "A JSON merge patch of an article. The body is the source of every span: it cannot change.",
    },
)


def _statement_fields(required: bool) -> dict[str, fields.Field]:
    return {
        "kind": fields.String(
            required=required,
            validate=validate.OneOf(STATEMENT_KINDS),
            metadata=doc("direct or reported.", "direct"),
        ),
        "status": _review_status(),
        "text": fields.String(
            required=required,
            validate=validate.Length(min=1, max=100_000),
            metadata=doc("Exactly `body[start:end]` of the article.", "…"),
        ),
        "start": fields.Integer(
            required=required,
            validate=validate.Range(min=0, max=10_000_000),
            metadata=doc("Start offset.", 1234),
        ),
        "end": fields.Integer(
            required=required,
            validate=validate.Range(min=1, max=10_000_000),
            metadata=doc("End offset.", 1301),
        ),
        "speaker": _entity_ref("Entity id of who said it.", "sergei-shoigu", required=required),
        "said_on": FuzzyDateInput(
            allow_none=True,
            metadata=doc(
                "When it was said: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an object; null when unknown."
            ),
        ),
        "about": _ref_list("Entity ids it is about.", ["nato"]),
        "event": _entity_ref("Event id it was said at.", None),
        "channel": _entity_ref("Entity id of the outlet that relayed it.", "tass"),
    }


StatementCreateSchema = type(
    "StatementCreateSchema",
    (Schema,),
    {
        "article": fields.String(
            required=True,
            validate=validate.Length(min=1, max=160),
            metadata=doc("Article id; with start and end it makes the statement's id.", "a-2023-05-25-…"),
        ),
        **_statement_fields(required=True),
        "__doc__": "A new statement: a span of an article, its speaker and date. The id derives from the span.",
    },
)
StatementPatchSchema = type(
    "StatementPatchSchema",
    (Schema,),
    {
        **_statement_fields(required=False),
        "__doc__": "A JSON merge patch of a statement (the article cannot change; the id stays).",
    },
)


def _event_fields(required: bool) -> dict[str, fields.Field]:
    return {
        "type": fields.String(
            required=required, validate=validate.OneOf(EVENT_TYPES), metadata=doc("Event type.", "meeting")
        ),
        "status": _review_status(),
        "title": _text("Short title.", "Shoigu meets Khrenin in Minsk", required=required, max_length=1000),
        "summary": _text("What happened.", None, max_length=5000),
        "date": FuzzyDateInput(
            required=required, metadata=doc("When it happened: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an object.")
        ),
        "location": _entity_ref("Entity id of a place or country.", "minsk"),
        "planned": fields.Boolean(
            truthy={True},  # a JSON boolean, not "yes" or "1" strings
            falsy={False},
            metadata=doc(
                "True when the article states the event as a plan, a deadline or a possibility; "
                "`date` is then the announced time. Default false.",
                False,
            ),
        ),
        "participants": fields.List(
            fields.Nested(ParticipantInputSchema),
            validate=validate.Length(max=500),
            metadata=doc("Who took part; replaces the current list."),
        ),
        "evidence": fields.List(
            fields.Nested(EvidenceInputSchema),
            required=required,
            validate=validate.Length(min=1, max=500),
            metadata=doc("Spans of articles that report it (at least one); replaces the current list."),
        ),
    }


EventCreateSchema = type(
    "EventCreateSchema",
    (Schema,),
    {
        "id": _slug_id(
            "Readable stable id: date and slug.", "2023-05-25-tactical-nuclear-deployment-agreement", 160
        ),
        **_event_fields(required=True),
        "__doc__": "A new event, with at least one evidence span.",
    },
)
EventPatchSchema = type(
    "EventPatchSchema",
    (Schema,),
    {**_event_fields(required=False), "__doc__": "A JSON merge patch of an event."},
)


class MergeSchema(Schema):
    """Which entity absorbs this one."""

    into = fields.String(
        required=True,
        validate=validate.Length(min=1, max=120),
        metadata=doc("Id of the entity that takes over every reference.", "sergei-shoigu"),
    )


class ArticleCreateArgsSchema(Schema):
    """Options of an article's creation."""

    extract = fields.Boolean(
        load_default=False,
        metadata=doc(
            "Run the extraction pipeline on the body and store what it proposes (mentions, new entities, "
            "statements with speakers and dates, events) with `status: proposed` and a confidence.",
        ),
    )
