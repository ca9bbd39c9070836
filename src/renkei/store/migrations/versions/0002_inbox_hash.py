"""Mail: the hash of each mail integration's inbox secret (lookup at RCPT) and Message-IDs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("integrations") as batch:
        batch.add_column(sa.Column("inbox_hash", sa.String(length=64), nullable=True))
        batch.create_index("ix_integrations_inbox_hash", ["inbox_hash"], unique=True)
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("message_id", sa.String(length=998), nullable=True))
        batch.create_index("ix_deliveries_integration_id_message_id", ["integration_id", "message_id"])


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index("ix_deliveries_integration_id_message_id")
        batch.drop_column("message_id")
    with op.batch_alter_table("integrations") as batch:
        batch.drop_index("ix_integrations_inbox_hash")
        batch.drop_column("inbox_hash")
