"""Alembic environment for the snapshot store: run on the connection the store passes in."""

from __future__ import annotations

from alembic import context

from share.store import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the store always passes its connection
    msg = "Run migrations through share.store.SnapshotStore (it passes the connection)."
    raise RuntimeError(msg)
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
)
with context.begin_transaction():
    context.run_migrations()
