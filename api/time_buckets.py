"""Calendar buckets of a timeline: days, ISO weeks (Monday to Sunday), months and years."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Bucket:
    start: date
    end: date
    label: str


def bucket_start(day: date, interval: str) -> date:
    """First day of the ``interval`` bucket (day, week, month or year) that contains ``day``."""
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "year":
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown interval {interval!r}")


def bucket_of(day: date, interval: str) -> Bucket:
    """The bucket that contains ``day``: its first and last day and its label."""
    start = bucket_start(day, interval)
    if interval == "day":
        return Bucket(start, start, start.isoformat())
    if interval == "week":
        # the week of 9999-12-31 ends after the last representable day
        end = start + timedelta(days=min(6, (date.max - start).days))
        return Bucket(start, end, start.isoformat())
    if interval == "month":
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        return Bucket(start, end, start.isoformat()[:7])
    return Bucket(start, start.replace(month=12, day=31), start.isoformat()[:4])


def bucket_count(first: date, last: date, interval: str) -> int:
    """How many buckets run from the one containing ``first`` to the one containing ``last``."""
    low, high = bucket_start(first, interval), bucket_start(last, interval)
    if interval in ("day", "week"):
        return (high - low).days // (1 if interval == "day" else 7) + 1
    if interval == "month":
        return (high.year - low.year) * 12 + high.month - low.month + 1
    return high.year - low.year + 1


def buckets_between(first: date, last: date, interval: str) -> list[Bucket]:
    """Every bucket from the one containing ``first`` to the one containing ``last``, in order."""
    buckets: list[Bucket] = []
    if first > last:
        return buckets
    bucket = bucket_of(first, interval)
    final = bucket_start(last, interval)
    while True:
        buckets.append(bucket)
        if bucket.start >= final:
            return buckets
        bucket = bucket_of(bucket.end + timedelta(days=1), interval)
