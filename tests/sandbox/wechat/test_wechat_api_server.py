"""The WeChat API stand-in speaks the real protocol: every endpoint's success and errcodes, token
lifetimes (invalidation with grace, stable_token semantics, quotas) and the /sandbox/ controls.
Time is a fake clock, so nothing here waits."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from sandbox.wechat.api_server import SEEDED_VOICE_AMR, SEEDED_VOICE_MEDIA_ID, create_app

APP_ID = "wx1234567890abcdef"
APP_SECRET = "test-secret"
USER = "oUSER0000000000000000000001"


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def api(clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(APP_ID, APP_SECRET, clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        yield client


async def plain_token(api: httpx.AsyncClient) -> str:
    params = {"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET}
    answer = (await api.get("/cgi-bin/token", params=params)).json()
    assert answer["expires_in"] == 7200, answer
    return str(answer["access_token"])


async def stable_token(api: httpx.AsyncClient, *, force: bool = False) -> dict[str, Any]:
    body = {
        "grant_type": "client_credential",
        "appid": APP_ID,
        "secret": APP_SECRET,
        "force_refresh": force,
    }
    answer: dict[str, Any] = (await api.post("/cgi-bin/stable_token", json=body)).json()
    return answer


async def errcode_of(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    errcode: int = json.loads(response.text)["errcode"]
    return errcode


async def menu_get_errcode(api: httpx.AsyncClient, token: str) -> int:
    """0 when the token is accepted (46003 'no menu' also means the token passed)."""
    code = await errcode_of(await api.get("/cgi-bin/menu/get", params={"access_token": token}))
    return 0 if code == 46003 else code


async def send_text(
    api: httpx.AsyncClient, token: str, content: str = "你好", touser: str = USER
) -> int:
    body = {"touser": touser, "msgtype": "text", "text": {"content": content}}
    response = await api.post(
        "/cgi-bin/message/custom/send", params={"access_token": token}, json=body
    )
    return await errcode_of(response)


async def control(api: httpx.AsyncClient, **settings: Any) -> dict[str, Any]:
    response = await api.post("/sandbox/control", json=settings)
    assert response.status_code == 200, response.text
    state: dict[str, Any] = response.json()
    return state


async def upload(
    api: httpx.AsyncClient, token: str, kind: str, filename: str, data: bytes
) -> httpx.Response:
    return await api.post(
        "/cgi-bin/media/upload",
        params={"access_token": token, "type": kind},
        files={"media": (filename, data)},
    )


# --- getAccessToken -----------------------------------------------------------------------------


async def test_token_is_issued_for_7200_seconds(api: httpx.AsyncClient):
    token = await plain_token(api)
    assert await menu_get_errcode(api, token) == 0


@pytest.mark.parametrize(
    ("params", "errcode"),
    [
        ({"grant_type": "client_credential", "appid": "wxother", "secret": APP_SECRET}, 40013),
        ({"grant_type": "client_credential", "appid": APP_ID, "secret": "wrong"}, 40125),
        ({"grant_type": "client_credential", "secret": APP_SECRET}, 41002),
        ({"grant_type": "client_credential", "appid": APP_ID}, 41004),
        ({"grant_type": "password", "appid": APP_ID, "secret": APP_SECRET}, 40002),
    ],
)
async def test_token_refuses_wrong_credentials(api: httpx.AsyncClient, params, errcode):
    assert await errcode_of(await api.get("/cgi-bin/token", params=params)) == errcode


async def test_new_token_invalidates_the_old_one_after_five_minutes(api, clock: FakeClock):
    first = await plain_token(api)
    second = await plain_token(api)
    assert first != second
    clock.advance(299)
    assert await menu_get_errcode(api, first) == 0
    clock.advance(2)
    assert await menu_get_errcode(api, first) == 40001
    assert await menu_get_errcode(api, second) == 0


async def test_token_expires_after_7200_seconds(api, clock: FakeClock):
    token = await plain_token(api)
    clock.advance(7199)
    assert await menu_get_errcode(api, token) == 0
    clock.advance(1)
    assert await menu_get_errcode(api, token) == 42001


@pytest.mark.parametrize(
    ("token", "errcode"), [(None, 41001), ("never-issued", 40001), ("bad token!", 40014)]
)
async def test_api_refuses_missing_unknown_and_malformed_tokens(api, token, errcode):
    params = {} if token is None else {"access_token": token}
    assert await errcode_of(await api.get("/cgi-bin/menu/get", params=params)) == errcode


# --- getStableAccessToken -----------------------------------------------------------------------


async def test_stable_token_is_the_same_while_valid(api, clock: FakeClock):
    first = await stable_token(api)
    clock.advance(1000)
    second = await stable_token(api)
    assert second["access_token"] == first["access_token"]
    assert (first["expires_in"], second["expires_in"]) == (7200, 6200)


async def test_stable_token_is_isolated_from_get_access_token(api):
    stable = (await stable_token(api))["access_token"]
    await plain_token(api)
    await plain_token(api)
    assert (await stable_token(api))["access_token"] == stable


async def test_stable_token_rolls_over_in_its_last_five_minutes(api, clock: FakeClock):
    old = (await stable_token(api))["access_token"]
    clock.advance(6901)
    new = await stable_token(api)
    assert new["access_token"] != old
    assert new["expires_in"] == 7200
    # Both work until the old one's own expiry.
    assert await menu_get_errcode(api, old) == 0
    clock.advance(299)
    assert await menu_get_errcode(api, old) == 42001
    assert await menu_get_errcode(api, new["access_token"]) == 0


async def test_force_refresh_issues_a_new_token_and_the_old_one_lives_five_minutes(
    api, clock: FakeClock
):
    old = (await stable_token(api))["access_token"]
    new = (await stable_token(api, force=True))["access_token"]
    assert new != old
    assert (await stable_token(api))["access_token"] == new
    clock.advance(299)
    assert await menu_get_errcode(api, old) == 0
    clock.advance(1)
    assert await menu_get_errcode(api, old) == 40001
    assert await menu_get_errcode(api, new) == 0


async def test_force_refresh_within_30_seconds_does_not_refresh(api, clock: FakeClock):
    await stable_token(api)
    forced = (await stable_token(api, force=True))["access_token"]
    clock.advance(29)
    assert (await stable_token(api, force=True))["access_token"] == forced
    clock.advance(1)
    assert (await stable_token(api, force=True))["access_token"] != forced


async def test_force_refresh_grace_can_be_switched_off(api):
    await control(api, force_refresh_grace_seconds=0)
    old = (await stable_token(api))["access_token"]
    await stable_token(api, force=True)
    assert await menu_get_errcode(api, old) == 40001


async def test_token_fetches_are_counted_and_capped_per_day(api, clock: FakeClock):
    await control(api, daily_limits={"stable_token": 3, "stable_token_force": 1, "token": 1})
    await stable_token(api)
    forced = await stable_token(api, force=True)
    assert "access_token" in forced
    clock.advance(30)
    assert (await stable_token(api, force=True))["errcode"] == 45009
    await plain_token(api)
    params = {"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET}
    assert await errcode_of(await api.get("/cgi-bin/token", params=params)) == 45009
    # The refused force call still used a normal-mode slot, like every stable_token call.
    assert (await stable_token(api))["errcode"] == 45009
    stats = (await api.get("/sandbox/stats")).json()
    assert stats["fetches"] == {"token": 1, "stable_token": 3, "stable_token_force": 1}
    clock.advance(24 * 3600)
    assert "access_token" in await stable_token(api)
    stats = (await api.get("/sandbox/stats")).json()
    assert stats["fetches_today"]["stable_token"] == 1
    assert stats["fetches"]["stable_token"] == 4


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"grant_type": "client_credential", "appid": APP_ID, "secret": "wrong"}, 40125),
        ({"grant_type": "client_credential", "appid": "wxother", "secret": APP_SECRET}, 40013),
        ({"grant_type": "other", "appid": APP_ID, "secret": APP_SECRET}, 40002),
        (
            {"grant_type": "client_credential", "appid": APP_ID, "secret": APP_SECRET,
             "force_refresh": "yes"},
            47001,
        ),
    ],
)  # fmt: skip
async def test_stable_token_refuses_bad_requests(api, body, errcode):
    assert await errcode_of(await api.post("/cgi-bin/stable_token", json=body)) == errcode


async def test_stable_token_needs_a_json_body(api):
    response = await api.post("/cgi-bin/stable_token", content=b"grant_type=client_credential")
    assert await errcode_of(response) == 47001


async def test_development_account_accepts_an_empty_secret():
    app = create_app(APP_ID, "")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as api:
        for secret in ("", "dev-secret"):
            body = {"grant_type": "client_credential", "appid": APP_ID, "secret": secret}
            answer = (await api.post("/cgi-bin/stable_token", json=body)).json()
            assert "access_token" in answer
        body = {"grant_type": "client_credential", "appid": APP_ID, "secret": "other"}
        assert await errcode_of(await api.post("/cgi-bin/stable_token", json=body)) == 40125


async def test_wrong_http_method_is_an_errcode(api):
    assert await errcode_of(await api.get("/cgi-bin/stable_token")) == 43002
    assert await errcode_of(await api.post("/cgi-bin/menu/get")) == 43001


async def test_unknown_path_is_not_found(api):
    assert (await api.post("/cgi-bin/message/no_such_api")).status_code == 404


# --- customer-service messages ------------------------------------------------------------------


async def test_text_message_is_recorded(api, clock: FakeClock):
    token = (await stable_token(api))["access_token"]
    assert await send_text(api, token, "请于明天上午复诊") == 0
    sent = (await api.get("/sandbox/sent")).json()
    assert sent == [
        {
            "seq": 1,
            "endpoint": "/cgi-bin/message/custom/send",
            "touser": USER,
            "msgtype": "text",
            "payload": {"touser": USER, "msgtype": "text", "text": {"content": "请于明天上午复诊"}},
            "time": clock.now,
        }
    ]


async def test_menu_message_is_recorded(api):
    token = (await stable_token(api))["access_token"]
    body = {
        "touser": USER,
        "msgtype": "msgmenu",
        "msgmenu": {
            "head_content": "您想预约哪一天？",
            "list": [{"id": "d1", "content": "明天"}, {"id": "d2", "content": "后天"}],
            "tail_content": "",
        },
    }
    response = await api.post(
        "/cgi-bin/message/custom/send", params={"access_token": token}, json=body
    )
    assert await errcode_of(response) == 0
    assert (await api.get("/sandbox/sent")).json()[0]["payload"] == body


async def test_text_limit_is_2048_utf8_bytes(api):
    token = (await stable_token(api))["access_token"]
    assert await send_text(api, token, "好" * 682 + "ab") == 0  # 2048 bytes
    assert await send_text(api, token, "好" * 682 + "abc") == 45002
    assert len((await api.get("/sandbox/sent")).json()) == 1


async def test_menu_message_over_the_limit_is_refused(api):
    token = (await stable_token(api))["access_token"]
    body = {
        "touser": USER,
        "msgtype": "msgmenu",
        "msgmenu": {"head_content": "好" * 683, "list": [{"id": "1", "content": "是"}]},
    }
    response = await api.post(
        "/cgi-bin/message/custom/send", params={"access_token": token}, json=body
    )
    assert await errcode_of(response) == 45002


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"touser": USER, "msgtype": "text", "text": {"content": ""}}, 44004),
        ({"touser": "", "msgtype": "text", "text": {"content": "hi"}}, 40003),
        ({"touser": USER, "msgtype": "telegram", "telegram": {}}, 40008),
        ({"touser": USER, "msgtype": "text"}, 47001),
        ({"touser": USER, "msgtype": "msgmenu", "msgmenu": {"list": []}}, 47001),
        ({"touser": USER, "msgtype": "voice", "voice": {"media_id": "nope"}}, 40007),
    ],
)
async def test_malformed_messages_are_refused(api, body, errcode):
    token = (await stable_token(api))["access_token"]
    response = await api.post(
        "/cgi-bin/message/custom/send", params={"access_token": token}, json=body
    )
    assert await errcode_of(response) == errcode
    assert (await api.get("/sandbox/sent")).json() == []


async def test_message_body_must_be_json(api):
    token = (await stable_token(api))["access_token"]
    response = await api.post(
        "/cgi-bin/message/custom/send", params={"access_token": token}, content=b"<xml/>"
    )
    assert await errcode_of(response) == 47001


@pytest.mark.parametrize(
    ("setting", "errcode"),
    [
        ({"out_of_window": [USER]}, 45015),
        ({"over_quota": [USER]}, 45047),
        ({"unverified": True}, 48001),
    ],
)
async def test_window_count_and_verification_are_enforced(api, setting, errcode):
    token = (await stable_token(api))["access_token"]
    await control(api, **setting)
    assert await send_text(api, token) == errcode
    assert await send_text(api, token, touser="oOTHER00000000000000000000001") == (
        48001 if "unverified" in setting else 0
    )


async def test_custom_send_checks_the_token(api, clock: FakeClock):
    token = (await stable_token(api))["access_token"]
    clock.advance(7200)
    assert await send_text(api, token) == 42001
    assert await send_text(api, "forged") == 40001


async def test_voice_and_image_messages_need_a_media_of_that_kind(api):
    token = (await stable_token(api))["access_token"]
    voice = (await upload(api, token, "voice", "reply.amr", b"#!AMR\n\x3c")).json()["media_id"]
    image = (await upload(api, token, "image", "map.png", b"\x89PNG")).json()["media_id"]
    for msgtype, media_id, errcode in (
        ("voice", voice, 0),
        ("image", image, 0),
        ("voice", image, 40007),
    ):
        body = {"touser": USER, "msgtype": msgtype, msgtype: {"media_id": media_id}}
        response = await api.post(
            "/cgi-bin/message/custom/send", params={"access_token": token}, json=body
        )
        assert await errcode_of(response) == errcode


# --- template and subscription messages ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/cgi-bin/message/template/send", {"url": "https://example.org/report"}),
        ("/cgi-bin/message/subscribe/bizsend", {"page": "pages/report"}),
    ],
)
async def test_notifications_are_recorded_unless_not_subscribed(api, path, extra):
    token = (await stable_token(api))["access_token"]
    body = {
        "touser": USER,
        "template_id": "tpl-report-ready",
        "data": {"thing1": {"value": "血常规"}},
        **extra,
    }
    answer = (await api.post(path, params={"access_token": token}, json=body)).json()
    assert answer["errcode"] == 0
    if path.endswith("template/send"):
        assert isinstance(answer["msgid"], int)
    sent = (await api.get("/sandbox/sent")).json()
    assert [(m["endpoint"], m["touser"], m["payload"]) for m in sent] == [(path, USER, body)]

    await control(api, not_subscribed=[USER])
    response = await api.post(path, params={"access_token": token}, json=body)
    assert await errcode_of(response) == 43101


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"touser": USER, "template_id": "", "data": {}}, 40037),
        ({"touser": "", "template_id": "t", "data": {}}, 40003),
        ({"touser": USER, "template_id": "t", "data": {"a": "not an object"}}, 47001),
    ],
)
async def test_template_messages_are_validated(api, body, errcode):
    token = (await stable_token(api))["access_token"]
    response = await api.post(
        "/cgi-bin/message/template/send", params={"access_token": token}, json=body
    )
    assert await errcode_of(response) == errcode


async def test_unverified_account_cannot_send_notifications(api):
    token = (await stable_token(api))["access_token"]
    await control(api, unverified=True)
    body = {"touser": USER, "template_id": "t", "data": {}}
    response = await api.post(
        "/cgi-bin/message/template/send", params={"access_token": token}, json=body
    )
    assert await errcode_of(response) == 48001


# --- menus --------------------------------------------------------------------------------------

MENU = {
    "button": [
        {"type": "click", "name": "预约挂号", "key": "BOOK"},
        {
            "name": "我的",
            "sub_button": [
                {"type": "click", "name": "检查报告", "key": "REPORTS"},
                {"type": "view", "name": "医院地图", "url": "https://example.org/map"},
            ],
        },
    ]
}


async def test_menu_round_trip(api):
    token = (await stable_token(api))["access_token"]
    params = {"access_token": token}
    assert await errcode_of(await api.get("/cgi-bin/menu/get", params=params)) == 46003
    answer = (await api.post("/cgi-bin/menu/create", params=params, json=MENU)).json()
    assert answer == {"errcode": 0, "errmsg": "ok"}
    assert (await api.get("/cgi-bin/menu/get", params=params)).json() == {"menu": MENU}
    assert (await api.get("/cgi-bin/menu/delete", params=params)).json()["errcode"] == 0
    assert await errcode_of(await api.get("/cgi-bin/menu/get", params=params)) == 46003


def _leaf(**fields: str) -> dict[str, str]:
    return {"name": "按钮", **fields}


@pytest.mark.parametrize(
    ("menu", "errcode"),
    [
        ({"button": []}, 40016),
        ({"button": [_leaf(type="click", key="K")] * 4}, 40016),
        ({"button": [_leaf(type="teleport", key="K")]}, 40017),
        ({"button": [{"name": "一二三四五六", "type": "click", "key": "K"}]}, 40018),
        ({"button": [_leaf(type="click")]}, 40019),
        ({"button": [_leaf(type="click", key="K" * 129)]}, 40019),
        ({"button": [_leaf(type="view")]}, 40020),
        ({"button": [{"name": "更多", "sub_button": [_leaf(type="click", key="K")] * 6}]}, 40023),
        ({"button": [{"name": "更多", "sub_button": [_leaf(type="teleport")]}]}, 40024),
        ({"button": [{"name": "更多", "sub_button": [
            {"name": "好" * 21, "type": "click", "key": "K"}]}]}, 40025),
        ({"button": [{"name": "更多", "sub_button": [_leaf(type="click", key="")]}]}, 40026),
        ({"button": [{"name": "更多", "sub_button": [_leaf(type="view", url="")]}]}, 40027),
        ({"button": "not a list"}, 40016),
    ],
)  # fmt: skip
async def test_invalid_menus_are_refused(api, menu, errcode):
    token = (await stable_token(api))["access_token"]
    response = await api.post("/cgi-bin/menu/create", params={"access_token": token}, json=menu)
    assert await errcode_of(response) == errcode


# --- temporary media ----------------------------------------------------------------------------


async def test_media_upload_and_download(api, clock: FakeClock):
    token = (await stable_token(api))["access_token"]
    answer = (await upload(api, token, "voice", "reply.amr", b"#!AMR\n\x3c" + bytes(31))).json()
    assert answer["type"] == "voice"
    assert answer["created_at"] == int(clock.now)
    response = await api.get(
        "/cgi-bin/media/get", params={"access_token": token, "media_id": answer["media_id"]}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/amr"
    assert response.content == b"#!AMR\n\x3c" + bytes(31)


async def test_thumb_upload_answers_thumb_media_id(api):
    token = (await stable_token(api))["access_token"]
    answer = (await upload(api, token, "thumb", "cover.jpg", b"\xff\xd8\xff")).json()
    assert answer["type"] == "thumb"
    assert "thumb_media_id" in answer


async def test_seeded_voice_message_can_be_downloaded(api):
    token = (await stable_token(api))["access_token"]
    params = {"access_token": token, "media_id": SEEDED_VOICE_MEDIA_ID}
    response = await api.get("/cgi-bin/media/get", params=params)
    assert response.content == SEEDED_VOICE_AMR


async def test_user_media_can_be_seeded_for_the_simulator(api):
    token = (await stable_token(api))["access_token"]
    seeded = await api.post(
        "/sandbox/media", params={"type": "voice", "filename": "u.amr"}, content=b"#!AMR\nxyz"
    )
    params = {"access_token": token, "media_id": seeded.json()["media_id"]}
    assert (await api.get("/cgi-bin/media/get", params=params)).content == b"#!AMR\nxyz"


async def test_unknown_or_expired_media_is_40007_as_text_plain(api, clock: FakeClock):
    token = (await stable_token(api))["access_token"]
    media_id = (await upload(api, token, "image", "a.jpg", b"\xff\xd8")).json()["media_id"]
    clock.advance(3 * 24 * 3600 - 1)
    await stable_token(api)  # keep a valid token: the old one has expired
    token = (await stable_token(api))["access_token"]
    params = {"access_token": token, "media_id": media_id}
    assert (await api.get("/cgi-bin/media/get", params=params)).status_code == 200
    clock.advance(1)
    token = (await stable_token(api))["access_token"]
    for media in (media_id, "unknown"):
        params = {"access_token": token, "media_id": media}
        response = await api.get("/cgi-bin/media/get", params=params)
        assert response.headers["content-type"].startswith("text/plain")
        assert await errcode_of(response) == 40007


@pytest.mark.parametrize(
    ("kind", "filename", "size", "errcode"),
    [
        ("sticker", "a.png", 10, 40004),
        ("voice", "a.wav", 10, 40005),
        ("image", "a.exe", 10, 40005),
        ("voice", "a.amr", 2 * 1024 * 1024 + 1, 40010),
        ("thumb", "a.jpg", 64 * 1024 + 1, 40012),
    ],
)
async def test_media_upload_is_validated(api, kind, filename, size, errcode):
    token = (await stable_token(api))["access_token"]
    response = await upload(api, token, kind, filename, b"x" * size)
    assert await errcode_of(response) == errcode


async def test_upload_without_media_part(api):
    token = (await stable_token(api))["access_token"]
    response = await api.post(
        "/cgi-bin/media/upload",
        params={"access_token": token, "type": "voice"},
        files={"file": ("a.amr", b"#!AMR\n")},
    )
    assert await errcode_of(response) == 41005


# --- controls -----------------------------------------------------------------------------------


async def test_fail_next_answers_the_errcode_once(api):
    token = (await stable_token(api))["access_token"]
    await control(api, fail_next={"errcode": 40001, "count": 1})
    assert await send_text(api, token) == 40001
    assert await send_text(api, token) == 0
    assert (await api.get("/sandbox/control")).json()["fail_next"] is None


async def test_fail_next_leaves_token_fetches_alone_unless_named(api):
    await control(api, fail_next={"errcode": 40001})
    token = (await stable_token(api))["access_token"]
    assert await send_text(api, token) == 40001
    await control(api, fail_next={"errcode": -1, "path": "/cgi-bin/stable_token"})
    assert (await stable_token(api))["errcode"] == -1


async def test_fail_next_can_target_one_token_until_cleared(api):
    old = (await stable_token(api))["access_token"]
    new = (await stable_token(api, force=True))["access_token"]
    await control(api, fail_next={"errcode": 40001, "count": None, "access_token": old})
    assert [await send_text(api, old) for _ in range(3)] == [40001] * 3
    assert await send_text(api, new) == 0
    await control(api, fail_next=None)
    assert await send_text(api, old) == 0


async def test_fail_next_can_be_a_bare_http_error(api):
    token = (await stable_token(api))["access_token"]
    await control(api, fail_next={"http_status": 503, "count": 2})
    params = {"access_token": token}
    statuses = [(await api.get("/cgi-bin/menu/get", params=params)).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]


async def test_expire_access_tokens(api):
    token = (await stable_token(api))["access_token"]
    await control(api, expire_access_tokens=True)
    assert await send_text(api, token) == 40001
    assert await send_text(api, (await stable_token(api))["access_token"]) == 0


async def test_control_state_round_trips_and_refuses_unknown_fields(api):
    state = await control(
        api,
        out_of_window=["a"],
        over_quota=["b"],
        not_subscribed=["c"],
        unverified=True,
        latency_seconds=0.5,
    )
    assert state["out_of_window"] == ["a"]
    assert state["over_quota"] == ["b"]
    assert state["not_subscribed"] == ["c"]
    assert state["unverified"] is True
    assert state["latency_seconds"] == 0.5
    assert (await api.post("/sandbox/control", json={"out_of_windw": ["a"]})).status_code == 422


async def test_sent_can_be_filtered_and_cleared_and_stats_count_calls(api):
    token = (await stable_token(api))["access_token"]
    other = "oOTHER00000000000000000000001"
    await send_text(api, token, "一")
    await send_text(api, token, "二", touser=other)
    only_other = (await api.get("/sandbox/sent", params={"touser": other})).json()
    assert [m["payload"]["text"]["content"] for m in only_other] == ["二"]
    stats = (await api.get("/sandbox/stats")).json()
    assert stats["calls"]["/cgi-bin/message/custom/send"] == 2
    assert stats["sent"] == 2
    assert (await api.delete("/sandbox/sent")).json()["errcode"] == 0
    assert (await api.get("/sandbox/sent")).json() == []
    await send_text(api, token, "三")
    assert (await api.get("/sandbox/sent")).json()[0]["seq"] == 3  # ids are never reused


async def test_reset_forgets_everything(api):
    token = (await stable_token(api))["access_token"]
    await send_text(api, token)
    await control(api, unverified=True)
    assert (await api.post("/sandbox/reset")).json()["errcode"] == 0
    assert await send_text(api, token) == 40001
    assert (await api.get("/sandbox/sent")).json() == []
    assert (await api.get("/sandbox/control")).json()["unverified"] is False
    assert (await api.get("/sandbox/stats")).json()["fetches"]["stable_token"] == 0
