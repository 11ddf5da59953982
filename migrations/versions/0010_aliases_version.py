"""``dataset_state.aliases_version``: bumped by the database whenever an alias row changes

Search widens a word to every spelling of the entity it names (api.queries.search), and each
worker keeps those variants per dataset version. Deciding whether a new version changed any
alias used to mean reading every alias row again (56 ms for 33,000 aliases, on every write);
this counter says it in the row the request reads anyway. Triggers keep it, so every writer
is covered: the API, the loaders, a migration, a hand-written statement.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 03:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUMP = "UPDATE dataset_state SET aliases_version = aliases_version + 1 WHERE id = 1"
EVENTS = ("insert", "update", "delete")


def upgrade() -> None:
    with op.batch_alter_table("dataset_state") as batch_op:
        batch_op.add_column(sa.Column("aliases_version", sa.Integer(), server_default="0", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_aliases_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for event in EVENTS:
            # once per statement: a load of thousands of aliases bumps it once
            op.execute(
                f"CREATE TRIGGER entity_aliases_{event} AFTER {event.upper()} ON entity_aliases "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_aliases_version()"
            )
    else:
        for event in EVENTS:
            # SQLite triggers run per row
            op.execute(
                f"CREATE TRIGGER entity_aliases_{event} AFTER {event.upper()} ON entity_aliases "
                f"BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    for event in EVENTS:
        op.execute(
            f"DROP TRIGGER entity_aliases_{event} ON entity_aliases"
            if op.get_bind().dialect.name == "postgresql"
            else f"DROP TRIGGER entity_aliases_{event}"
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION bump_aliases_version()")
    with op.batch_alter_table("dataset_state") as batch_op:
        batch_op.drop_column("aliases_version")
