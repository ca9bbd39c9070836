"""An index on customers (workspace_id, id): the customer list, newest first, reads a page, not the workspace.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_customers_workspace_id_id", "customers", ["workspace_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_customers_workspace_id_id", table_name="customers")
