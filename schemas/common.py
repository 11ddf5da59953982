"""Shapes shared by every resource: fuzzy dates, summaries, the list envelope, problems."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from schemas.vocabulary import ENTITY_TYPES, EVENT_TYPES, PRECISIONS, STATEMENT_KINDS, STATUSES

ID_LENGTH = 200
# the page size of every list: its default and the largest a client may ask for
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
ENTITY_ID_EXAMPLE = "sergei-shoigu"


def doc(description: str, example: object = None) -> dict[str, object]:
    """Field metadata for the OpenAPI document."""
    meta: dict[str, object] = {"description": description}
    if example is not None:
        meta["example"] = example
    return meta


def filter_doc(description: str, example: str | None = None) -> dict[str, object]:
    """Metadata of an optional query parameter: the example goes into the prose only.

    Swagger UI's "Try it out" sends every parameter example as a value; optional filters
    stacked that way would narrow a list to nothing, so they carry none (absent is empty).
    """
    return {"description": f"{description} For example `{example}`." if example else description}


class Schema(ma.Schema):
    """Base of every schema: its docstring becomes its description in the OpenAPI document."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__doc__:
            cls.Meta = type("Meta", (cls.Meta,), {"description": inspect.cleandoc(cls.__doc__)})


def status_field() -> fields.String:
    return fields.String(
        validate=validate.OneOf(STATUSES),
        metadata=doc("`verified` by a curator or `proposed` by the extraction pipeline.", "verified"),
    )


def confidence_field() -> fields.Float:
    return fields.Float(
        allow_none=True,
        metadata=doc("The extraction pipeline's confidence in a proposal (0–1); null when curated.", None),
    )


class Expandable(fields.Field):
    """An id; with ``expand=`` the object the item endpoint of ``expands_to`` returns.

    Documented as ``oneOf: [string, <item schema>]``; responses are built as dicts, so the
    field is never used to dump.
    """

    def __init__(self, expands_to: type[ma.Schema] | str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.expands_to = expands_to


class FuzzyDateSchema(Schema):
    """A date known to day, month or year precision, with how it was resolved."""

    value = fields.String(
        required=True,
        metadata=doc("The date as precisely as it is known: YYYY, YYYY-MM or YYYY-MM-DD.", "2024-10-23"),
    )
    precision = fields.String(
        required=True,
        validate=validate.OneOf(PRECISIONS),
        metadata=doc("How precise `value` is: day, month or year.", "day"),
    )
    note = fields.String(
        allow_none=True,
        metadata=doc(
            "How the date was resolved from the text, and any correction.",
            "'ce mercredi 23 octobre' in an article on the 2024 joint session",
        ),
    )


class EntitySummarySchema(Schema):
    """An entity in brief."""

    id = fields.String(metadata=doc("Entity id (a readable slug).", ENTITY_ID_EXAMPLE))
    type = fields.String(validate=validate.OneOf(ENTITY_TYPES), metadata=doc("Entity type.", "person"))
    name = fields.String(metadata=doc("Canonical English name.", "Sergei Shoigu"))


class ArticleSummarySchema(Schema):
    """An article in brief."""

    id = fields.String(metadata=doc("Article id.", "a-2023-05-russia-belarus-nuclear-deployment-agreement"))
    title = fields.String(
        metadata=doc("Title as printed.", "L’escalade des tensions entre l’OTAN et la Russie se poursuit")
    )
    published = fields.Nested(FuzzyDateSchema, metadata=doc("Publication date (fuzzy)."))


class StatementSummarySchema(Schema):
    """A statement in brief."""

    id = fields.String(metadata=doc("Statement id.", "st-674fa164936e678d"))
    kind = fields.String(
        validate=validate.OneOf(STATEMENT_KINDS), metadata=doc("direct quote or reported speech.", "direct")
    )
    speaker = fields.String(metadata=doc("Speaker entity id.", ENTITY_ID_EXAMPLE))
    text = fields.String(metadata=doc("The exact words, without quotation marks.", "…"))
    said_on = fields.Nested(FuzzyDateSchema, allow_none=True, metadata=doc("When it was said."))
    article = fields.String(
        metadata=doc("Article id.", "a-2023-05-russia-belarus-nuclear-deployment-agreement")
    )


class EventSummarySchema(Schema):
    """An event in brief."""

    id = fields.String(metadata=doc("Event id.", "2023-05-25-tactical-nuclear-deployment-agreement"))
    type = fields.String(
        validate=validate.OneOf(EVENT_TYPES), metadata=doc("Event type.", "agreement_signing")
    )
    title = fields.String(metadata=doc("Short title.", "Russia and Belarus sign the deployment agreement"))
    date = fields.Nested(FuzzyDateSchema, metadata=doc("When it happened (fuzzy)."))
    planned = fields.Boolean(
        metadata=doc("True for a plan, a deadline or a possibility, dated by its announced time.", False)
    )


class SpanSchema(Schema):
    """A span of an article body: `article.body[start:end] == text`."""

    article = fields.String(
        metadata=doc("Article id.", "a-2023-05-russia-belarus-nuclear-deployment-agreement")
    )
    start = fields.Integer(metadata=doc("First code point of the span in the article body.", 120))
    end = fields.Integer(metadata=doc("Code point after the span (exclusive).", 180))
    text = fields.String(metadata=doc("Exactly `body[start:end]`.", "Sergueï Choïgou"))


class FacetValueSchema(Schema):
    """How many matching items have one value of a field."""

    value = fields.String(
        allow_none=True, metadata=doc("The value (null: items without one).", "sergei-shoigu")
    )
    label = fields.String(allow_none=True, metadata=doc("A readable name for the value.", "Sergei Shoigu"))
    count = fields.Integer(metadata=doc("Matching items with this value.", 7))
    url = fields.String(
        allow_none=True,
        metadata=doc(
            "This list filtered on the value.", "https://api.example/v1/statements?speaker=sergei-shoigu"
        ),
    )


class FacetSchema(Schema):
    """Counts per value of one field, most frequent first."""

    values = fields.List(fields.Nested(FacetValueSchema), metadata=doc("The most frequent values."))
    other = fields.Integer(
        metadata=doc(
            "Items counted under values beyond `facet_size` (for a one-valued field, "
            "the sum of `values` counts plus `other` is `meta.count`).",
            0,
        )
    )


class PageMetaSchema(Schema):
    """Paging state of a list response."""

    count = fields.Integer(metadata=doc("Exact number of items matching the filters.", 42))
    limit = fields.Integer(metadata=doc("Page size used.", DEFAULT_PAGE_SIZE))
    next_cursor = fields.String(
        allow_none=True,
        metadata=doc(
            "Opaque cursor of the next page, null on the last page.",
            "WyJzYWlkX29uIiwwLCIyMDIzLTAzLTAxIiwic3QtMDA2ZGNjMzhjY2QzNjhhMiJd",
        ),
    )
    facets = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(FacetSchema),
        metadata=doc(
            "With `facets=`: counts per value of each field asked for.", {"kind": {"values": [], "other": 0}}
        ),
    )


class PageLinksSchema(Schema):
    """Links of a list response."""

    self = fields.String(metadata=doc("URL of this page.", "/v1/statements?limit=2"))
    next = fields.String(allow_none=True, metadata=doc("URL of the next page, null on the last page.", None))


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The list envelope ``{data, meta, links}`` around ``item_schema``."""
    return type(
        name,
        (Schema,),
        {
            "data": fields.List(fields.Nested(item_schema), metadata=doc("The items of this page.")),
            "meta": fields.Nested(PageMetaSchema, metadata=doc("Count and paging state.")),
            "links": fields.Nested(PageLinksSchema, metadata=doc("Links to this and the next page.")),
            "__doc__": f"One page of {name.removesuffix('Page').lower()} items, with the count and next cursor.",
        },
    )


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(metadata=doc("Problem type URI.", "about:blank"))
    title = fields.String(metadata=doc("Short summary of the problem type.", "Bad Request"))
    status = fields.Integer(metadata=doc("The HTTP status code.", 400))
    detail = fields.String(
        metadata=doc("What went wrong in this request.", "Invalid request: parameter 'limit': Must be ≤ 500.")
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata=doc("Messages per parameter or body field.", {"limit": ["Must be between 1 and 500."]}),
    )


MAX_REPEATS = 50


def id_list(description: str, example: str) -> fields.List:
    """A repeatable id filter: repeating the parameter means OR."""
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=ID_LENGTH)),
        validate=validate.Length(max=MAX_REPEATS),
        metadata=filter_doc(description + " Repeat the parameter to match any of several values.", example),
    )


def name_list(description: str, example: str) -> fields.List:
    """A repeatable filter by entity name: any spelling, accents, case and apostrophes ignored."""
    return fields.List(
        fields.String(validate=validate.Length(min=1, max=300)),
        validate=validate.Length(max=MAX_REPEATS),
        metadata=filter_doc(
            description + " Matches an entity when the value is one of its spellings (aliases) or its "
            "canonical name, ignoring accents, case and apostrophes. Repeat to match any of several.",
            example,
        ),
    )


def choice_list(description: str, choices: tuple[str, ...]) -> fields.List:
    return fields.List(
        fields.String(validate=validate.OneOf(choices)),
        validate=validate.Length(max=MAX_REPEATS),
        metadata=filter_doc(description + " Repeat the parameter to match any of several values."),
    )


_DATE_FORMATS = {4: "%Y", 7: "%Y-%m", 10: "%Y-%m-%d"}
# YYYY, YYYY-MM or YYYY-MM-DD naming a real day, month or year (29 February only in leap
# years); published in the OpenAPI document as a pattern, so clients can check it too
_YEAR = r"(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_LEAP_YEAR = r"([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
DATE_PATTERN = (
    rf"^({_YEAR}(-(0[1-9]|1[0-2])|-(0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])"
    r"|-(0[469]|11)-(0[1-9]|[12][0-9]|30)|-02-(0[1-9]|1[0-9]|2[0-8]))?"
    rf"|{_LEAP_YEAR}-02-29)$"
)
_ASCII_DATE = re.compile(DATE_PATTERN)


def is_calendar_date(value: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD naming a real day, month or year."""
    fmt = _DATE_FORMATS.get(len(value))
    if fmt is None or not _ASCII_DATE.match(value):
        return False
    try:
        datetime.strptime(value, fmt)
    except ValueError:
        return False
    return True


def _calendar_date(value: str) -> None:
    if not is_calendar_date(value):
        raise ma.ValidationError("Must be a date as YYYY, YYYY-MM or YYYY-MM-DD.")


def date_bound(description: str, example: str) -> fields.String:
    return fields.String(
        validate=_calendar_date, metadata={**filter_doc(description, example), "pattern": DATE_PATTERN}
    )


# the search syntax: double quotes in pairs, * only at the end of a word (checked by the server).
# Whitespace is spelt out: \s differs between Python's and ECMAScript's regular expressions.
QUERY_PATTERN = r'^([^"*]|"[^"*]*"|[^ \t\n\r\f\v"*]\*[ \t\n\r\f\v])*([^ \t\n\r\f\v"*]\*)?$'


class CommaList(fields.String):
    """A comma-separated list of names from a closed set, loaded as a list."""

    def __init__(self, choices: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(min=1, max=1000), **kwargs)
        self.choices = choices

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[str]:
        text = super()._deserialize(value, attr, data, **kwargs)
        names = [name.strip() for name in text.split(",") if name.strip()]
        unknown = [name for name in names if name not in self.choices]
        if unknown or not names:
            raise ma.ValidationError(
                f"Unknown name(s): {', '.join(unknown) or '(none given)'}. Allowed: {', '.join(self.choices)}."
            )
        return list(dict.fromkeys(names))


def comma_list(choices: tuple[str, ...], description: str) -> CommaList:
    name = "(" + "|".join(re.escape(c) for c in choices) + ")"
    return CommaList(
        choices,
        metadata={
            **filter_doc(f"{description} Comma-separated, from: {', '.join(choices)}."),
            "pattern": f"^{name}(,{name})*$",
        },
    )


def with_output_args(
    filters: type[ma.Schema],
    item_schema: type[ma.Schema],
    *,
    expandable: tuple[str, ...],
    facet_names: tuple[str, ...],
) -> type[ma.Schema]:
    """``filters`` plus the shaping and format arguments: fields, expand, facets, facet_size, format."""
    arguments: dict[str, fields.Field] = {
        "fields": comma_list(
            tuple(item_schema().fields),
            "Only these fields in each item (`id` is always included).",
        ),
        "facets": comma_list(
            facet_names,
            "Count the matching items per value of these fields, in `meta.facets` (JSON only).",
        ),
        "facet_size": fields.Integer(
            load_default=50,
            validate=validate.Range(min=1, max=500),
            metadata=doc("Most values listed per facet; the rest are counted in `other`.", 50),
        ),
        "format": fields.String(
            validate=validate.OneOf(("json", "csv", "ndjson")),
            metadata=doc(
                "json (paged), csv or ndjson (every matching item, streamed). `Accept: text/csv` also "
                "selects CSV.",
            ),
        ),
    }
    arguments["bom"] = fields.Boolean(
        load_default=False,
        metadata=doc(
            "With CSV: start the file with a UTF-8 byte order mark, so that Excel reads accents right "
            "(`true` with another format is a 400).",
            False,
        ),
    )
    if expandable:
        arguments["expand"] = comma_list(
            expandable, "Replace these ids by the objects their item endpoints return."
        )
    name = filters.__name__.removeprefix("_")
    return type(name, (filters,), {**arguments, "__doc__": filters.__doc__})


class NoArgumentsSchema(Schema):
    """This operation takes no query parameter (any given is a 400)."""


class ListArgsSchema(Schema):
    """Paging and sorting arguments shared by every list."""

    limit = fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata=doc(f"Page size, 1–{MAX_PAGE_SIZE}.", DEFAULT_PAGE_SIZE),
    )
    q = fields.String(
        validate=validate.Length(min=1, max=500),
        metadata={"pattern": QUERY_PATTERN}
        | filter_doc(
            "Full-text search, French-aware and accent-insensitive: words (all must match), "
            '"a phrase", prefix*. A known spelling of an entity also matches its other spellings.',
            "nucleaire",
        ),
    )
    updated_since = fields.AwareDateTime(
        default_timezone=UTC,
        metadata=filter_doc(
            "Only items created or changed after this instant (ISO-8601; UTC when no offset).",
            "2026-11-22T00:00:00Z",
        ),
    )
    cursor = fields.String(
        validate=validate.Length(min=1, max=1000),
        metadata=filter_doc("Opaque cursor from `meta.next_cursor` of the previous page."),
    )
