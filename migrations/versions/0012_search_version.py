"""``dataset_state.search_version``: bumped by the database whenever a search document changes

A search's match count and the start of its ranking window were kept per dataset version, and
every write bumps that version: after a PATCH of a statement's ``status``, which leaves every
search document as it was, the first search for a common word counted its matches again (330,216
of them: 10-20 ms on SQLite, about 1 s on PostgreSQL, whose count visits every matching row).
Both depend on the search documents only, so they are now kept per ``search_version``, which
triggers on ``search_documents`` bump whoever writes it: the API, the loaders, ``flask synth``,
a migration, a hand-written statement. On SQLite the triggers run per row (one more
single-row UPDATE per document written): ``flask synth --articles 2000`` loaded in 4.28-4.34 s
against 4.35-4.54 s without them.

The shape is migration 0010's (a counter in ``dataset_state`` bumped by triggers), written out
again rather than shared: a migration keeps the code it ran with.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUMP = "UPDATE dataset_state SET search_version = search_version + 1 WHERE id = 1"
EVENTS = ("insert", "update", "delete")


def upgrade() -> None:
    with op.batch_alter_table("dataset_state") as batch_op:
        batch_op.add_column(sa.Column("search_version", sa.Integer(), server_default="0", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_search_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for event in EVENTS:
            # once per statement: a load of a million documents bumps it once
            op.execute(
                f"CREATE TRIGGER search_documents_version_{event} AFTER {event.upper()} "
                "ON search_documents FOR EACH STATEMENT EXECUTE FUNCTION bump_search_version()"
            )
    else:
        for event in EVENTS:
            # SQLite triggers run per row
            op.execute(
                f"CREATE TRIGGER search_documents_version_{event} AFTER {event.upper()} "
                f"ON search_documents BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    for event in EVENTS:
        op.execute(
            f"DROP TRIGGER search_documents_version_{event} ON search_documents"
            if op.get_bind().dialect.name == "postgresql"
            else f"DROP TRIGGER search_documents_version_{event}"
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION bump_search_version()")
    # not a batch: on SQLite that copies the table and renames the copy, which the triggers of
    # migration 0010 (they update dataset_state) refuse; SQLite drops a column since 3.35
    op.drop_column("dataset_state", "search_version")
