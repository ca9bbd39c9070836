"""The store's tables (SQLAlchemy Core). Migrations in ``migrations/`` create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from renkei.core.fields import SCALAR_FIELDS

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = BigInteger().with_variant(Integer(), "sqlite")

workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Id, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("timezone", String(64), nullable=False, server_default="Asia/Tokyo"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

integrations = Table(
    "integrations",
    metadata,
    Column("id", Id, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("status", String(20), nullable=False),  # active / stopped / failing
    Column("status_reason", Text),
    Column("settings", JSON, nullable=False),
    Column("secrets", Text),  # Fernet token of a JSON object
    Column("mapping", JSON, nullable=False),
    Column("policies", JSON, nullable=False),
    Column("defaults", JSON, nullable=False),
    Column("notify", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # SHA-256 of a mail integration's inbox secret: found at RCPT without decrypting anything.
    Column("inbox_hash", String(64), index=True, unique=True),
    # When the portal's address-confirmation mail (or the first lead) reached the inbox.
    Column("confirmed_at", DateTime(timezone=True)),
    UniqueConstraint("workspace_id", "name"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id"), nullable=False),
    Column("integration_id", ForeignKey("integrations.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("file_name", String(500)),
    Column("channel", String(20), nullable=False),  # cli / smtp / ftp / upload / replay
    Column("state", String(20), nullable=False),
    Column("reason", Text),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("processed_at", DateTime(timezone=True)),
    Column("created_count", Integer, nullable=False, server_default="0"),
    Column("updated_count", Integer, nullable=False, server_default="0"),
    Column("unchanged_count", Integer, nullable=False, server_default="0"),
    Column("error_count", Integer, nullable=False, server_default="0"),
    Column("left_out_count", Integer, nullable=False, server_default="0"),
    Column("duplicate_of", ForeignKey("deliveries.id")),
    Column("replaced_by", ForeignKey("deliveries.id")),
    Column("meta", JSON, nullable=False),
    Column("message_id", String(998)),
    Index(None, "integration_id", "sha256"),
    Index(None, "integration_id", "message_id"),
    Index(None, "integration_id", "file_name"),
    Index(None, "state"),
)

row_errors = Table(
    "row_errors",
    metadata,
    Column("id", Id, primary_key=True),
    Column("delivery_id", ForeignKey("deliveries.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("line", Integer),
    Column("locator", String(200)),
    Column("column_name", String(200)),
    Column("value", Text),
    Column("reason", Text, nullable=False),
    # A value left out of a row that went in without it (``bad_values: leave_out``): the customer
    # the row went to, whose page lists it. None for a row error and a note.
    Column("customer_id", Id, index=True),
    # When someone marked that value checked (its customer's page): it no longer asks for a look.
    Column("checked_at", DateTime(timezone=True)),
)

customers = Table(
    "customers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=False),
    Column("workspace_id", ForeignKey("workspaces.id"), nullable=False),
    *(Column(name, Text) for name in SCALAR_FIELDS),
    Column("custom", JSON),
    # Field → delivery id for values whose source is not the creating delivery.
    Column("sources", JSON),
    Column("created_by", ForeignKey("deliveries.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "workspace_id", "email"),
    Index(None, "workspace_id", "mobile"),
    Index(None, "workspace_id", "phone"),
    Index(None, "created_by"),
    # A workspace's customers newest first (the customer list and its pages) without sorting them all.
    Index(None, "workspace_id", "id"),
)

field_history = Table(
    "field_history",
    metadata,
    Column("id", Id, primary_key=True),
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("field", String(200), nullable=False),
    Column("old_value", Text),
    Column("old_delivery_id", ForeignKey("deliveries.id")),
    Column("new_value", Text),
    Column("new_delivery_id", ForeignKey("deliveries.id"), nullable=False, index=True),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

customer_external_ids = Table(
    "customer_external_ids",
    metadata,
    Column("integration_id", ForeignKey("integrations.id"), primary_key=True),
    Column("external_id", String(200), primary_key=True),
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("delivery_id", ForeignKey("deliveries.id"), nullable=False, index=True),
)

customer_labels = Table(
    "customer_labels",
    metadata,
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(10), primary_key=True),  # tag / group
    Column("name", String(200), primary_key=True),
    Column("delivery_id", ForeignKey("deliveries.id"), index=True),
)

inquiries = Table(
    "inquiries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id"), nullable=False),
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("integration_id", ForeignKey("integrations.id"), nullable=False),
    Column("delivery_id", ForeignKey("deliveries.id"), nullable=False, index=True),
    Column("source", String(100), nullable=False),
    Column("external_id", String(200)),
    Column("received_at", DateTime(timezone=True)),
    Column("property_code", String(200)),
    Column("own_property_code", String(200)),
    Column("property_name", Text),
    Column("property_url", Text),
    Column("price", String(200)),
    Column("layout", String(100)),
    Column("message", Text),
    Column("extra", JSON),
    Index(None, "workspace_id", "source", "external_id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id"), nullable=False),
    Column("integration_id", ForeignKey("integrations.id")),
    Column("delivery_id", ForeignKey("deliveries.id")),
    Column("kind", String(20), nullable=False),  # report
    Column("recipients", JSON, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("attachments", JSON, nullable=False),  # [{"filename", "content_type", "text"}]
    Column("state", String(20), nullable=False),  # queued / sent / failed / withdrawn
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Index(None, "state", "next_attempt_at"),
    Index(None, "delivery_id"),
)

settings = Table(
    "settings",
    metadata,
    Column("id", Id, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id")),  # NULL: the whole hub
    Column("key", String(100), nullable=False),
    Column("value", JSON, nullable=False),
    Column("secrets", Text),  # Fernet token of a JSON object
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index(None, "key", "workspace_id"),
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id"), nullable=False),
    Column("login", String(200), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("role", String(20), nullable=False),  # admin / operator / viewer
    Column("locale", String(10), nullable=False, server_default="ja"),
    Column("failed_logins", Integer, nullable=False, server_default="0"),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_login_at", DateTime(timezone=True)),
    Column("disabled_at", DateTime(timezone=True)),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's token
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Id, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id"), nullable=False),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE")),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token
    Column("prefix", String(16), nullable=False),  # the first characters, to tell tokens apart in lists
    Column("role", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# What a pull integration (SFTP/FTP folder, IMAP mailbox) has seen on the remote side, so nothing is fetched twice.
remote_items = Table(
    "remote_items",
    metadata,
    Column("id", Id, primary_key=True),
    Column("integration_id", ForeignKey("integrations.id"), nullable=False),
    Column("key", String(1000), nullable=False),  # remote path, or "<uidvalidity>:<uid>" for IMAP
    Column("size", BigInteger),
    Column("mtime", DateTime(timezone=True)),
    Column("sha256", String(64)),
    Column("delivery_id", ForeignKey("deliveries.id")),
    Column("state", String(20), nullable=False),  # seen / landed / done (moved, deleted or flagged remotely)
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True)),
    Index(None, "integration_id", "key"),
    Index(None, "integration_id", "sha256"),
)

# One scheduled or manual check of a pull integration: the overrun guard and the run history.
checks = Table(
    "checks",
    metadata,
    Column("id", Id, primary_key=True),
    Column("workspace_id", ForeignKey("workspaces.id"), nullable=False),
    Column("integration_id", ForeignKey("integrations.id"), nullable=False),
    Column("trigger", String(20), nullable=False),  # schedule / manual
    Column("state", String(20), nullable=False),  # running / ok / failed / abandoned
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("heartbeat_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("found", Integer, nullable=False, server_default="0"),
    Column("landed", Integer, nullable=False, server_default="0"),
    Column("message", Text),
    Index(None, "integration_id", "state"),
)
