"""``fields=`` and ``expand=``: reshape list items after the query, identically for every format."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from api.collections import BY_SINGULAR, MANY, ONE


class Expander:
    """Replaces ids by the objects the item endpoints return, fetching each object once."""

    def __init__(self, session: Session, plan: dict[str, tuple[str, str]], expand: Iterable[str]) -> None:
        self.session = session
        self.fields = {name: plan[name] for name in expand}
        self.cache: dict[tuple[str, str], dict[str, Any] | None] = {}

    def _get(self, kind: str, item_id: str | None) -> Any:
        if item_id is None:
            return None
        key = (kind, item_id)
        if key not in self.cache:
            self.cache[key] = BY_SINGULAR[kind].fetch(self.session, item_id)
        return self.cache[key] or item_id

    def __call__(self, item: dict[str, Any]) -> dict[str, Any]:
        if not self.fields:
            return item
        shaped = dict(item)
        for name, (kind, holds) in self.fields.items():
            value = item.get(name)
            if holds == ONE:
                shaped[name] = self._get(kind, value)
            elif holds == MANY:
                shaped[name] = [self._get(kind, v) for v in value or []]
            else:
                shaped[name] = [{**p, "entity": self._get(kind, p["entity"])} for p in value or []]
        return shaped


def select_fields(item: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    if not fields:
        return item
    return {key: value for key, value in item.items() if key == "id" or key in fields}
