"""Protection of personal data at rest: AES-256-GCM encryption and blind indexes.

Ciphertexts are text, ``fd1.<key id>.<base64url(nonce + ciphertext + tag)>``, so they fit any
text column. The key id lets a rotated key decrypt old rows (``FRONTDOOR_DATA_KEY_PREVIOUS``);
the associated data binds each value to its purpose (``patients.phone``) and context (the
owning account), so a ciphertext copied into another column or another account's row does not
decrypt. Blind indexes (HMAC-SHA256 under a key derived with HKDF) let the database match equal
values, such as a document bound twice, without decrypting anything.

Keys come from ``FRONTDOOR_DATA_KEY`` (base64 of 32 bytes). In development a key is generated
once into ``var/frontdoor-data.key``; production refuses to start without one.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
FORMAT_VERSION = "fd1"


class DataKeyError(ValueError):
    """The configured data key is missing or malformed."""


class DecryptionError(Exception):
    """A ciphertext was tampered with, used for another purpose, or made with an unknown key."""


def decode_data_key(text: str) -> bytes:
    """Decode a base64 (standard or URL-safe) key of exactly 32 bytes."""
    cleaned = text.strip()
    try:
        raw = base64.b64decode(cleaned.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise DataKeyError("the data key is not valid base64") from None
    if len(raw) != KEY_BYTES:
        raise DataKeyError(f"the data key must be {KEY_BYTES} bytes, got {len(raw)}")
    return raw


def generate_data_key() -> str:
    """A new key in the form FRONTDOOR_DATA_KEY expects."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(secret)


@dataclass(frozen=True)
class _Key:
    secret: bytes = field(repr=False)
    key_id: str = field(init=False)
    aead: AESGCM = field(init=False, repr=False)
    index_key: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Derived keys keep encryption and indexing independent of each other.
        key_id = hashlib.sha256(b"frontdoor key id\x00" + self.secret).hexdigest()[:8]
        object.__setattr__(self, "key_id", key_id)
        aead = AESGCM(_derive(self.secret, b"frontdoor aes-256-gcm v1"))
        object.__setattr__(self, "aead", aead)
        object.__setattr__(self, "index_key", _derive(self.secret, b"frontdoor blind index v1"))

    def index(self, value: str, purpose: str) -> str:
        message = purpose.encode() + b"\x00" + value.encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()


class Protector:
    """Encrypts, decrypts and indexes values with the current key (and previous ones)."""

    def __init__(self, current: bytes, previous: Sequence[bytes] = ()) -> None:
        for secret in (current, *previous):
            if len(secret) != KEY_BYTES:
                raise DataKeyError(f"data keys must be {KEY_BYTES} bytes")
        self._current = _Key(current)
        self._keys = {self._current.key_id: self._current}
        for secret in previous:
            key = _Key(secret)
            self._keys.setdefault(key.key_id, key)

    @property
    def current_key_id(self) -> str:
        return self._current.key_id

    def encrypt(self, plaintext: str, *, purpose: str, context: str = "") -> str:
        key = self._current
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = key.aead.encrypt(nonce, plaintext.encode(), _aad(key.key_id, purpose, context))
        body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
        return f"{FORMAT_VERSION}.{key.key_id}.{body}"

    def decrypt(self, ciphertext: str, *, purpose: str, context: str = "") -> str:
        version, key_id, body = _split(ciphertext)
        key = self._keys.get(key_id)
        if version != FORMAT_VERSION or key is None:
            raise DecryptionError("unknown ciphertext version or key id")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            # Only the canonical encoding is accepted: one ciphertext, one spelling.
            if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != body:
                raise ValueError("non-canonical base64")
            opened = key.aead.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(key_id, purpose, context)
            )
            return opened.decode()
        except (InvalidTag, binascii.Error, ValueError):
            raise DecryptionError("ciphertext does not authenticate") from None

    def needs_rekey(self, ciphertext: str) -> bool:
        """True when `ciphertext` was made with a key other than the current one."""
        return _split(ciphertext)[1] != self._current.key_id

    def blind_index(self, value: str, *, purpose: str) -> str:
        """Index of a normalised value under the current key (what new rows store)."""
        return self._current.index(value, purpose)

    def blind_indexes(self, value: str, *, purpose: str) -> list[str]:
        """Indexes under every known key, current first: rows not yet re-keyed still match."""
        return [key.index(value, purpose) for key in self._keys.values()]


def _aad(key_id: str, purpose: str, context: str) -> bytes:
    return f"{FORMAT_VERSION}\x00{key_id}\x00{purpose}\x00{context}".encode()


def _split(ciphertext: str) -> tuple[str, str, str]:
    parts = ciphertext.split(".")
    if len(parts) != 3:
        raise DecryptionError("not a frontdoor ciphertext")
    return parts[0], parts[1], parts[2]


def development_key(path: Path) -> bytes:
    """The key stored at `path`, generated (mode 0600) on first use.

    Written to a private temporary file and then hard-linked into place, so concurrent first
    starts (gateway and action server) agree on one key and never read a half-written file.
    """
    try:
        return decode_data_key(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(generate_data_key() + "\n")
        # When another process won the race, its key is the one everybody uses.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return decode_data_key(path.read_text(encoding="ascii"))
