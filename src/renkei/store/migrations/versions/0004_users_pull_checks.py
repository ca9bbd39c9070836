"""Users, web sessions and API tokens; remote items fetched by pull and IMAP; scheduled checks; forwarding confirmed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], name=f"fk_{table}_workspace_id_workspaces")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", Id, nullable=False),
        sa.Column("workspace_id", Id, nullable=False),
        sa.Column("login", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False, server_default="ja"),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", When, nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("last_login_at", When, nullable=True),
        sa.Column("disabled_at", When, nullable=True),
        _workspace_fk("users"),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("login", name="uq_users_login"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.Column("last_seen_at", When, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_web_sessions_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_web_sessions"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", Id, nullable=False),
        sa.Column("workspace_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("last_used_at", When, nullable=True),
        sa.Column("revoked_at", When, nullable=True),
        _workspace_fk("api_tokens"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_api_tokens_user_id_users", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "remote_items",
        sa.Column("id", Id, nullable=False),
        sa.Column("integration_id", Id, nullable=False),
        sa.Column("key", sa.String(length=1000), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("mtime", When, nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("delivery_id", Id, nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("seen_at", When, nullable=False),
        sa.Column("done_at", When, nullable=True),
        sa.ForeignKeyConstraint(
            ["integration_id"], ["integrations.id"], name="fk_remote_items_integration_id_integrations"
        ),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"], name="fk_remote_items_delivery_id_deliveries"),
        sa.PrimaryKeyConstraint("id", name="pk_remote_items"),
    )
    op.create_index("ix_remote_items_integration_id_key", "remote_items", ["integration_id", "key"])
    op.create_index("ix_remote_items_integration_id_sha256", "remote_items", ["integration_id", "sha256"])
    op.create_table(
        "checks",
        sa.Column("id", Id, nullable=False),
        sa.Column("workspace_id", Id, nullable=False),
        sa.Column("integration_id", Id, nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("started_at", When, nullable=False),
        sa.Column("heartbeat_at", When, nullable=False),
        sa.Column("finished_at", When, nullable=True),
        sa.Column("found", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("landed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("message", sa.Text(), nullable=True),
        _workspace_fk("checks"),
        sa.ForeignKeyConstraint(["integration_id"], ["integrations.id"], name="fk_checks_integration_id_integrations"),
        sa.PrimaryKeyConstraint("id", name="pk_checks"),
    )
    op.create_index("ix_checks_integration_id_state", "checks", ["integration_id", "state"])
    with op.batch_alter_table("integrations") as batch:
        batch.add_column(sa.Column("confirmed_at", When, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("integrations") as batch:
        batch.drop_column("confirmed_at")
    op.drop_index("ix_checks_integration_id_state", table_name="checks")
    op.drop_table("checks")
    op.drop_index("ix_remote_items_integration_id_sha256", table_name="remote_items")
    op.drop_index("ix_remote_items_integration_id_key", table_name="remote_items")
    op.drop_table("remote_items")
    op.drop_table("api_tokens")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("users")
