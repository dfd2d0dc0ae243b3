"""Compatible and safe mode at the HTTP boundary: msg_signature on the body, decryption with
the current or previous EncodingAESKey, the reply encrypted with the key that worked."""

import logging
import time

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from defusedxml.ElementTree import fromstring

from integrations.wechat.app import create_app
from integrations.wechat.crypto import MessageCrypto, msg_signature
from integrations.wechat.rasa_client import RasaClient
from integrations.wechat.settings import GatewaySettings
from integrations.wechat.signature import compute_signature

TOKEN = "enc-token"
APP_ID = "wxenc000000000001"
CURRENT = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
PREVIOUS = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"
OPENID = "oEncUser000000000000000000001"
INNER = (
    f"<xml><ToUserName><![CDATA[gh_enc]]></ToUserName><FromUserName><![CDATA[{OPENID}]]>"
    "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[你好]]></Content><MsgId>99</MsgId></xml>"
)


class Requests(list):
    """What the Rasa stand-in received, and where it listens."""

    server_url: str


@pytest.fixture
async def rasa_requests():
    requests = Requests()

    async def handle(request):
        requests.append(await request.json())
        return web.json_response([{"text": "您好，加密也没问题"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", handle)
    async with TestServer(app, host="127.0.0.1") as server:
        requests.server_url = str(server.make_url("")).rstrip("/")
        yield requests


@pytest.fixture
async def gateway(rasa_requests):
    async def make():
        settings = GatewaySettings(
            wechat_token=TOKEN,
            wechat_app_id=APP_ID,
            wechat_encoding_aes_key=CURRENT,
            wechat_encoding_aes_key_previous=PREVIOUS,
        )
        return create_app(settings, RasaClient(rasa_requests.server_url, timeout=2))

    return make


async def post(app, body: bytes, params: dict[str, str]):
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gw") as http,
    ):
        response = await http.post("/wechat", params=params, content=body)
    await app.state.rasa.aclose()
    return response


def envelope(encrypted: str, *, plaintext_too: bool = False) -> bytes:
    """Safe mode sends only Encrypt; compatible mode sends the plaintext fields beside it."""
    inner_fields = INNER.removeprefix("<xml>").removesuffix("</xml>") if plaintext_too else ""
    return f"<xml>{inner_fields}<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>".encode()


def params_for(encrypted: str, *, token=TOKEN) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), "777"
    return {
        "signature": compute_signature(TOKEN, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": OPENID,
        "encrypt_type": "aes",
        "msg_signature": msg_signature(token, timestamp, nonce, encrypted),
    }


@pytest.mark.parametrize(
    ("wechat_key", "plaintext_too"),
    [(CURRENT, False), (PREVIOUS, False), (CURRENT, True)],
    ids=["safe mode", "safe mode, previous key during rollover", "compatible mode"],
)
async def test_encrypted_message_is_answered_with_the_key_that_worked(
    gateway, rasa_requests, wechat_key, plaintext_too
):
    encrypted = MessageCrypto(TOKEN, APP_ID, [wechat_key]).encrypt(INNER)
    params = params_for(encrypted)
    response = await post(await gateway(), envelope(encrypted, plaintext_too=plaintext_too), params)
    assert response.status_code == 200
    assert rasa_requests == [{"sender": OPENID, "message": "你好"}]

    reply = fromstring(response.text)
    reply_encrypted = reply.findtext("Encrypt")
    assert reply.findtext("Nonce") == params["nonce"]
    assert msg_signature(
        TOKEN, reply.findtext("TimeStamp"), params["nonce"], reply_encrypted
    ) == reply.findtext("MsgSignature")
    inner = MessageCrypto(TOKEN, APP_ID, [wechat_key]).decrypt(reply_encrypted).xml
    assert fromstring(inner).findtext("Content") == "您好，加密也没问题"
    assert fromstring(inner).findtext("ToUserName") == OPENID


async def test_forged_msg_signature_is_403(gateway, rasa_requests, caplog):
    caplog.set_level(logging.WARNING)
    encrypted = MessageCrypto(TOKEN, APP_ID, [CURRENT]).encrypt(INNER)
    response = await post(await gateway(), envelope(encrypted), params_for(encrypted, token="x"))
    assert response.status_code == 403
    assert "bad msg_signature" in caplog.text
    assert rasa_requests == []


async def test_wrong_app_id_after_decryption_is_rejected(gateway, rasa_requests, caplog):
    caplog.set_level(logging.WARNING)
    encrypted = MessageCrypto(TOKEN, "wxsomebodyelse0001", [CURRENT]).encrypt(INNER)
    response = await post(await gateway(), envelope(encrypted), params_for(encrypted))
    assert response.status_code == 400
    assert "AppID mismatch" in caplog.text
    assert rasa_requests == []


async def test_unknown_key_is_rejected(gateway, rasa_requests):
    other = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefg"
    encrypted = MessageCrypto(TOKEN, APP_ID, [other]).encrypt(INNER)
    response = await post(await gateway(), envelope(encrypted), params_for(encrypted))
    assert response.status_code == 400
    assert rasa_requests == []


@pytest.mark.parametrize("body", [b"<xml><Encrypt></Encrypt></xml>", b"<xml>", b"\xff"])
async def test_broken_envelopes_are_rejected(gateway, rasa_requests, body):
    response = await post(await gateway(), body, params_for("x"))
    assert response.status_code == 400
    assert rasa_requests == []


async def test_encrypted_message_without_configured_key_is_rejected(rasa_requests):
    settings = GatewaySettings(wechat_token=TOKEN, wechat_app_id=APP_ID)
    app = create_app(settings, RasaClient(rasa_requests.server_url, timeout=2))
    encrypted = MessageCrypto(TOKEN, APP_ID, [CURRENT]).encrypt(INNER)
    response = await post(app, envelope(encrypted), params_for(encrypted))
    assert response.status_code == 400
    assert rasa_requests == []


def test_a_malformed_key_fails_at_start_up():
    with pytest.raises(ValueError, match="43"):
        GatewaySettings(wechat_encoding_aes_key="too-short")


async def test_json_safe_mode_is_answered_in_encrypted_json(gateway, rasa_requests):
    import json

    inner = json.dumps(
        {
            "ToUserName": "gh_enc",
            "FromUserName": OPENID,
            "CreateTime": 1700000000,
            "MsgType": "text",
            "Content": "你好",
            "MsgId": 100,
        },
        ensure_ascii=False,
    )
    encrypted = MessageCrypto(TOKEN, APP_ID, [CURRENT]).encrypt(inner)
    params = params_for(encrypted)
    body = json.dumps({"ToUserName": "gh_enc", "Encrypt": encrypted}).encode()
    response = await post(await gateway(), body, params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert rasa_requests == [{"sender": OPENID, "message": "你好"}]
    envelope = response.json()
    assert (
        msg_signature(TOKEN, str(envelope["TimeStamp"]), params["nonce"], envelope["Encrypt"])
        == envelope["MsgSignature"]
    )
    reply = json.loads(MessageCrypto(TOKEN, APP_ID, [CURRENT]).decrypt(envelope["Encrypt"]).xml)
    assert reply["Content"] == "您好，加密也没问题"
    assert reply["ToUserName"] == OPENID
