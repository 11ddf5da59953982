"""The counts the database keeps (``live_counts``, migration 0011) are the counts a scan gives.

Triggers keep the live rows of each collection and, per value, of each single-valued facet; an
unfiltered list reads its ``meta.count`` and those facets there. These tests hold the kept counts
to a fresh ``count(*)`` / ``GROUP BY`` after the seeds, after the backfill of the migration and
after every write of a sequence through the API (so that a retire followed by a restore cannot
hide a missing trigger), and the unfiltered answers to those of the same list with a filter that
matches everything (which counts by scanning).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Boolean, Engine, func, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from api.collections import COLLECTIONS, Collection
from api.config import PROJECT_ROOT
from api.db import alembic_config, make_engine
from api.models import Article, LiveCount
from tests.helpers import SERVER_URL, Writable, migrate
from tests.test_writes import (
    ARTICLE_ID,
    DUPLICATE,
    EVENT_ID,
    FIXTURE,
    NEW_STATEMENT,
    NEW_STATEMENT_ID,
    STATEMENT_ID,
    Api,
    open_api,
    post_items,
)

MIGRATION = PROJECT_ROOT / "migrations" / "versions" / "0011_live_counts.py"
EVERYTHING = "updated_since=1970-01-01T00:00:00Z"  # a filter every item matches: counted by a scan

Counts = dict[tuple[str, str, str | None], int]


def _migration() -> Any:
    spec = importlib.util.spec_from_file_location("live_counts_migration", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def single_valued(collection: Collection) -> tuple[str, ...]:
    """The columns of the collection's single-valued facets, in the order it declares them."""
    return tuple(f.column for f in collection.facets.values() if not f.many_valued)


def _text(value: Any) -> str | None:
    return ("true" if value else "false") if isinstance(value, bool) else value


def scanned(engine: Engine) -> Counts:
    """(table, column or '*', value) → live rows, counted now by scanning each table (counts of 0
    left out)."""
    counts: Counts = {}
    with Session(engine) as session:
        for collection in COLLECTIONS:
            model, table = collection.model, collection.model.__tablename__
            live = model.deleted_at.is_(None)
            counts[(table, "*", "")] = (
                session.scalar(select(func.count()).select_from(model).where(live)) or 0
            )
            for column in single_valued(collection):
                field = getattr(model, column)
                for value, count in session.execute(select(field, func.count()).where(live).group_by(field)):
                    counts[(table, column, _text(value))] = count
    return {key: count for key, count in counts.items() if count}


def kept(engine: Engine) -> Counts:
    """The same, as the database keeps them (counts fallen to 0 left out)."""
    with Session(engine) as session:
        rows = session.scalars(select(LiveCount).where(LiveCount.count != 0))
        return {(r.table_name, r.column_name, None if r.is_null else r.value): r.count for r in rows}


@pytest.fixture
def api(writable: Writable) -> Iterator[tuple[Api, Engine]]:
    engine = make_engine(writable.url)
    yield open_api(writable), engine
    engine.dispose()


def test_the_migration_counts_exactly_the_single_valued_facets_of_the_collections() -> None:
    migration = _migration()
    assert {c.model.__tablename__: single_valued(c) for c in COLLECTIONS} == migration.COUNTED
    booleans = {
        (c.model.__tablename__, column)
        for c in COLLECTIONS
        for column in single_valued(c)
        if isinstance(c.model.__table__.c[column].type, Boolean)
    }
    assert migration.BOOLEANS == booleans == {("events", "planned")}


def test_the_seeds_are_counted_and_the_backfill_counts_the_same(api: tuple[Api, Engine]) -> None:
    client, engine = api
    assert kept(engine) == scanned(engine)
    # retired rows must be left out of the backfill too
    for path in (f"/v1/statements/{_first(client, 'statements')}", f"/v1/events/{_first(client, 'events')}"):
        assert client.delete(path, etag=client.etag(path)).status_code == 204
    url = engine.url.render_as_string(hide_password=False)
    command.downgrade(alembic_config(url), "0010")
    assert "live_counts" not in inspect(engine).get_table_names()
    migrate(url)
    assert kept(engine) == scanned(engine)


def _first(client: Api, collection: str) -> str:
    return client.json(f"/v1/{collection}?limit=1")["data"][0]["id"]


def assert_lists_answer_as_a_scan(client: Api) -> None:
    """Every collection's unfiltered list (counts read from live_counts) answers the count and
    facets of the same list filtered on something every item matches (counts by a scan)."""
    for collection in COLLECTIONS:
        facets = ",".join(n for n, f in collection.facets.items() if not f.many_valued)
        for size in (2, 500):
            query = f"limit=1&facets={facets}&facet_size={size}"
            unfiltered = client.json(f"/v1/{collection.name}?{query}")["meta"]
            filtered = client.json(f"/v1/{collection.name}?{query}&{EVERYTHING}")["meta"]
            assert unfiltered["count"] == filtered["count"], collection.name
            for name, facet in filtered["facets"].items():
                # the url of a value repeats the request's filters: compared without it
                values = [{k: v for k, v in value.items() if k != "url"} for value in facet["values"]]
                mine = unfiltered["facets"][name]
                assert [{k: v for k, v in value.items() if k != "url"} for value in mine["values"]] == values
                assert mine["other"] == facet["other"], (collection.name, name, size)


def test_every_write_keeps_the_counts_of_a_scan(api: tuple[Api, Engine]) -> None:
    client, engine = api

    def check(after: str) -> None:
        assert kept(engine) == scanned(engine), after
        assert_lists_answer_as_a_scan(client)

    def patch(path: str, changes: dict[str, Any]) -> None:
        response = client.patch(path, changes, etag=client.etag(path))
        assert response.status_code == 200, response.get_data(as_text=True)

    def retire_and_restore(path: str) -> None:
        assert client.delete(path, etag=client.etag(path)).status_code == 204
        check(f"retire {path}")
        assert client.post(f"{path}/restore", key="admin").status_code == 200
        check(f"restore {path}")

    check("seeds")
    post_items(client, "articles", "statements", "events")
    check("creates")
    statement, event, article = (
        f"/v1/statements/{STATEMENT_ID}",
        f"/v1/events/{EVENT_ID}",
        f"/v1/articles/{ARTICLE_ID}",
    )
    patch(statement, {"speaker": "andrei-belousov", "kind": "reported", "status": "proposed"})
    check("a statement's speaker, kind and status")
    patch(event, {"planned": True, "location": None, "type": "summit", "status": "proposed"})
    check("an event's planned, location, type and status")
    patch(article, {"outlet": None, "language": "ru"})
    check("an article's outlet and language")
    patch("/v1/entities/minsk", {"type": "country", "status": "proposed"})
    check("an entity's type and status")
    assert client.post("/v1/entities", DUPLICATE).status_code == 201
    check("an entity created")
    for path in (statement, event, _bare_article(client), f"/v1/entities/{DUPLICATE['id']}"):
        retire_and_restore(path)

    # a merge moves statements and articles to another entity and retires the duplicate
    said = {**NEW_STATEMENT, "speaker": DUPLICATE["id"], "about": [DUPLICATE["id"], "belarus"]}
    assert client.post("/v1/statements", said).status_code == 201
    patch(article, {"outlet": DUPLICATE["id"]})
    check("the duplicate speaks and publishes")
    merged = client.post(f"/v1/entities/{DUPLICATE['id']}/merge", {"into": "andrei-belousov"})
    assert merged.status_code == 200, merged.get_data(as_text=True)
    assert client.json(f"/v1/statements/{NEW_STATEMENT_ID}")["speaker"] == "andrei-belousov"
    check("merge")

    ingested = client.ingest(str(FIXTURE))
    assert ingested.exit_code == 0, ingested.output
    check("ingest")


def _bare_article(client: Api) -> str:
    """A new article that nothing quotes (so it may be retired): its path."""
    body = "Un article nu\nRien à citer ici.\n"
    article = {"title": "Un article nu", "body": body, "language": "de", "published": "2025-04-01"}
    response = client.post("/v1/articles", article)
    assert response.status_code == 201, response.get_data(as_text=True)
    return f"/v1/articles/{response.get_json()['id']}"


def test_an_unfiltered_list_reads_the_kept_counts(api: tuple[Api, Engine]) -> None:
    """Read before any request of this database (nothing cached): a count changed by hand in
    live_counts is what the unfiltered list answers; a filtered list still counts its rows."""
    client, engine = api
    with Session(engine) as session, session.begin():
        session.execute(
            update(LiveCount)
            .where(LiveCount.table_name == "articles", LiveCount.column_name.in_(["*", "language"]))
            .values(count=LiveCount.count + 1000)
        )
        real = session.scalar(select(func.count()).select_from(Article).where(Article.deleted_at.is_(None)))
    meta = client.json("/v1/articles?facets=language&limit=1")["meta"]
    assert meta["count"] == real + 1000
    assert meta["facets"]["language"]["values"][0]["count"] == real + 1000
    assert client.json(f"/v1/articles?limit=1&{EVERYTHING}")["meta"]["count"] == real


def test_retired_rows_written_directly_are_never_counted(api: tuple[Api, Engine]) -> None:
    """A row inserted already retired, and a retired row changed, leave the counts alone."""
    _client, engine = api
    before = kept(engine)
    with Session(engine) as session, session.begin():
        first = session.execute(select(Article.__table__).order_by(Article.id).limit(1)).one()._asdict()
        retired = {**first, "id": "a-retired-copy", "deleted_at": datetime.now(UTC)}
        session.execute(insert(Article.__table__), [retired])
        session.execute(
            update(Article).where(Article.id == first["id"]).values(deleted_at=retired["deleted_at"])
        )
        session.execute(
            update(Article).where(Article.id == first["id"]).values(language="xx", outlet_id=None)
        )
    after = kept(engine)
    assert after == scanned(engine)
    assert after[("articles", "*", "")] == before[("articles", "*", "")] - 1
    assert ("articles", "language", "xx") not in after


@pytest.mark.skipif(not SERVER_URL, reason="TRUNCATE is PostgreSQL's")
def test_a_truncated_table_counts_nothing(api: tuple[Api, Engine]) -> None:
    _client, engine = api
    with Session(engine) as session, session.begin():
        session.execute(text("TRUNCATE statements CASCADE"))
    after = kept(engine)
    assert after == scanned(engine)
    assert not any(table == "statements" for table, _, _ in after)
