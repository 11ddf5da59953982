"""Spelling variants follow writes made by other processes, at the next dataset version.

Each web worker keeps the variants it read (per dataset version). Here "another worker" is a
second connection writing the database directly: an alias added there must widen searches in
this process as soon as the version it bumped is read, and its removal must narrow them again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from api.db import make_engine
from api.text import fold
from tests.helpers import Writable

NEW_SPELLING = "Chouïgaou"  # found in no seed text


@pytest.fixture(scope="module")
def other_worker(module_writable: Writable) -> Iterator[Engine]:
    engine = make_engine(module_writable.url)
    yield engine
    engine.dispose()


def count(client: FlaskClient, q: str) -> int:
    response = client.get("/v1/search?" + urlencode({"q": q, "limit": 1}))
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.get_json()["meta"]["count"])


def write(engine: Engine, sql: str, **params: str) -> None:
    with engine.begin() as connection:
        connection.execute(text(sql), params)
        connection.execute(text("UPDATE dataset_state SET version = version + 1 WHERE id = 1"))


def test_a_spelling_written_elsewhere_is_used_at_the_next_version(
    module_writable: Writable, other_worker: Engine
) -> None:
    client = module_writable.app.test_client()
    shoigu = count(client, "Shoigu")
    assert shoigu > 0
    assert count(client, NEW_SPELLING) == 0
    write(
        other_worker,
        "INSERT INTO entity_aliases (entity_id, alias, language, in_text, normalized) "
        "VALUES ('sergei-shoigu', :alias, 'fr', false, :normalized)",
        alias=NEW_SPELLING,
        normalized=fold(NEW_SPELLING),
    )
    assert count(client, NEW_SPELLING) == shoigu, "the new spelling finds what the others find"
    write(other_worker, "UPDATE articles SET lead = lead WHERE 1 = 0")  # a version without alias change
    assert count(client, NEW_SPELLING) == shoigu
    write(other_worker, "DELETE FROM entity_aliases WHERE alias = :alias", alias=NEW_SPELLING)
    assert count(client, NEW_SPELLING) == 0, "a removed spelling no longer widens the search"
    assert count(client, "Shoigu") == shoigu


def test_a_version_that_changed_no_alias_reads_no_alias_row(
    module_writable: Writable, other_worker: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.queries import search  # noqa: PLC0415  (its alias reader is counted here)

    reads: list[int] = []
    read_rows = search._alias_rows

    def counted(session: Any) -> list[tuple[str, str]]:
        reads.append(1)
        return read_rows(session)

    monkeypatch.setattr(search, "_alias_rows", counted)
    client = module_writable.app.test_client()
    count(client, "Shoigu")  # whatever this process knew, it knows the current version now
    reads.clear()
    write(other_worker, "UPDATE articles SET lead = lead WHERE 1 = 0")
    count(client, "Shoigu")
    assert reads == [], "a write that touched no alias made the aliases be read again"
    write(other_worker, "UPDATE entity_aliases SET alias = alias WHERE alias = 'Choïgou'")
    count(client, "Shoigu")
    assert reads == [1], "an alias row written (even to the same value) makes them be read again"
