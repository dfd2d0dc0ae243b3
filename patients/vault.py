"""The PII vault: raw ID and phone numbers kept out of Rasa, behind short-lived tokens.

The gateway calls `redact` on each user message before passing it to Rasa; the action server
calls `resolve` (or `resolve_text`) on slot values. A token only resolves for the OpenID that
created it, for 30 minutes. Values are encrypted with the OpenID and the token as associated
data, and the table stores only the SHA-256 of each token.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from patients.models import VaultEntry
from patients.protection import DecryptionError, Protector
from patients.redaction import (
    TOKEN_KINDS,
    TOKEN_PATTERN,
    TOKEN_PREFIXES,
    SensitiveKind,
    find_sensitive,
    redact,
)

logger = logging.getLogger(__name__)

VAULT_PURPOSE = "patients.pii_vault"
DEFAULT_TTL = timedelta(minutes=30)
_TOKEN_BYTES = 10  # 80 bits: 16 base32 characters


def new_token(kind: SensitiveKind) -> str:
    key = base64.b32encode(secrets.token_bytes(_TOKEN_BYTES)).decode("ascii").rstrip("=")
    return TOKEN_PREFIXES[kind] + key.lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class PIIVault:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        protector: Protector,
        *,
        ttl: timedelta = DEFAULT_TTL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._protector = protector
        self._ttl = ttl
        self._clock = clock

    async def put(self, openid: str, kind: SensitiveKind, value: str) -> str:
        """Store `value` for `openid`; returns the token that stands for it."""
        async with self._sessions.begin() as session:
            return self._add(session, openid, kind, value)

    async def redact(self, openid: str, text: str) -> str:
        """`text` with every sensitive number replaced by a new token (one transaction)."""
        if not find_sensitive(text):
            return text
        async with self._sessions.begin() as session:
            return redact(text, lambda span: self._add(session, openid, span.kind, span.value))

    async def resolve(self, openid: str, token: str) -> str | None:
        """The value behind `token`, or None when unknown, expired or another user's."""
        match = TOKEN_PATTERN.fullmatch(token.strip())
        if match is None:
            return None
        async with self._sessions() as session:
            entry = await session.scalar(
                select(VaultEntry).where(
                    VaultEntry.token_hash == _token_hash(match.group()),
                    VaultEntry.openid == openid,
                    VaultEntry.expires_at > self._clock(),
                )
            )
        if entry is None or entry.kind != TOKEN_KINDS[match.group("kind")]:
            return None
        try:
            return self._protector.decrypt(
                entry.value_ciphertext, purpose=VAULT_PURPOSE, context=_context(openid, entry)
            )
        except DecryptionError:
            logger.warning("vault entry %d does not decrypt", entry.id)
            return None

    async def resolve_text(self, openid: str, text: str) -> str:
        """`text` with every token this user may resolve replaced by its value."""
        parts: list[str] = []
        position = 0
        for match in TOKEN_PATTERN.finditer(text):
            value = await self.resolve(openid, match.group())
            if value is not None:
                parts.extend((text[position : match.start()], value))
                position = match.end()
        parts.append(text[position:])
        return "".join(parts)

    async def purge_expired(self) -> int:
        """Delete expired entries; returns how many. Run it periodically."""
        async with self._sessions.begin() as session:
            result = await session.execute(
                delete(VaultEntry).where(VaultEntry.expires_at <= self._clock())
            )
        return int(getattr(result, "rowcount", 0) or 0)

    def _add(self, session: AsyncSession, openid: str, kind: SensitiveKind, value: str) -> str:
        token = new_token(kind)
        now = self._clock()
        entry = VaultEntry(
            token_hash=_token_hash(token),
            openid=openid,
            kind=kind,
            created_at=now,
            expires_at=now + self._ttl,
        )
        entry.value_ciphertext = self._protector.encrypt(
            value, purpose=VAULT_PURPOSE, context=_context(openid, entry)
        )
        session.add(entry)
        return token


def _context(openid: str, entry: VaultEntry) -> str:
    # Binds the value to its owner and its token: a row copied elsewhere does not decrypt.
    return f"{openid}\x00{entry.token_hash}"
