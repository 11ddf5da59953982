"""Statements in their list order, indexed: a page, even a deep one, is an index range scan

The statement list is ordered by "undated last", the said-on date (undated as 9999-12-31)
and the id. Two generated columns hold the first two keys (virtual on SQLite, stored on
PostgreSQL, which has only those) so plain indexes on them serve the order and the
keyset condition ``(said_on_rank, said_on_sort, id) > (…)`` of a cursor: one index for the
whole list, one for the list filtered by speaker, both without retired rows. PostgreSQL
compares ids in byte order (COLLATE "C", as SQLite does), so its indexes do too.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RANK = "CASE WHEN said_on_start IS NULL THEN 1 ELSE 0 END"
SORT = "coalesce(said_on_start, '9999-12-31')"
INDEXES = {"ix_statements_said_on_order": [], "ix_statements_speaker_said_on_order": ["speaker_id"]}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":  # SQLite can add only virtual generated columns to a table
        op.execute(
            f"ALTER TABLE statements ADD COLUMN said_on_rank INTEGER GENERATED ALWAYS AS ({RANK}) VIRTUAL"
        )
        op.execute(
            f"ALTER TABLE statements ADD COLUMN said_on_sort DATE GENERATED ALWAYS AS ({SORT}) VIRTUAL"
        )
    else:
        op.add_column(
            "statements", sa.Column("said_on_rank", sa.Integer(), sa.Computed(RANK, persisted=True))
        )
        op.add_column(
            "statements", sa.Column("said_on_sort", sa.Date(), sa.Computed(f"{SORT}::date", persisted=True))
        )
    by_id = sa.text('id COLLATE "C"') if dialect == "postgresql" else "id"
    for name, prefix in INDEXES.items():
        op.create_index(
            name,
            "statements",
            [*prefix, "said_on_rank", "said_on_sort", by_id],
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )
    op.drop_index("ix_statements_speaker_said_on", table_name="statements")


def downgrade() -> None:
    op.create_index("ix_statements_speaker_said_on", "statements", ["speaker_id", "said_on_start"])
    for name in INDEXES:
        op.drop_index(name, table_name="statements")
    op.drop_column("statements", "said_on_sort")
    op.drop_column("statements", "said_on_rank")
