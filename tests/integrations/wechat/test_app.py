"""Gateway behaviour at the HTTP boundary. Rasa is replaced by a local HTTP server speaking its
REST channel here; the end-to-end suite runs the real one."""

import logging
import time

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from defusedxml.ElementTree import fromstring

from integrations.wechat.app import create_app
from integrations.wechat.rasa_client import RasaClient
from integrations.wechat.settings import GatewaySettings
from integrations.wechat.signature import compute_signature
from integrations.wechat.state import MemoryStore

TOKEN = "test-token"
OPENID = "oTestUser0000000000000000001"


def signed(timestamp=None, nonce="42", token=TOKEN):
    timestamp = timestamp or str(int(time.time()))
    return {
        "signature": compute_signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": OPENID,
    }


def text_xml(content, msg_id="1001"):
    return (
        f"<xml><ToUserName><![CDATA[gh_test]]></ToUserName>"
        f"<FromUserName><![CDATA[{OPENID}]]></FromUserName><CreateTime>1700000000</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    ).encode()


class RecordingRasa:
    """Answers like Rasa's REST channel and records what it was sent."""

    def __init__(self, status=200, replies=None):
        self.status = status
        self.replies = replies if replies is not None else [{"text": "您好"}]
        self.requests = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(await request.json())
        return web.json_response(self.replies, status=self.status)


@pytest.fixture
def rasa():
    return RecordingRasa()


@pytest.fixture
async def rasa_url(rasa):
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", rasa.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        rasa.url = str(server.make_url("")).rstrip("/")
        yield rasa.url


@pytest.fixture
async def client(rasa_url):
    settings = GatewaySettings(wechat_token=TOKEN, wechat_app_id="wxtest", max_body_bytes=4096)
    rasa_client = RasaClient(rasa_url, timeout=1)
    app = create_app(settings, rasa_client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
            yield http
    await rasa_client.aclose()


async def test_get_verification_echoes(client):
    response = await client.get("/wechat", params={**signed(), "echostr": "hello123"})
    assert response.status_code == 200
    assert response.text == "hello123"


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_forged_signature_is_403_and_logged(client, rasa, method, caplog):
    caplog.set_level(logging.WARNING)
    response = await client.request(
        method, "/wechat", params=signed(token="forged"), content=text_xml("你好")
    )
    assert response.status_code == 403
    assert rasa.requests == []
    assert "bad signature" in caplog.text


@pytest.mark.parametrize("age_seconds", [301, -301, 86400 * 365])
async def test_stale_or_future_timestamp_is_refused_as_replay(client, rasa, age_seconds, caplog):
    caplog.set_level(logging.WARNING)
    stale = str(int(time.time()) - age_seconds)
    response = await client.post(
        "/wechat", params=signed(timestamp=stale), content=text_xml("你好")
    )
    assert response.status_code == 403
    assert "timestamp" in caplog.text
    assert rasa.requests == []


async def test_missing_signature_is_403(client):
    response = await client.post("/wechat", content=text_xml("你好"))
    assert response.status_code == 403


async def test_text_reaches_rasa_with_openid_and_reply_is_passive_xml(client, rasa):
    rasa.replies = [
        {"text": "第一句"},
        {"text": "第二句", "buttons": [{"title": "是", "payload": "/affirm"}]},
    ]
    response = await client.post("/wechat", params=signed(), content=text_xml("荔湾有哪些医院"))
    assert response.status_code == 200
    assert rasa.requests == [{"sender": OPENID, "message": "荔湾有哪些医院"}]
    root = fromstring(response.text)
    assert root.findtext("ToUserName") == OPENID
    assert root.findtext("FromUserName") == "gh_test"
    assert root.findtext("Content") == "第一句\n\n第二句\n1. 是"


async def test_user_cannot_trigger_intents_directly(client, rasa):
    await client.post("/wechat", params=signed(), content=text_xml('/subscribe{"x": 1}'))
    assert rasa.requests[0]["message"] == 'subscribe{"x": 1}'


async def test_subscribe_event_triggers_welcome_intent(client, rasa):
    body = (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{OPENID}</FromUserName>"
        "<CreateTime>1</CreateTime><MsgType>event</MsgType><Event>subscribe</Event></xml>"
    ).encode()
    response = await client.post("/wechat", params=signed(), content=body)
    assert rasa.requests == [{"sender": OPENID, "message": "/subscribe"}]
    assert fromstring(response.text).findtext("Content") == "您好"


async def test_unsubscribe_gets_success_without_dialogue(client, rasa):
    body = (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{OPENID}</FromUserName>"
        "<CreateTime>1</CreateTime><MsgType>event</MsgType><Event>unsubscribe</Event></xml>"
    ).encode()
    response = await client.post("/wechat", params=signed(), content=body)
    assert response.text == "success"
    assert rasa.requests == []


@pytest.mark.parametrize(
    "msg_type", ["image", "location", "link", "video", "shortvideo", "newtype"]
)
async def test_unsupported_types_get_a_polite_answer(client, rasa, msg_type):
    body = (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{OPENID}</FromUserName>"
        f"<CreateTime>1</CreateTime><MsgType>{msg_type}</MsgType><MsgId>7</MsgId></xml>"
    ).encode()
    response = await client.post("/wechat", params=signed(), content=body)
    assert response.status_code == 200
    assert "看不懂图片" in fromstring(response.text).findtext("Content")
    assert rasa.requests == []


async def test_voice_uses_wechat_recognition_when_present(client, rasa):
    body = (
        f"<xml><ToUserName>gh_test</ToUserName><FromUserName>{OPENID}</FromUserName>"
        "<CreateTime>1</CreateTime><MsgType>voice</MsgType><MediaId>m</MediaId>"
        "<Format>amr</Format><Recognition>你好</Recognition><MsgId>8</MsgId></xml>"
    ).encode()
    await client.post("/wechat", params=signed(), content=body)
    assert rasa.requests[0]["message"] == "你好"


@pytest.mark.parametrize(
    "body", [b"<xml><oops>", b"\xff\xfe\x00", b"", b"<xml><MsgType>text</MsgType></xml>"]
)
async def test_malformed_body_is_rejected_and_logged_never_500(client, rasa, body, caplog):
    caplog.set_level(logging.WARNING)
    response = await client.post("/wechat", params=signed(), content=body)
    assert response.status_code == 400
    assert "rejected POST /wechat" in caplog.text
    assert rasa.requests == []


async def test_oversized_body_is_413(client, rasa):
    response = await client.post("/wechat", params=signed(), content=text_xml("长" * 5000))
    assert response.status_code == 413
    assert rasa.requests == []


async def test_rasa_down_gives_a_busy_answer_not_an_error(client, rasa):
    rasa.status = 500
    response = await client.post("/wechat", params=signed(), content=text_xml("你好"))
    assert response.status_code == 200
    assert "系统有点忙" in fromstring(response.text).findtext("Content")


async def test_empty_rasa_answer_is_never_silence(client, rasa):
    rasa.replies = []
    response = await client.post("/wechat", params=signed(), content=text_xml("嗯"))
    assert "没听明白" in fromstring(response.text).findtext("Content")


async def test_simulator_signs_with_server_token(client):
    response = await client.post("/simulator/sign", json={"timestamp": "123", "nonce": "456"})
    assert response.json() == {
        "signature": compute_signature(TOKEN, "123", "456"),
        "app_id": "wxtest",
    }
    page = await client.get("/simulator")
    assert page.status_code == 200
    assert "/simulator/sign" in page.text


async def test_simulator_sign_rejects_bad_input(client):
    response = await client.post("/simulator/sign", json={"timestamp": "abc", "nonce": "1"})
    assert response.status_code == 422


async def test_rasa_unreachable_gives_a_busy_answer():
    settings = GatewaySettings(wechat_token=TOKEN)
    rasa_client = RasaClient("http://127.0.0.1:9", timeout=1)
    app = create_app(settings, rasa_client)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gw") as http,
    ):
        response = await http.post("/wechat", params=signed(), content=text_xml("你好"))
    await rasa_client.aclose()
    assert response.status_code == 200
    assert "系统有点忙" in fromstring(response.text).findtext("Content")


async def test_simulator_is_off_in_production():
    settings = GatewaySettings(frontdoor_env="production", wechat_token="a-real-secret-token")
    app = create_app(settings, RasaClient("http://127.0.0.1:9", timeout=1))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
        assert (await http.get("/simulator")).status_code == 404
        assert (
            await http.post("/simulator/sign", json={"timestamp": "1", "nonce": "1"})
        ).status_code == 404


def test_production_refuses_placeholder_token():
    with pytest.raises(ValueError, match="WECHAT_TOKEN"):
        GatewaySettings(frontdoor_env="production")


async def test_numbered_answer_picks_the_offered_choice(client, rasa):
    rasa.replies = [
        {
            "text": "您想查哪家医院的科室？",
            "buttons": [
                {
                    "title": "荔枝湾中心医院",
                    "payload": '/list_departments{"institution": "荔枝湾中心医院"}',
                },
                {
                    "title": "西关康宁医院",
                    "payload": '/list_departments{"institution": "西关康宁医院"}',
                },
            ],
        }
    ]
    first = await client.post("/wechat", params=signed(), content=text_xml("有哪些科室", "11"))
    assert "2. 西关康宁医院" in fromstring(first.text).findtext("Content")
    rasa.replies = [{"text": "西关康宁医院的科室：…"}]
    await client.post("/wechat", params=signed(), content=text_xml("第2个", "12"))
    assert rasa.requests[-1]["message"] == '/list_departments{"institution": "西关康宁医院"}'
    # Choices apply to the next message only.
    await client.post("/wechat", params=signed(), content=text_xml("1", "13"))
    assert rasa.requests[-1]["message"] == "1"


async def test_per_user_rate_limit_counts_retries_once(rasa, rasa_url):
    settings = GatewaySettings(wechat_token=TOKEN, rate_limit_per_minute=3)
    rasa_client = RasaClient(rasa.url, timeout=1)
    app = create_app(settings, rasa_client)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gw") as http,
    ):
        for msg_id in ("1", "1", "1", "2", "3"):  # message 1 delivered 3 times by WeChat
            ok = await http.post("/wechat", params=signed(), content=text_xml("你好", msg_id))
            assert "您好" in fromstring(ok.text).findtext("Content")
        limited = await http.post("/wechat", params=signed(), content=text_xml("你好", "4"))
        retried = await http.post("/wechat", params=signed(), content=text_xml("你好", "4"))
        other_user = signed() | {"openid": "oOther"}
        body = text_xml("你好", "5").replace(OPENID.encode(), b"oOtherUser")
        unaffected = await http.post("/wechat", params=other_user, content=body)
    await rasa_client.aclose()
    content = fromstring(limited.text).findtext("Content")
    assert "稍等一分钟" in content and "120" in content
    assert fromstring(retried.text).findtext("Content") == content  # a retry stays limited
    assert len(rasa.requests) == 4
    assert "您好" in fromstring(unaffected.text).findtext("Content")


class BrokenStore(MemoryStore):
    """Redis gone away mid-flight."""

    async def incr(self, key: str, ttl: float) -> int:
        raise ConnectionError("redis is down")


async def test_a_failing_store_still_gets_the_resident_an_answer(rasa, rasa_url, caplog):
    caplog.set_level(logging.ERROR)
    settings = GatewaySettings(wechat_token=TOKEN)
    rasa_client = RasaClient(rasa_url, timeout=1)
    app = create_app(settings, rasa_client, store=BrokenStore())
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gw") as http,
    ):
        response = await http.post("/wechat", params=signed(), content=text_xml("你好", "77"))
    await rasa_client.aclose()
    assert response.status_code == 200
    assert "系统有点忙" in fromstring(response.text).findtext("Content")
    assert "could not answer" in caplog.text


async def test_admin_endpoint_refuses_odd_authorization_headers(rasa_url):
    settings = GatewaySettings(wechat_token=TOKEN, admin_token="secret")
    rasa_client = RasaClient(rasa_url, timeout=1)
    app = create_app(settings, rasa_client)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://gw") as http,
    ):
        wrong = await http.get(
            "/admin/deliveries/failed", headers={"Authorization": "Bearer 秘密".encode()}
        )
        right = await http.get(
            "/admin/deliveries/failed", headers={"Authorization": "Bearer secret"}
        )
    await rasa_client.aclose()
    assert wrong.status_code == 404
    assert right.json() == []
