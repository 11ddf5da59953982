"""Every read of the service: what the API answers and the lookups writes make. Functions take
the session first and never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlalchemy.orm import Session


def run(session: Session, stmt: Executable, **params: Any) -> CursorResult[Any]:
    """Execute a Core statement built once at import (values as bound parameters) on the
    session's connection: no statement construction per request and no ORM result handling,
    which measured at about four fifths of a one-row query's time."""
    return session.connection().execute(stmt, params)
