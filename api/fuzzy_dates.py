"""Fuzzy dates: a value at day, month or year precision and the interval it covers."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_PATTERNS = {
    "year": re.compile(r"^(\d{4})$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "day": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
}


class FuzzyDateError(ValueError):
    """A value that is not a valid fuzzy date for its precision."""


@dataclass(frozen=True)
class FuzzyDate:
    value: str
    precision: str
    note: str | None = None


def precision_of(value: str) -> str:
    """The precision a bare value is written at (``2024`` → year, ``2024-10`` → month…)."""
    for precision, pattern in _PATTERNS.items():
        if pattern.match(value):
            return precision
    raise FuzzyDateError(f"{value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")


def interval(value: str, precision: str) -> tuple[date, date]:
    """First and last day covered by ``value`` written at ``precision``."""
    pattern = _PATTERNS.get(precision)
    if pattern is None:
        raise FuzzyDateError(f"precision must be one of day, month, year; got {precision!r}")
    match = pattern.match(value)
    if match is None:
        raise FuzzyDateError(f"{value!r} does not match precision {precision!r}")
    parts = [int(p) for p in match.groups()]
    try:
        if precision == "year":
            return date(parts[0], 1, 1), date(parts[0], 12, 31)
        if precision == "month":
            year, month = parts
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1), date(year, month, last)
        day = date(*parts)
        return day, day
    except ValueError as exc:
        raise FuzzyDateError(f"{value!r} is not a calendar date") from exc


def bounds(value: str) -> tuple[date, date]:
    """The interval of a bare value whose precision is implied by its shape."""
    return interval(value, precision_of(value))
