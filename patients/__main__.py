"""``python -m patients COMMAND``: operator tasks for the patients database.

migrate        upgrade the database (FRONTDOOR_DATABASE_URL, default var/frontdoor.db)
rekey          re-encrypt patients under the current FRONTDOOR_DATA_KEY after a rotation
purge-vault    delete expired PII vault entries (run it from cron, e.g. every 10 minutes)
generate-key   print a new random key for FRONTDOOR_DATA_KEY
"""

from __future__ import annotations

import asyncio
import sys

from patients.db import make_async_engine, make_session_factory
from patients.migrate import migrate
from patients.protection import generate_data_key
from patients.rekey import rekey_patients
from patients.settings import PatientsSettings
from patients.vault import PIIVault

COMMANDS = ("migrate", "rekey", "purge-vault", "generate-key")


async def _with_database(command: str, settings: PatientsSettings) -> int:
    protector = settings.protector()
    engine = make_async_engine(settings.database_url)
    try:
        sessions = make_session_factory(engine)
        if command == "rekey":
            return await rekey_patients(sessions, protector)
        return await PIIVault(sessions, protector).purge_expired()
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        return 2
    command = args[0]
    if command == "generate-key":
        print(generate_data_key())
        return 0
    settings = PatientsSettings()
    migrate(settings.database_url)
    if command == "migrate":
        print("patients database is at the latest revision")
        return 0
    count = asyncio.run(_with_database(command, settings))
    print(f"{command}: {count} rows changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
