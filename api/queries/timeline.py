"""The timeline: events, statements and articles counted per day, week, month or year.

The matching items are selected by the list filters (one query per series); bucketing their
fuzzy dates is done here in Python, so it is the same on every backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, union
from sqlalchemy.orm import Session

from api.errors import ClientError
from api.fuzzy_dates import bounds
from api.models import Article, Event, Statement
from api.queries.articles import filtered_articles
from api.queries.events import filtered_events
from api.queries.statements import filtered_statements
from api.time_buckets import bucket_count, bucket_start, buckets_between

MAX_BUCKETS = 20_000
SERIES = ("events", "statements", "articles")


@dataclass(frozen=True)
class DatedItem:
    """An item's id and fuzzy date (all None for an undated statement)."""

    id: str
    value: str | None
    precision: str | None
    start: date | None
    end: date | None


def _dated_items(
    session: Session,
    filtered: Callable[[Session, dict[str, Any]], Select[Any]],
    variants: Iterable[dict[str, Any]],
    columns: tuple[Any, ...],
) -> list[DatedItem]:
    """Items matching any of the filter dicts ``variants`` (OR), in one query."""
    selects = [filtered(session, filters).with_only_columns(*columns) for filters in variants]
    stmt = selects[0] if len(selects) == 1 else union(*selects)
    return [DatedItem(*row) for row in session.execute(stmt)]


def timeline_items(session: Session, *, filters: dict[str, Any]) -> dict[str, list[DatedItem]]:
    """The items of each series that match the timeline filters, with their dates.

    ``entity`` matches events it takes part in or is the location of, statements it made or
    is about, and articles that mention it; ``event_type`` narrows events only, ``kind``
    statements only; ``date_from``/``date_to`` match on overlap, as in the lists.
    """
    entity = filters.get("entity")
    date_from, date_to = filters.get("date_from"), filters.get("date_to")

    def any_role(base: dict[str, Any], *roles: str) -> list[dict[str, Any]]:
        return [{**base, role: entity} for role in roles] if entity else [base]

    events = {"type": filters.get("event_type"), "date_from": date_from, "date_to": date_to}
    statements = {"kind": filters.get("kind"), "said_from": date_from, "said_to": date_to}
    articles = {"published_from": date_from, "published_to": date_to}
    return {
        "events": _dated_items(
            session,
            filtered_events,
            any_role(events, "participant", "location"),
            (Event.id, Event.date_value, Event.date_precision, Event.date_start, Event.date_end),
        ),
        "statements": _dated_items(
            session,
            filtered_statements,
            any_role(statements, "speaker", "about"),
            (
                Statement.id,
                Statement.said_on_value,
                Statement.said_on_precision,
                Statement.said_on_start,
                Statement.said_on_end,
            ),
        ),
        "articles": _dated_items(
            session,
            filtered_articles,
            any_role(articles, "entity"),
            (
                Article.id,
                Article.published_value,
                Article.published_precision,
                Article.published_start,
                Article.published_end,
            ),
        ),
    }


def _requested_range(filters: dict[str, Any]) -> tuple[date, date] | None:
    """The days from ``date_from`` to ``date_to`` when both are given."""
    if not (filters.get("date_from") and filters.get("date_to")):
        return None
    first, last = bounds(filters["date_from"])[0], bounds(filters["date_to"])[1]
    # a range that ends before it begins matches nothing, as in the lists
    return (first, last) if first <= last else None


def _check_bucket_count(first: date, last: date, interval: str) -> None:
    count = bucket_count(first, last, interval)
    if count > MAX_BUCKETS:
        message = (
            f"From {first} to {last} makes {count} {interval} buckets; at most {MAX_BUCKETS}. "
            "Choose a longer interval or narrow date_from/date_to."
        )
        raise ClientError(
            400, f"Invalid request: parameter 'interval': {message}", errors={"interval": [message]}
        )


def timeline(session: Session, *, interval: str, filters: dict[str, Any]) -> dict[str, Any]:
    """Counts per ``interval`` bucket, zero-filled, with what cannot be placed in a bucket.

    Buckets cover ``date_from``..``date_to`` when both are given and that makes at most
    ``MAX_BUCKETS`` buckets, otherwise the span of the matching data.

    An item is counted in the bucket that contains its whole date interval; an item whose
    date is less precise than the buckets (a month with ``interval=week``) is listed under
    ``imprecise`` instead, and an undated statement under ``undated``.
    """
    requested = _requested_range(filters)
    if requested and bucket_count(*requested, interval) > MAX_BUCKETS:
        requested = None  # too wide to zero-fill: fall back to the span of the data in it
    items = timeline_items(session, filters=filters)
    counts: dict[date, dict[str, int]] = {}
    imprecise: dict[str, list[DatedItem]] = {series: [] for series in SERIES}
    undated = 0
    for series, rows in items.items():
        for item in rows:
            if item.start is None or item.end is None:
                undated += 1
                continue
            start = bucket_start(item.start, interval)
            if start == bucket_start(item.end, interval):
                counts.setdefault(start, dict.fromkeys(SERIES, 0))[series] += 1
            else:
                imprecise[series].append(item)
    if requested is None and counts:
        requested = min(counts), max(counts)
        _check_bucket_count(*requested, interval)
    buckets = buckets_between(*requested, interval) if requested else []
    empty = dict.fromkeys(SERIES, 0)
    return {
        "interval": interval,
        "buckets": [
            {"start": b.start, "end": b.end, "label": b.label, **counts.get(b.start, empty)} for b in buckets
        ],
        "totals": {series: len(rows) for series, rows in items.items()},
        "imprecise": {
            **{
                series: [
                    {"id": i.id, "value": i.value, "precision": i.precision, "start": i.start, "end": i.end}
                    for i in sorted(rows, key=lambda i: (i.start, i.end, i.id))
                ]
                for series, rows in imprecise.items()
            },
            "counts": {series: len(rows) for series, rows in imprecise.items()},
        },
        "undated": {"statements": undated},
    }
