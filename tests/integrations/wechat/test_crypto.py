"""Encryption against the public sample from WeChat's official WXBizMsgCrypt demo (values are
facts from the documentation), plus rollover and tampering."""

import base64

import pytest
from defusedxml.ElementTree import fromstring

from integrations.wechat.crypto import CryptoError, MessageCrypto, msg_signature
from integrations.wechat.messages import parse_message

SAMPLE_TOKEN = "spamtest"
SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_APP_ID = "wx2c2769f8efd9abc2"
SAMPLE_TIMESTAMP = "1409735669"
SAMPLE_NONCE = "1320562132"
SAMPLE_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PG"
    "HQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6"
    "tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp"
    "3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhv"
    "Ql+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)
OTHER_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"


def sample_crypto(keys=(SAMPLE_KEY,), app_id=SAMPLE_APP_ID) -> MessageCrypto:
    return MessageCrypto(SAMPLE_TOKEN, app_id, list(keys))


def test_official_sample_signature():
    expected = msg_signature(SAMPLE_TOKEN, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT)
    assert expected == SAMPLE_SIGNATURE
    assert sample_crypto().verify(SAMPLE_SIGNATURE, SAMPLE_TIMESTAMP, SAMPLE_NONCE, SAMPLE_ENCRYPT)


def test_official_sample_decrypts_to_the_text_message():
    decrypted = sample_crypto().decrypt(SAMPLE_ENCRYPT)
    message = parse_message(decrypted.xml)
    assert decrypted.key_index == 0
    assert message.msg_type == "text"
    assert message.to_user == "gh_10f6c3c3ac5a"
    assert message.from_user == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert message.content == "abcdteT"
    assert message.msg_id == "6054768590064713728"


def test_rollover_tries_the_previous_key_and_reports_which_worked():
    decrypted = sample_crypto(keys=(OTHER_KEY, SAMPLE_KEY)).decrypt(SAMPLE_ENCRYPT)
    assert decrypted.key_index == 1
    assert b"abcdteT" in decrypted.xml


def test_wrong_app_id_is_refused():
    with pytest.raises(CryptoError, match="AppID"):
        sample_crypto(app_id="wxsomeoneelse000000").decrypt(SAMPLE_ENCRYPT)


@pytest.mark.parametrize(
    "encrypted",
    [
        "not base64!!",
        base64.b64encode(b"short").decode(),
        SAMPLE_ENCRYPT[:-24] + "AAAAAAAAAAAAAAAAAAAAAA==",  # tampered last block
        "",
    ],
)
def test_unreadable_ciphertext_is_refused(encrypted):
    with pytest.raises(CryptoError):
        sample_crypto().decrypt(encrypted)


def test_unknown_key_is_refused():
    with pytest.raises(CryptoError):
        sample_crypto(keys=(OTHER_KEY,)).decrypt(SAMPLE_ENCRYPT)


@pytest.mark.parametrize("key_index", [0, 1])
def test_encrypted_reply_round_trips_with_the_chosen_key(key_index):
    crypto = sample_crypto(keys=(OTHER_KEY, SAMPLE_KEY))
    reply = crypto.encrypted_reply(
        "<xml><Content>你好</Content></xml>", key_index=key_index, timestamp="1", nonce="2"
    )
    root = fromstring(reply)
    encrypted = root.findtext("Encrypt")
    assert crypto.verify(root.findtext("MsgSignature"), "1", "2", encrypted)
    only_that_key = sample_crypto(keys=((OTHER_KEY, SAMPLE_KEY)[key_index],))
    assert only_that_key.decrypt(encrypted).xml.decode() == "<xml><Content>你好</Content></xml>"


@pytest.mark.parametrize("key", ["short", "!" * 43])
def test_bad_keys_are_configuration_errors(key):
    with pytest.raises(ValueError):
        MessageCrypto("t", "wx", [key])
