"""A search's match count is kept until the search documents change, not just until any write.

Every write bumps the dataset version; only some change what a search finds. A status change
leaves every document as it was: the next search must not count its matches again (a common
word's count visits hundreds of thousands of rows on PostgreSQL). A write that adds or removes
a document must show in the very next count.
"""

from __future__ import annotations

from typing import Any

import pytest

from api.queries import search
from tests.helpers import Writable
from tests.test_writes import STATEMENT, STATEMENT_ID, WORDS, Api, open_api, post_items

WORD = WORDS["statements"]  # in the new statement (and in its article)


@pytest.fixture
def counts_run(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The counting statements searches run while the test does (they run on the driver's
    connection, below SQLAlchemy's events: recorded where the search module runs them)."""
    counting = {
        sql for dialect in search._SEARCH_SQL.values() for key, sql in dialect.items() if key[0] == "count"
    }
    seen: list[Any] = []
    run = search.run

    def recorded(session: Any, prepared: Any, **params: Any) -> Any:
        if prepared in counting:
            seen.append(prepared)
        return run(session, prepared, **params)

    monkeypatch.setattr(search, "run", recorded)
    return seen


def searched(api: Api, seen: list[Any]) -> tuple[int, int]:
    """The match count of a search for WORD, and how many counting statements it ran."""
    seen.clear()
    count = int(api.json(f"/v1/search?q={WORD}&limit=1")["meta"]["count"])
    return count, len(seen)


def test_a_search_is_counted_again_when_its_documents_change_and_only_then(
    writable: Writable, counts_run: list[Any]
) -> None:
    api = open_api(writable)
    post_items(api, "articles")  # the statement's article
    before = searched(api, counts_run)[0]
    created = api.post("/v1/statements", STATEMENT)
    assert created.status_code == 201, created.get_data(as_text=True)
    count, counting = searched(api, counts_run)
    assert count == before + 1 and counting, "a new document: counted anew"
    assert searched(api, counts_run) == (count, 0)

    path = f"/v1/statements/{STATEMENT_ID}"
    version = api.version()
    changed = api.patch(path, {"status": "proposed"}, etag=api.etag(path))
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert api.version() == version + 1
    assert searched(api, counts_run) == (before + 1, 0), "a status change leaves the documents as they were"

    retired = api.delete(path, etag=api.etag(path))
    assert retired.status_code == 204
    count, counting = searched(api, counts_run)
    assert count == before and counting, "a retired statement's document is gone from the next count"
