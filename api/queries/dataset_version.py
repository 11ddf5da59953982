"""The dataset version of the current request: read once, on first use."""

from __future__ import annotations

from typing import Any

from flask import g

from api.db import get_session
from api.queries.overview import dataset_state


def _state() -> Any:
    if "dataset_state" not in g:
        g.dataset_state = dataset_state(get_session())
    return g.dataset_state


def current_version() -> str:
    if "dataset_version" not in g:
        state = _state()
        g.dataset_version = str(state.version) if state else "0"
    return g.dataset_version


def remember_version(version: int | None) -> None:
    """The dataset version a query of this request read along with its rows (None: it did not):
    the response tells it, and nothing reads it again."""
    if version is not None and "dataset_version" not in g:
        g.dataset_version = str(version)


def current_search_version() -> str:
    """The version of the search documents (``dataset_state.search_version``), read with the
    dataset version: a search's counts are kept by it."""
    state = _state()
    return str(state.search_version) if state else "0"
