"""Apply the patients package's Alembic migrations programmatically (no alembic.ini needed).

`migrate` blocks: call it at start-up before the event loop serves requests, or through
`asyncio.to_thread` from async code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config

from patients.db import make_sync_engine
from patients.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Our own version table, so other packages' migrations can share the database.
VERSION_TABLE = "patients_alembic_version"


def owns_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Autogenerate filter: the database may hold other packages' tables; only ours count."""
    return type_ != "table" or name in Base.metadata.tables


def alembic_config(database_url: str) -> Config:
    """Alembic config pointing at this package's migrations and `database_url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Percent signs (URL-encoded options) would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    """Upgrade the database at `database_url` to `revision` (default: the latest)."""
    _run(database_url, lambda config: command.upgrade(config, revision))


def downgrade(database_url: str, revision: str = "base") -> None:
    """Downgrade the database at `database_url` to `revision` (default: no tables)."""
    _run(database_url, lambda config: command.downgrade(config, revision))


def _run(database_url: str, action: Callable[[Config], None]) -> None:
    engine = make_sync_engine(database_url)
    try:
        with engine.begin() as connection:
            config = alembic_config(database_url)
            config.attributes["connection"] = connection
            action(config)
    finally:
        engine.dispose()
