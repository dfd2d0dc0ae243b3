"""Alembic environment of the patients package.

Uses the connection passed in ``config.attributes["connection"]`` (see ``migrate.py``) or,
for developers running the ``alembic`` CLI, ``FRONTDOOR_DATABASE_URL`` / ``sqlalchemy.url``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from patients.db import make_sync_engine
from patients.migrate import VERSION_TABLE, owns_name
from patients.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        include_name=owns_name,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode recreates tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = os.environ.get("FRONTDOOR_DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set FRONTDOOR_DATABASE_URL or sqlalchemy.url to run migrations")
    engine = make_sync_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
