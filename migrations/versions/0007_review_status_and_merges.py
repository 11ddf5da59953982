"""Review status and confidence on every proposable row; entity merges; article lookup by text

Entities get the ``status`` mentions, statements and events already had; all four get the
``confidence`` of the extraction pipeline (null for curated rows). ``merged_into`` keeps a
merged entity's id answering with a redirect. ``content_hash`` is indexed so an ingested
text is found again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROPOSABLE = ("mentions", "statements", "events")


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), server_default="verified", nullable=False)
        )
        batch_op.add_column(sa.Column("confidence", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("merged_into", sa.String(length=120), nullable=True))
        batch_op.create_check_constraint("status", "status IN ('verified', 'proposed')")
        batch_op.create_foreign_key(
            batch_op.f("fk_entities_merged_into_entities"), "entities", ["merged_into"], ["id"]
        )
    for table in PROPOSABLE:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("confidence", sa.Float(), nullable=True))
    with op.batch_alter_table("articles") as batch_op:
        batch_op.create_index(batch_op.f("ix_articles_content_hash"), ["content_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_content_hash"))
    for table in PROPOSABLE:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("confidence")
    with op.batch_alter_table("entities") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_entities_merged_into_entities"), type_="foreignkey")
        batch_op.drop_constraint("status", type_="check")
        batch_op.drop_column("merged_into")
        batch_op.drop_column("confidence")
        batch_op.drop_column("status")
