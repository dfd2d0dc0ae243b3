"""Async engine and session factories (the gateway and action server are asyncio).

SQLite goes through aiosqlite, PostgreSQL through psycopg 3's async mode. Alembic runs
synchronously, so `sync_database_url` gives it the blocking driver for the same database.
Nothing is created at import time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

_POSTGRES_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg2://")


def normalize_database_url(url: str) -> str:
    """The async form of `url`: psycopg 3 for PostgreSQL, aiosqlite for SQLite."""
    for prefix in _POSTGRES_PREFIXES:
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith(("sqlite://", "sqlite+pysqlite://")):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url


def sync_database_url(url: str) -> str:
    """The blocking form of `url`, for Alembic."""
    url = normalize_database_url(url)
    if url.startswith("sqlite+aiosqlite://"):
        return "sqlite://" + url.split("://", 1)[1]
    return url


def make_async_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    url = normalize_database_url(database_url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


def make_sync_engine(database_url: str, **kwargs: Any) -> Engine:
    url = sync_database_url(database_url)
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _configure_sqlite)
    return engine


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (views are built from them)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # The gateway and the action server share the file: wait for a lock instead of failing.
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
