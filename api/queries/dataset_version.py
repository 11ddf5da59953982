"""The dataset version of the current request: read once, on first use."""

from __future__ import annotations

from flask import g

from api.db import get_session
from api.queries.overview import dataset_state


def current_version() -> str:
    if "dataset_version" not in g:
        state = dataset_state(get_session())
        g.dataset_version = str(state.version) if state else "0"
    return g.dataset_version
