"""The migrations build exactly the tables that ``store/schema.py`` describes, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from renkei.store.db import make_engine, migrate
from renkei.store.schema import metadata


def test_migrated_store_matches_the_schema(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": False})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    # alembic's own bookkeeping table is the only thing the schema does not describe.
    assert [d for d in differences if not (d[0] == "remove_table" and d[1].name == "alembic_version")] == []
