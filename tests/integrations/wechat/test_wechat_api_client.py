"""`WeChatAPIClient` against the WeChat API stand-in (in-process over ASGI) with the real Redis as
the shared store (the tests fail without it): token sharing, refresh on token errors, errcode
mapping, retries, and every API method. Two clients on one store stand for two processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from integrations.wechat.api import (
    AccessTokenError,
    ApiLimitReached,
    ContentTooLong,
    NotSubscribed,
    OutOfWindow,
    OverQuota,
    RetryPolicy,
    SystemBusy,
    Unauthorized,
    UnexpectedResponse,
    WeChatAPIClient,
    WeChatAPIError,
    WeChatUnavailable,
)
from integrations.wechat.state import RedisStore
from sandbox.wechat.api_server import (
    SEEDED_VOICE_AMR,
    SEEDED_VOICE_MEDIA_ID,
    ControlUpdate,
    FailureSpec,
    WeChatSandbox,
    create_app,
)

APP_ID = "wx1234567890abcdef"
APP_SECRET = "test-secret"
USER = "oUSER0000000000000000000001"
SEND_PATH = "/cgi-bin/message/custom/send"


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to the stand-in; records them and raises scripted transport errors."""

    def __init__(self, app: FastAPI) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self.requests: list[httpx.Request] = []
        self.raise_next: list[Exception] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/cgi-bin/stable_token" and self.raise_next:
            raise self.raise_next.pop(0)
        await request.aread()
        self.requests.append(request)
        return await self._inner.handle_async_request(request)


@pytest.fixture
def app() -> FastAPI:
    return create_app(APP_ID, APP_SECRET)


@pytest.fixture
def sandbox(app: FastAPI) -> WeChatSandbox:
    state: WeChatSandbox = app.state.wechat
    return state


@pytest.fixture
def transport(app: FastAPI) -> RecordingTransport:
    return RecordingTransport(app)


@pytest.fixture
def store(redis_store: RedisStore) -> RedisStore:
    """These tests share the token between clients through the real Redis."""
    return redis_store


@pytest.fixture
async def make_client(
    store: RedisStore, transport: RecordingTransport
) -> AsyncIterator[Callable[..., WeChatAPIClient]]:
    clients: list[WeChatAPIClient] = []

    def make(**options: Any) -> WeChatAPIClient:
        options.setdefault("transport", transport)
        options.setdefault("retry", RetryPolicy(retries=2, backoff=0))
        client = WeChatAPIClient("http://api.test", APP_ID, APP_SECRET, store, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def client(make_client: Callable[..., WeChatAPIClient]) -> WeChatAPIClient:
    return make_client()


def control(sandbox: WeChatSandbox, **settings: Any) -> None:
    sandbox.apply(ControlUpdate(**settings))


def fail_next(sandbox: WeChatSandbox, **spec: Any) -> None:
    sandbox.apply(ControlUpdate(fail_next=FailureSpec(**spec)))


def stable_fetches(sandbox: WeChatSandbox) -> tuple[int, int]:
    """(stable_token calls, of which forced)."""
    counts = sandbox.stats()["fetches"]
    return counts["stable_token"], counts["stable_token_force"]


# --- one token for every process ----------------------------------------------------------------


async def test_two_clients_on_one_store_fetch_one_token(make_client, sandbox: WeChatSandbox):
    first, second = make_client(), make_client()
    await first.send_text(USER, "一")
    await second.send_text(USER, "二")
    assert stable_fetches(sandbox) == (1, 0)
    assert [m.payload["text"]["content"] for m in sandbox.sent] == ["一", "二"]


async def test_twenty_concurrent_sends_from_two_clients_fetch_once(
    make_client, sandbox: WeChatSandbox
):
    clients = [make_client(), make_client()]
    await asyncio.gather(*(clients[i % 2].send_text(USER, f"消息{i}") for i in range(20)))
    assert stable_fetches(sandbox) == (1, 0)
    assert len(sandbox.sent) == 20


async def test_rejected_token_is_replaced_and_the_call_repeated(client, sandbox: WeChatSandbox):
    await client.send_text(USER, "先")
    fail_next(sandbox, errcode=40001, count=1, path=SEND_PATH)
    await client.send_text(USER, "后")
    assert [m.payload["text"]["content"] for m in sandbox.sent] == ["先", "后"]
    assert stable_fetches(sandbox) == (3, 1)  # first fetch; refused token handed out again; forced


async def test_two_clients_seeing_the_token_fail_at_once_force_one_refresh(
    make_client, sandbox: WeChatSandbox
):
    first, second = make_client(), make_client()
    token = await first.access_tokens.get()
    fail_next(sandbox, errcode=40001, count=None, access_token=token)
    await asyncio.gather(first.send_text(USER, "甲"), second.send_text(USER, "乙"))
    assert sorted(m.payload["text"]["content"] for m in sandbox.sent) == ["乙", "甲"]
    assert stable_fetches(sandbox)[1] == 1


async def test_a_token_refused_again_after_refresh_raises(client, sandbox: WeChatSandbox):
    fail_next(sandbox, errcode=42001, count=None, path=SEND_PATH)
    with pytest.raises(AccessTokenError) as caught:
        await client.send_text(USER, "你好")
    assert caught.value.errcode == 42001
    assert sandbox.calls[SEND_PATH] == 2  # one retry, not a loop
    assert sandbox.sent == []


# --- errcodes become exceptions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "exception", "errcode"),
    [
        ({"out_of_window": [USER]}, OutOfWindow, 45015),
        ({"over_quota": [USER]}, OverQuota, 45047),
        ({"unverified": True}, Unauthorized, 48001),
    ],
)
async def test_customer_service_limits_raise(
    client, sandbox: WeChatSandbox, setting, exception, errcode
):
    control(sandbox, **setting)
    with pytest.raises(exception) as caught:
        await client.send_text(USER, "你好")
    assert caught.value.errcode == errcode
    assert caught.value.errmsg.startswith(
        {45015: "response out of time", 45047: "out of response", 48001: "api unauthorized"}[
            errcode
        ]
    )


async def test_too_long_text_raises_content_too_long(client):
    with pytest.raises(ContentTooLong):
        await client.send_text(USER, "好" * 683)


async def test_notification_to_an_unsubscribed_user_raises(client, sandbox: WeChatSandbox):
    control(sandbox, not_subscribed=[USER])
    with pytest.raises(NotSubscribed):
        await client.send_template(USER, "tpl", {"thing1": "报告已出"})
    with pytest.raises(NotSubscribed):
        await client.send_subscription(USER, "tpl", {"thing1": "报告已出"})


@pytest.mark.parametrize(
    ("errcode", "exception"),
    [
        (40001, AccessTokenError),
        (40014, AccessTokenError),
        (42001, AccessTokenError),
        (45009, ApiLimitReached),
        (45015, OutOfWindow),
        (45047, OverQuota),
        (48001, Unauthorized),
        (43101, NotSubscribed),
        (45002, ContentTooLong),
        (-1, SystemBusy),
        (40003, WeChatAPIError),
    ],
)
async def test_errcodes_map_to_exceptions(client, sandbox: WeChatSandbox, errcode, exception):
    fail_next(sandbox, errcode=errcode, count=None, path=SEND_PATH)
    with pytest.raises(WeChatAPIError) as caught:
        await client.send_text(USER, "你好")
    assert type(caught.value) is exception
    assert caught.value.errcode == errcode


async def test_unknown_endpoint_fails_loudly(client):
    with pytest.raises(UnexpectedResponse, match="404"):
        await client.call("POST", "/cgi-bin/message/no_such_api", payload={"touser": USER})


async def test_a_base_url_that_is_not_wechat_fails_loudly(make_client):
    other = FastAPI()

    @other.api_route("/{path:path}", methods=["GET", "POST"])
    def page() -> HTMLResponse:
        return HTMLResponse("<html>hello</html>")

    client = make_client(transport=httpx.ASGITransport(app=other))
    with pytest.raises(UnexpectedResponse, match="not JSON"):
        await client.send_text(USER, "你好")


# --- retries ------------------------------------------------------------------------------------


async def test_reads_are_retried_after_5xx(client, sandbox: WeChatSandbox):
    fail_next(sandbox, http_status=502, count=2, path="/cgi-bin/menu/get")
    assert await client.get_menu() is None
    assert sandbox.calls["/cgi-bin/menu/get"] == 3


async def test_reads_give_up_after_the_allowed_retries(client, sandbox: WeChatSandbox):
    fail_next(sandbox, http_status=503, count=None, path="/cgi-bin/menu/get")
    with pytest.raises(WeChatUnavailable):
        await client.get_menu()
    assert sandbox.calls["/cgi-bin/menu/get"] == 3


async def test_sends_are_not_retried_after_5xx(client, sandbox: WeChatSandbox):
    fail_next(sandbox, http_status=503, count=1, path=SEND_PATH)
    with pytest.raises(WeChatUnavailable):
        await client.send_text(USER, "你好")
    assert sandbox.calls[SEND_PATH] == 1


async def test_system_busy_is_retried_for_reads_only(client, sandbox: WeChatSandbox):
    fail_next(sandbox, errcode=-1, count=1, path="/cgi-bin/menu/get")
    assert await client.get_menu() is None
    fail_next(sandbox, errcode=-1, count=1, path=SEND_PATH)
    with pytest.raises(SystemBusy):
        await client.send_text(USER, "你好")


async def test_sends_are_retried_only_when_nothing_was_sent(
    client, transport: RecordingTransport, sandbox: WeChatSandbox
):
    transport.raise_next = [httpx.ConnectError("refused")]
    await client.send_text(USER, "连上了")
    assert len(sandbox.sent) == 1
    transport.raise_next = [httpx.ReadTimeout("no answer")]
    with pytest.raises(WeChatUnavailable):
        await client.send_text(USER, "也许已送达")
    assert len(sandbox.sent) == 1


async def test_reads_are_retried_after_timeouts(client, transport: RecordingTransport):
    transport.raise_next = [httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow")]
    assert await client.get_menu() is None
    transport.raise_next = [httpx.ReadTimeout("slow")] * 3
    with pytest.raises(WeChatUnavailable):
        await client.get_menu()


# --- the API methods ----------------------------------------------------------------------------


async def test_text_is_sent_as_plain_utf8_json(client, transport: RecordingTransport):
    await client.send_text(USER, "你好")
    request = next(r for r in transport.requests if r.url.path == SEND_PATH)
    assert "你好".encode() in request.content
    assert b"\\u" not in request.content
    assert request.headers["content-type"].startswith("application/json")


async def test_send_menu(client, sandbox: WeChatSandbox):
    await client.send_menu(USER, "您想预约哪一天？", [("d1", "明天"), ("d2", "后天")], "点选即可")
    assert sandbox.sent[0].payload == {
        "touser": USER,
        "msgtype": "msgmenu",
        "msgmenu": {
            "head_content": "您想预约哪一天？",
            "list": [{"id": "d1", "content": "明天"}, {"id": "d2", "content": "后天"}],
            "tail_content": "点选即可",
        },
    }


async def test_send_template_returns_the_msgid(client, sandbox: WeChatSandbox):
    msgid = await client.send_template(
        USER, "tpl-report", {"thing1": "血常规", "time2": "2026-11-23"}, url="https://e.org/r"
    )
    message = sandbox.sent[0]
    assert message.seq == msgid
    assert message.endpoint == "/cgi-bin/message/template/send"
    assert message.payload == {
        "touser": USER,
        "template_id": "tpl-report",
        "data": {"thing1": {"value": "血常规"}, "time2": {"value": "2026-11-23"}},
        "url": "https://e.org/r",
    }


async def test_send_subscription(client, sandbox: WeChatSandbox):
    await client.send_subscription(USER, "tpl-remind", {"thing1": "明日复诊"}, page="pages/visit")
    message = sandbox.sent[0]
    assert message.endpoint == "/cgi-bin/message/subscribe/bizsend"
    assert message.payload["page"] == "pages/visit"


async def test_menu_round_trip_and_validation(client):
    menu = {"button": [{"type": "click", "name": "预约挂号", "key": "BOOK"}]}
    assert await client.get_menu() is None
    await client.create_menu(menu)
    assert await client.get_menu() == menu
    with pytest.raises(WeChatAPIError) as caught:
        await client.create_menu({"button": [{"type": "click", "name": "缺少key"}]})
    assert caught.value.errcode == 40019


async def test_media_upload_download_and_voice_reply(client, sandbox: WeChatSandbox):
    audio = b"#!AMR\n" + b"\x3c" + bytes(31)
    media_id = await client.upload_media("voice", "reply.amr", audio)
    assert await client.download_media(media_id) == audio
    await client.send_voice(USER, media_id)
    assert sandbox.sent[0].payload == {
        "touser": USER,
        "msgtype": "voice",
        "voice": {"media_id": media_id},
    }
    thumb_id = await client.upload_media("thumb", "cover.jpg", b"\xff\xd8\xff")
    assert thumb_id in sandbox.media


async def test_download_of_a_user_voice_message(client):
    assert await client.download_media(SEEDED_VOICE_MEDIA_ID) == SEEDED_VOICE_AMR


async def test_download_of_unknown_media_raises_the_errcode(client):
    with pytest.raises(WeChatAPIError) as caught:
        await client.download_media("expired-or-unknown")
    assert caught.value.errcode == 40007


async def test_upload_of_a_wrong_format_raises(client):
    with pytest.raises(WeChatAPIError) as caught:
        await client.upload_media("voice", "reply.wav", b"RIFF")
    assert caught.value.errcode == 40005


async def test_client_is_an_async_context_manager(store: RedisStore, transport):
    async with WeChatAPIClient(
        "http://api.test/", APP_ID, APP_SECRET, store, transport=transport
    ) as client:
        await client.send_text(USER, "你好")
    assert await store.get(f"wechat:access_token:{APP_ID}") is not None  # the store stays open
