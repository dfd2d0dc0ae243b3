"""ID and phone numbers never reach Rasa: the gateway swaps them for vault tokens that only the
same resident's actions can resolve."""

from __future__ import annotations

import httpx
import pytest
import wechat_requests
from aiohttp import web
from aiohttp.test_utils import TestServer

from integrations.wechat.api import WeChatAPIClient
from integrations.wechat.app import create_app
from integrations.wechat.rasa_client import RasaClient
from integrations.wechat.settings import GatewaySettings
from integrations.wechat.state import MemoryStore
from patients.db import make_async_engine, make_session_factory
from patients.migrate import migrate
from patients.protection import Protector
from patients.redaction import TOKEN_PATTERN
from patients.vault import PIIVault
from sandbox.wechat.api_server import create_app as create_wechat_stand_in

TOKEN = "privacy-token"
APP_ID = "wxprivacy0000001"
OPENID = "oPrivacyUser00000000000001"
ID_NUMBER = "11010519491231002X"  # the published sample resident ID
PHONE = "13812345678"


def signed() -> dict[str, str]:
    return wechat_requests.signed(TOKEN, OPENID, "9")


def text_xml(content: str, msg_id: str) -> bytes:
    return wechat_requests.text_xml(OPENID, content, msg_id)


@pytest.fixture
async def rasa():
    """Rasa's REST channel, remembering what it was sent."""
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append((await request.json())["message"])
        return web.json_response([{"text": "收到"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/"), seen


@pytest.fixture
async def vault(tmp_path):
    url = f"sqlite:///{tmp_path / 'frontdoor.db'}"
    migrate(url)
    engine = make_async_engine(url)
    yield PIIVault(make_session_factory(engine), Protector(b"k" * 32, []))
    await engine.dispose()


async def test_numbers_are_tokens_for_rasa_and_resolvable_by_the_same_user(rasa, vault):
    url, seen = rasa
    stand_in = create_wechat_stand_in(APP_ID, "secret")
    store = MemoryStore()
    wechat = WeChatAPIClient(
        "http://wechat.test", APP_ID, "secret", store, transport=httpx.ASGITransport(stand_in)
    )
    client = RasaClient(url, timeout=10)
    settings = GatewaySettings(wechat_token=TOKEN, wechat_app_id=APP_ID)
    app = create_app(settings, client, store=store, wechat_api=wechat, vault=vault)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as gw,
    ):
        answer = await gw.post(
            "/wechat",
            params=signed(),
            content=text_xml(f"身份证{ID_NUMBER}，电话{PHONE}", "1"),
        )
        assert "收到" in answer.text
        await gw.post("/wechat", params=signed(), content=text_xml("明天上午儿科", "2"))
    await client.aclose()
    await wechat.aclose()

    [redacted, plain] = seen
    assert ID_NUMBER not in redacted and PHONE not in redacted
    tokens = [m.group(0) for m in TOKEN_PATTERN.finditer(redacted)]
    assert len(tokens) == 2
    assert [await vault.resolve(OPENID, t) for t in tokens] == [ID_NUMBER, PHONE]
    assert await vault.resolve("oSomeoneElse", tokens[0]) is None
    assert plain == "明天上午儿科"  # ordinary text passes unchanged
