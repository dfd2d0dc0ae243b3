"""The deadline at the HTTP boundary: a turn slower than the budget is answered `success` and
its reply reaches the user through the WeChat API stand-in's customer-service endpoint."""

from __future__ import annotations

import asyncio
import time

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

TOKEN = "deadline-token"
APP_ID = "wxdeadline0000001"
OPENID = "oDeadlineUser00000000000001"


def signed() -> dict[str, str]:
    return wechat_requests.signed(TOKEN, OPENID, "5")


def text_xml(content: str, msg_id: str) -> bytes:
    return wechat_requests.text_xml(OPENID, content, msg_id)


def event_xml(event: str) -> bytes:
    return (
        f"<xml><ToUserName>gh_x</ToUserName><FromUserName>{OPENID}</FromUserName>"
        f"<CreateTime>{time.time_ns()}</CreateTime><MsgType>event</MsgType>"
        f"<Event>{event}</Event></xml>"
    ).encode()


@pytest.fixture
async def slow_rasa():
    """Rasa's REST channel answering after `delay` seconds; counts turns."""
    state = {"delay": 0.8, "turns": 0, "buttons": []}

    async def handle(request: web.Request) -> web.Response:
        state["turns"] += 1
        await asyncio.sleep(state["delay"])
        return web.json_response([{"text": "荔湾区的医疗机构共有6家", "buttons": state["buttons"]}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", handle)
    async with TestServer(app, host="127.0.0.1") as server:
        state["url"] = str(server.make_url("")).rstrip("/")
        yield state


@pytest.fixture
def fallback_template() -> str:
    return ""


@pytest.fixture
async def system(slow_rasa, fallback_template):
    stand_in = create_wechat_stand_in(APP_ID, "secret")
    store = MemoryStore()
    wechat = WeChatAPIClient(
        "http://wechat.test", APP_ID, "secret", store, transport=httpx.ASGITransport(stand_in)
    )
    rasa = RasaClient(slow_rasa["url"], timeout=10)
    settings = GatewaySettings(
        wechat_token=TOKEN,
        wechat_app_id=APP_ID,
        reply_budget_seconds=0.3,
        admin_token="adm",
        wechat_fallback_template_id=fallback_template,
    )
    app = create_app(settings, rasa, store=store, wechat_api=wechat)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gw") as gateway,
        httpx.AsyncClient(transport=httpx.ASGITransport(stand_in), base_url="http://wx") as wx,
    ):
        yield gateway, wx
    await rasa.aclose()
    await wechat.aclose()


sent_messages = wechat_requests.sent_messages


async def test_slow_turn_is_answered_success_then_pushed(system, slow_rasa):
    gateway, wx = system
    response = await gateway.post(
        "/wechat", params=signed(), content=text_xml("荔湾有哪些医院", "1")
    )
    assert response.text == "success"
    [pushed] = await sent_messages(wx, 1)
    assert pushed["touser"] == OPENID
    assert pushed["payload"]["text"]["content"] == "荔湾区的医疗机构共有6家"
    assert slow_rasa["turns"] == 1


async def test_wechat_retries_of_a_slow_turn_run_it_once_and_push_once(system, slow_rasa):
    gateway, wx = system
    slow_rasa["delay"] = 1.0
    body = text_xml("荔湾有哪些医院", "2")

    async def delivery(after: float) -> str:
        await asyncio.sleep(after)
        return (await gateway.post("/wechat", params=signed(), content=body)).text

    answers = await asyncio.gather(delivery(0), delivery(0.35), delivery(0.7))
    assert answers == ["success"] * 3
    sent = await sent_messages(wx, 1)
    await asyncio.sleep(0.5)  # nothing else may arrive
    assert len((await wx.get("/sandbox/sent")).json()) == len(sent) == 1
    assert slow_rasa["turns"] == 1


async def test_unfollowed_users_get_no_push_and_admins_see_it(system, slow_rasa):
    gateway, wx = system
    await gateway.post("/wechat", params=signed(), content=text_xml("荔湾有哪些医院", "3"))
    await gateway.post("/wechat", params=signed(), content=event_xml("unsubscribe"))
    await asyncio.sleep(1.2)  # the slow turn finishes after the user left
    assert (await wx.get("/sandbox/sent")).json() == []
    assert (await gateway.get("/admin/deliveries/failed")).status_code == 404
    failed = await gateway.get("/admin/deliveries/failed", headers={"Authorization": "Bearer adm"})
    [record] = failed.json()
    assert record["reason"] == "unsubscribed"
    assert record["undelivered"] == ["荔湾区的医疗机构共有6家"]
    assert OPENID not in failed.text  # masked


async def test_late_reply_with_choices_is_pushed_as_a_tappable_menu(system, slow_rasa):
    gateway, wx = system
    slow_rasa["buttons"] = [
        {
            "title": "荔枝湾中心医院",
            "payload": '/list_departments{"institution": "荔枝湾中心医院"}',
        },
        {"title": "西关康宁医院", "payload": '/list_departments{"institution": "西关康宁医院"}'},
    ]
    response = await gateway.post("/wechat", params=signed(), content=text_xml("哪家医院", "7"))
    assert response.text == "success"
    [pushed] = await sent_messages(wx, 1)
    assert pushed["msgtype"] == "msgmenu"
    menu = pushed["payload"]["msgmenu"]
    assert menu["head_content"] == "荔湾区的医疗机构共有6家"
    assert [item["content"] for item in menu["list"]] == ["荔枝湾中心医院", "西关康宁医院"]


async def test_following_again_resumes_pushes(system, slow_rasa):
    gateway, wx = system
    await gateway.post("/wechat", params=signed(), content=event_xml("unsubscribe"))
    await gateway.post("/wechat", params=signed(), content=event_xml("subscribe"))
    response = await gateway.post(
        "/wechat", params=signed(), content=text_xml("荔湾有哪些医院", "8")
    )
    assert response.text == "success"
    # Both the welcome and the answer (each slow, so pushed) reach the user again.
    sent = await sent_messages(wx, 2)
    assert [m["touser"] for m in sent] == [OPENID, OPENID]


@pytest.mark.parametrize("fallback_template", ["TPL_REPLY_READY"])
async def test_out_of_window_push_falls_back_to_the_template(system, slow_rasa):
    gateway, wx = system
    await wx.post("/sandbox/control", json={"out_of_window": [OPENID], "not_subscribed": []})
    response = await gateway.post(
        "/wechat", params=signed(), content=text_xml("荔湾有哪些医院", "9")
    )
    assert response.text == "success"
    [template] = await sent_messages(wx, 1)
    assert template["endpoint"].endswith("template/send")
    assert template["payload"]["template_id"] == "TPL_REPLY_READY"
    assert template["payload"]["data"]["content"]["value"] == "荔湾区的医疗机构共有6家"
