"""WeChat message encryption for compatible and safe mode, with EncodingAESKey rollover.

AES-256-CBC with the key base64-decoded from the 43-character EncodingAESKey plus "=", the IV
the key's first 16 bytes, PKCS#7 padding to 32-byte blocks; the plaintext is 16 random bytes,
a 4-byte big-endian length, the message and the AppID. The body is signed separately from the
URL: msg_signature = sha1(sorted(token, timestamp, nonce, Encrypt)).
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes

_BLOCK = 32
_AES_KEY_LENGTH = 43


class CryptoError(ValueError):
    """The encrypted body cannot be trusted or read; the reason is safe to log."""


def msg_signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    joined = "".join(sorted([token, timestamp, nonce, encrypted]))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def decode_aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != _AES_KEY_LENGTH:
        raise ValueError("an EncodingAESKey has 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as exc:
        raise ValueError("the EncodingAESKey is not base64") from exc
    return key


@dataclass(frozen=True, slots=True)
class Decrypted:
    xml: bytes
    key_index: int  # which configured key worked: 0 current, 1 previous


class MessageCrypto:
    """Decrypts with the current or the previous key; encrypts replies with the one that worked."""

    def __init__(self, token: str, app_id: str, encoding_aes_keys: Sequence[str]) -> None:
        if not encoding_aes_keys:
            raise ValueError("at least one EncodingAESKey is needed")
        self._token = token
        self._app_id = app_id.encode("utf-8")
        self._keys = [decode_aes_key(k) for k in encoding_aes_keys]

    def verify(self, signature: str, timestamp: str, nonce: str, encrypted: str) -> bool:
        expected = msg_signature(self._token, timestamp, nonce, encrypted)
        return hmac.compare_digest(expected, signature.lower())

    def decrypt(self, encrypted: str) -> Decrypted:
        try:
            ciphertext = base64.b64decode(encrypted, validate=True)
        except binascii.Error as exc:
            raise CryptoError("Encrypt is not base64") from exc
        if not ciphertext or len(ciphertext) % 16:
            raise CryptoError("Encrypt has a wrong length")
        wrong_app_id = False
        for index, key in enumerate(self._keys):
            decryptor = _aes(key, decrypt=True)
            plain = _unpad(decryptor.update(ciphertext) + decryptor.finalize())
            if plain is None or len(plain) < 20:
                continue
            (length,) = struct.unpack(">I", plain[16:20])
            message, app_id = plain[20 : 20 + length], plain[20 + length :]
            if len(message) != length:
                continue
            if app_id != self._app_id:
                wrong_app_id = True
                continue
            return Decrypted(message, index)
        raise CryptoError(
            "AppID mismatch" if wrong_app_id else "no configured key decrypts Encrypt"
        )

    def encrypt(
        self, message: str, *, key_index: int = 0, random_prefix: bytes | None = None
    ) -> str:
        body = message.encode("utf-8")
        prefix = os.urandom(16) if random_prefix is None else random_prefix
        plain = _pad(prefix + struct.pack(">I", len(body)) + body + self._app_id)
        encryptor = _aes(self._keys[key_index], decrypt=False)
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def encrypted_reply(
        self, message: str, *, key_index: int, timestamp: str, nonce: str, as_json: bool = False
    ) -> str:
        """The envelope of a passive reply in safe mode (XML, or JSON for JSON accounts)."""
        encrypted = self.encrypt(message, key_index=key_index)
        signature = msg_signature(self._token, timestamp, nonce, encrypted)
        if as_json:
            envelope = {
                "Encrypt": encrypted,
                "MsgSignature": signature,
                "TimeStamp": int(timestamp),
                "Nonce": nonce,
            }
            return json.dumps(envelope)
        return (
            f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )


def _aes(key: bytes, *, decrypt: bool) -> CipherContext:
    cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))
    return cipher.decryptor() if decrypt else cipher.encryptor()


def _pad(data: bytes) -> bytes:
    amount = _BLOCK - len(data) % _BLOCK
    return data + bytes([amount]) * amount


def _unpad(data: bytes) -> bytes | None:
    """Strip PKCS#7 padding (block 32); None when it is not valid, e.g. the wrong key."""
    if not data:
        return None
    amount = data[-1]
    if not 1 <= amount <= _BLOCK or data[-amount:] != bytes([amount]) * amount:
        return None
    return data[:-amount]
