"""Alembic environment of the ledger: migrations run on the connection the ledger hands over
(``config.attributes["connection"]``), inside the ledger's own transaction; never offline."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
