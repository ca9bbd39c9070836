"""A value left out of a row that went in without it names the customer the row went to, and
when someone marked it checked.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("row_errors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("customer_id", _ID, nullable=True))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_row_errors_customer_id", ["customer_id"])


def downgrade() -> None:
    with op.batch_alter_table("row_errors", schema=None) as batch_op:
        batch_op.drop_index("ix_row_errors_customer_id")
        batch_op.drop_column("checked_at")
        batch_op.drop_column("customer_id")
