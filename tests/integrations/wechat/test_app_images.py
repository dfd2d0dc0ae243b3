"""Images in replies reach WeChat as image messages: fetched from their URL, uploaded once as
temporary media to the WeChat API stand-in, and sent in order with the texts around them."""

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
from sandbox.wechat.api_server import create_app as create_wechat_stand_in

TOKEN = "images-token"
APP_ID = "wximages00000001"
OPENID = "oImagesUser000000000000001"
# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def signed() -> dict[str, str]:
    return wechat_requests.signed(TOKEN, OPENID, "7")


def text_xml(content: str, msg_id: str) -> bytes:
    return wechat_requests.text_xml(OPENID, content, msg_id)


@pytest.fixture
async def origin():
    """A static file server for the images the bot's responses point to."""
    state = {"fetches": 0}

    async def image(request: web.Request) -> web.Response:
        state["fetches"] += 1
        return web.Response(body=PNG, content_type="image/png")

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/maps/lizhiwan.png", image)
    app.router.add_get("/maps/not-an-image.png", page)
    async with TestServer(app, host="127.0.0.1") as server:
        state["base"] = str(server.make_url("")).rstrip("/")
        yield state


@pytest.fixture
async def rasa():
    """Rasa's REST channel answering with whatever the test sets."""
    state: dict = {"messages": []}

    async def handle(request: web.Request) -> web.Response:
        return web.json_response(state["messages"])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", handle)
    async with TestServer(app, host="127.0.0.1") as server:
        state["url"] = str(server.make_url("")).rstrip("/")
        yield state


@pytest.fixture
def customer_service() -> bool:
    return True


@pytest.fixture
async def system(rasa, customer_service):
    stand_in = create_wechat_stand_in(APP_ID, "secret")
    store = MemoryStore()
    wechat = WeChatAPIClient(
        "http://wechat.test", APP_ID, "secret", store, transport=httpx.ASGITransport(stand_in)
    )
    client = RasaClient(rasa["url"], timeout=10)
    settings = GatewaySettings(
        wechat_token=TOKEN,
        wechat_app_id=APP_ID,
        wechat_customer_service_enabled=customer_service,
    )
    app = create_app(settings, client, store=store, wechat_api=wechat)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as gw,
        httpx.AsyncClient(transport=httpx.ASGITransport(stand_in), base_url="http://wx") as wx,
    ):
        yield gw, wx
    await client.aclose()
    await wechat.aclose()


sent_messages = wechat_requests.sent_messages


async def test_text_and_image_are_pushed_in_order_as_an_image_message(system, rasa, origin):
    gw, wx = system
    url = f"{origin['base']}/maps/lizhiwan.png"
    rasa["messages"] = [
        {"text": "荔枝湾中心医院院区地图："},
        {"image": url},
        {"text": "门诊在2号楼。"},
    ]

    answer = await gw.post("/wechat", params=signed(), content=text_xml("院区地图", "1"))
    assert answer.text == "success"  # one passive message cannot carry text and image
    sent = await sent_messages(wx, 3)
    assert [m["msgtype"] for m in sent] == ["text", "image", "text"]
    assert sent[0]["payload"]["text"]["content"] == "荔枝湾中心医院院区地图："
    media_id = sent[1]["payload"]["image"]["media_id"]
    uploaded = await wx.get(f"/sandbox/media/{media_id}")
    assert uploaded.content == PNG

    # The same image again: the cached media_id is reused, nothing is fetched or uploaded again.
    await gw.post("/wechat", params=signed(), content=text_xml("再发一次地图", "2"))
    sent = await sent_messages(wx, 6)
    assert sent[4]["payload"]["image"]["media_id"] == media_id
    assert origin["fetches"] == 1


async def test_an_unusable_image_is_sent_as_its_link(system, rasa, origin):
    gw, wx = system
    url = f"{origin['base']}/maps/not-an-image.png"
    rasa["messages"] = [{"text": "院区地图："}, {"image": url}]

    await gw.post("/wechat", params=signed(), content=text_xml("地图", "3"))
    sent = await sent_messages(wx, 2)
    assert [m["msgtype"] for m in sent] == ["text", "text"]
    assert sent[1]["payload"]["text"]["content"] == url


@pytest.mark.parametrize("customer_service", [False])
async def test_without_pushes_a_lone_image_is_a_passive_image_reply(system, rasa, origin):
    gw, wx = system
    rasa["messages"] = [{"image": f"{origin['base']}/maps/lizhiwan.png"}]

    answer = await gw.post("/wechat", params=signed(), content=text_xml("地图", "4"))
    assert "<MsgType><![CDATA[image]]></MsgType>" in answer.text
    media_id = answer.text.split("<MediaId><![CDATA[")[1].split("]]>")[0]
    assert (await wx.get(f"/sandbox/media/{media_id}")).content == PNG
    assert await sent_messages(wx, 1, within=0.3) == []
