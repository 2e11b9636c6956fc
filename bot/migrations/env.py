"""Alembic environment: runs on the connection handed over by ``bot.db.migrate``."""

from __future__ import annotations

from alembic import context

import bot.db

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through bot.db.migrate(engine)")
context.configure(connection=connection, target_metadata=bot.db.Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
