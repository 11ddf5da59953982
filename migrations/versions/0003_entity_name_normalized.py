"""Folded entity names, so a name filter matches the canonical name as it matches aliases

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.text import fold

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch_op:
        batch_op.add_column(sa.Column("name_normalized", sa.String(length=300), nullable=True))
    entities = sa.table(
        "entities",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("name_normalized", sa.String),
    )
    connection = op.get_bind()
    for entity_id, name in connection.execute(sa.select(entities.c.id, entities.c.name)).all():
        connection.execute(
            entities.update().where(entities.c.id == entity_id).values(name_normalized=fold(name))
        )
    with op.batch_alter_table("entities") as batch_op:
        batch_op.alter_column("name_normalized", existing_type=sa.String(length=300), nullable=False)
        batch_op.create_index(batch_op.f("ix_entities_name_normalized"), ["name_normalized"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entities") as batch_op:
        batch_op.drop_index(batch_op.f("ix_entities_name_normalized"))
        batch_op.drop_column("name_normalized")
