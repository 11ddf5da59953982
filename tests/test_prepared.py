"""api.queries.Prepared: statements compiled once and run on the driver's cursor give the rows
SQLAlchemy gives, on the backend under test, whatever the IN lists hold from one run to the next
(their expansion is reused per count of values)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import bindparam, select

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
