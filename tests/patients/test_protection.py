"""Encryption at rest: round trips, tamper and misuse detection, key rotation, blind indexes,
and the development key file."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from patients.protection import (
    DataKeyError,
    DecryptionError,
    Protector,
    decode_data_key,
    development_key,
    generate_data_key,
)

ID_NUMBER = "11010519491231002X"


def test_round_trip_hides_the_value_and_uses_fresh_nonces(protector: Protector) -> None:
    first = protector.encrypt(ID_NUMBER, purpose="patients.document_number", context="7")
    second = protector.encrypt(ID_NUMBER, purpose="patients.document_number", context="7")
    assert ID_NUMBER not in first
    assert first != second
    assert first.startswith(f"fd1.{protector.current_key_id}.")
    for ciphertext in (first, second):
        plain = protector.decrypt(ciphertext, purpose="patients.document_number", context="7")
        assert plain == ID_NUMBER


def test_unicode_round_trip(protector: Protector) -> None:
    ciphertext = protector.encrypt("阿依古丽·买买提", purpose="patients.name")
    assert protector.decrypt(ciphertext, purpose="patients.name") == "阿依古丽·买买提"


def flip(ciphertext: str, position: int) -> str:
    """Change one base64 character of the body (never the separators)."""
    characters = list(ciphertext)
    characters[position] = "A" if characters[position] != "A" else "B"
    return "".join(characters)


@pytest.mark.parametrize("position", [-1, -20, 15, 30])
def test_tampering_is_detected(protector: Protector, position: int) -> None:
    ciphertext = protector.encrypt(ID_NUMBER, purpose="p")
    with pytest.raises(DecryptionError):
        protector.decrypt(flip(ciphertext, position), purpose="p")


def test_a_value_only_decrypts_for_its_purpose_and_context(protector: Protector) -> None:
    ciphertext = protector.encrypt(ID_NUMBER, purpose="patients.document_number", context="1")
    with pytest.raises(DecryptionError):
        protector.decrypt(ciphertext, purpose="patients.phone", context="1")
    with pytest.raises(DecryptionError):  # another account's row
        protector.decrypt(ciphertext, purpose="patients.document_number", context="2")


@pytest.mark.parametrize("garbage", ["", "plain text", "fd1.abc", "fd2.00000000.AAAA", "a.b.c.d"])
def test_garbage_is_refused(protector: Protector, garbage: str) -> None:
    with pytest.raises(DecryptionError):
        protector.decrypt(garbage, purpose="p")


def test_rotation_decrypts_old_values_and_flags_them_for_rekeying() -> None:
    old_key, new_key = os.urandom(32), os.urandom(32)
    old = Protector(old_key)
    ciphertext = old.encrypt(ID_NUMBER, purpose="p")

    rotated = Protector(new_key, [old_key])
    assert rotated.current_key_id != old.current_key_id
    assert rotated.decrypt(ciphertext, purpose="p") == ID_NUMBER
    assert rotated.needs_rekey(ciphertext)
    fresh = rotated.encrypt(ID_NUMBER, purpose="p")
    assert not rotated.needs_rekey(fresh)
    assert fresh.split(".")[1] == rotated.current_key_id

    with pytest.raises(DecryptionError):  # once the old key is dropped
        Protector(new_key).decrypt(ciphertext, purpose="p")


def test_blind_index_is_stable_keyed_and_purpose_bound() -> None:
    key = os.urandom(32)
    index = Protector(key).blind_index(ID_NUMBER, purpose="doc")
    assert index == Protector(key).blind_index(ID_NUMBER, purpose="doc")
    assert len(index) == 64 and ID_NUMBER not in index
    assert index != Protector(key).blind_index(ID_NUMBER, purpose="phone")
    assert index != Protector(key).blind_index("11010519491231002x", purpose="doc")
    assert index != Protector(os.urandom(32)).blind_index(ID_NUMBER, purpose="doc")


def test_blind_indexes_cover_previous_keys_current_first() -> None:
    old_key, new_key = os.urandom(32), os.urandom(32)
    old_index = Protector(old_key).blind_index(ID_NUMBER, purpose="doc")
    rotated = Protector(new_key, [old_key])
    assert rotated.blind_indexes(ID_NUMBER, purpose="doc") == [
        rotated.blind_index(ID_NUMBER, purpose="doc"),
        old_index,
    ]


def test_decode_data_key() -> None:
    raw = os.urandom(32)
    assert decode_data_key(base64.b64encode(raw).decode()) == raw
    assert decode_data_key(base64.urlsafe_b64encode(raw).decode() + "\n") == raw
    assert len(decode_data_key(generate_data_key())) == 32
    with pytest.raises(DataKeyError):
        decode_data_key("not base64!")
    with pytest.raises(DataKeyError):
        decode_data_key(base64.b64encode(os.urandom(16)).decode())
    with pytest.raises(DataKeyError):
        Protector(os.urandom(16))


def test_development_key_is_generated_private_once_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "var" / "frontdoor-data.key"
    first = development_key(path)
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert development_key(path) == first
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_development_key_keeps_an_existing_key(tmp_path: Path) -> None:
    path = tmp_path / "frontdoor-data.key"
    existing = generate_data_key()
    path.write_text(existing + "\n")
    assert development_key(path) == decode_data_key(existing)
