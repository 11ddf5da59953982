"""api.queries.Prepared: statements compiled once and run on the driver's cursor give the rows
SQLAlchemy gives, on the backend under test, whatever the IN lists hold from one run to the next
(their expansion is reused per count of values)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import bindparam, event, select

from api.db import get_session
from api.models import Statement
from api.queries import Prepared, run

BY_IDS = (
    select(Statement.id, Statement.speaker_id, Statement.start)
    .where(Statement.id.in_(bindparam("ids", expanding=True)), Statement.start >= bindparam("least"))
    .order_by(Statement.id)
)


def test_in_lists_of_every_size_and_content_give_what_sqlalchemy_gives(app: Flask) -> None:
    prepared = Prepared(BY_IDS)
    with app.app_context():
        session = get_session()
        ids = list(session.scalars(select(Statement.id).order_by(Statement.id)))
        assert len(ids) >= 20
        # the same sizes again with other values, a size seen before, none, and a missing id
        for chosen in (ids[:3], ids[3:6], ids[10:20], [], ids[:1], ["st-missing", ids[7]], ids[6:9]):
            for least in (0, 200):
                expected = session.execute(BY_IDS, {"ids": chosen, "least": least}).all()
                got = run(session, prepared, ids=chosen, least=least).all()
                assert [tuple(row) for row in got] == [tuple(row) for row in expected]
                assert [row.id for row in got] == sorted(i for i in chosen if i in ids) or least


def test_lists_built_into_a_statement_are_its_own_values(app: Flask) -> None:
    with app.app_context():
        session = get_session()
        speakers = list(
            session.scalars(select(Statement.speaker_id).distinct().order_by(Statement.speaker_id))
        )
        for pair in (speakers[:2], speakers[2:4], speakers[:2]):
            stmt = select(Statement.id).where(Statement.speaker_id.in_(pair)).order_by(Statement.id)
            got = [row.id for row in run(session, Prepared(stmt)).all()]
            assert got == list(session.scalars(stmt))
            assert got


def test_a_get_checks_out_one_connection_and_gives_it_back(app: Flask) -> None:
    """A GET's prepared reads and its ORM reads share one connection (api.db.connection_of),
    whichever comes first; none is left checked out after the response."""
    pool = app.extensions["veille.read_engine"].pool
    checkouts: list[object] = []

    def checked_out(*args: object) -> None:
        checkouts.append(args)

    event.listen(pool, "checkout", checked_out)
    try:
        client = app.test_client()
        with app.app_context():
            session = get_session()
            statement = session.scalar(select(Statement.id))
            article = session.scalar(select(Statement.article_id))
            speaker = session.scalar(select(Statement.speaker_id))
        paths = [
            "/v1",
            f"/v1/statements/{statement}",
            f"/v1/articles/{article}",
            f"/v1/entities/{speaker}",
            "/v1/events",
            "/v1/timeline",
            "/v1/changes",
            "/v1/statements?facets=about",
            "/v1/statements?format=csv",
        ]
        for path in paths:
            checkouts.clear()
            response = client.get(path)
            response.get_data()
            response.close()
            assert response.status_code == 200, path
            assert len(checkouts) == 1, path
            assert pool.checkedout() == 0, path
    finally:
        event.remove(pool, "checkout", checked_out)


def test_search_statements_are_planned_for_their_words_on_postgresql(make_app: Callable[..., Flask]) -> None:
    # one pooled connection, so that every request below runs on it
    app = make_app(DB_POOL_SIZE=1, RATELIMIT_ENABLED=False)
    engine = app.extensions["veille.read_engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite plans every statement for its values")
    client = app.test_client()
    for _ in range(12):  # past psycopg's five runs before it prepares, and PostgreSQL's five custom plans
        assert client.get("/v1/search?q=nucléaire&limit=5").status_code == 200
        assert client.get("/v1/statements?limit=5").status_code == 200
    with engine.connect() as connection:
        prepared = list(connection.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars())
    assert prepared, "the lists' statements are prepared on the connection (the check can see one)"
    assert not [sql for sql in prepared if "to_tsquery" in sql], "no search statement is"
