"""A local stand-in for the WeChat Official Account API (https://api.weixin.qq.com).

WeChat's API cannot run here, so the gateway, the simulator and the tests talk to this app instead.
It speaks the real protocol (JSON bodies, HTTP 200 with `{"errcode", "errmsg"}` for errors, the
same paths, parameters and error codes) and models the behaviour the product must survive:
access_token lifetimes and invalidation, the 48-hour customer-service window, per-user counts,
unverified accounts, subscriptions, temporary media, and injected failures. Everything it accepted
is recorded under `/sandbox/`, a prefix WeChat does not use, together with the control API.

Protocol pages modelled here:
- access_token: https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
- stable_token: https://developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken.html
- customer-service messages: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
- template messages: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
- subscription messages: https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html
- menus: https://developers.weixin.qq.com/doc/offiaccount/Custom_Menus/Creating_Custom-Defined_Menu.html
- temporary media: https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html
- return codes: https://developers.weixin.qq.com/doc/oplatform/en/Return_codes/Return_code_descriptions_new
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import itertools
import json
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Same development defaults as integrations.wechat.settings, so `make run` needs no configuration.
DEV_APP_ID = "wx0000000000000000"
DEV_APP_SECRET = "dev-secret"

TOKEN_LIFETIME = 7200
# getAccessToken: the previous token stays valid 5 minutes after a new one is issued.
# stable_token normal mode: a call in the last 5 minutes of a token's life gets the next token,
# and both stay valid until the old one expires.
ROLLOVER_SECONDS = 300
# stable_token force mode: "每天限用 20 次且需间隔 30 秒"; inside 30 s it does not refresh.
FORCE_REFRESH_INTERVAL = 30
MAX_MESSAGE_BYTES = 2048
TEMPORARY_MEDIA_LIFETIME = 3 * 24 * 3600
# WeChat's quotas reset at midnight Beijing time.
CHINA_TZ = timezone(timedelta(hours=8))

TokenEndpoint = Literal["token", "stable_token", "stable_token_force"]
# Documented daily caps: getAccessToken 2000, stable_token 500,000, force refresh 20.
DEFAULT_DAILY_LIMITS: dict[TokenEndpoint, int] = {
    "token": 2000,
    "stable_token": 500_000,
    "stable_token_force": 20,
}

MediaKind = Literal["image", "voice", "video", "thumb"]
# type -> (allowed extensions, size limit in bytes, errcode when too large)
MEDIA_RULES: dict[str, tuple[frozenset[str], int, int]] = {
    "image": (frozenset({"bmp", "png", "jpeg", "jpg", "gif"}), 10 * 1024 * 1024, 40009),
    "voice": (frozenset({"amr", "mp3"}), 2 * 1024 * 1024, 40010),
    "video": (frozenset({"mp4"}), 10 * 1024 * 1024, 40011),
    "thumb": (frozenset({"jpg", "jpeg"}), 64 * 1024, 40012),
}
CONTENT_TYPES = {
    "amr": "audio/amr",
    "mp3": "audio/mpeg",
    "speex": "audio/speex",
    "bmp": "image/bmp",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "mp4": "video/mp4",
}

# One second of AMR-NB "no data" frames: what a user's voice message looks like to media/get
# when the simulator has not supplied a recording.
SEEDED_VOICE_MEDIA_ID = "sandbox-voice-silence"
SEEDED_VOICE_AMR = b"#!AMR\n" + b"\x7c" * 50

# Menu rules from the menu/create page: names at most 16 bytes (60 in sub-menus), keys 128,
# URLs 1024; at most 3 buttons with at most 5 sub-buttons each.
KEY_BUTTON_TYPES = frozenset(
    {
        "click",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
        "location_select",
    }
)
URL_BUTTON_TYPES = frozenset({"view", "miniprogram"})

ERRMSGS = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40004: "invalid media type",
    40005: "invalid file type",
    40007: "invalid media_id",
    40008: "invalid message type",
    40009: "invalid image size",
    40010: "invalid voice size",
    40011: "invalid video size",
    40012: "invalid thumb size",
    40013: "invalid appid",
    40014: "invalid access_token",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41005: "media data missing",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    43101: "user refuse to accept the msg",
    44004: "empty content",
    45002: "content size out of limit",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    46003: "menu no exist",
    47001: "data format error",
    48001: "api unauthorized",
}

_TOKEN_CHARACTERS = re.compile(r"^[0-9A-Za-z_\-]{1,512}$")


class WeChatErrorAnswer(Exception):
    """Raised by handlers to answer the way WeChat does: HTTP 200 and an errcode."""

    def __init__(self, errcode: int, errmsg: str | None = None, *, http_status: int = 200) -> None:
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = errmsg or ERRMSGS.get(errcode, "error")
        self.http_status = http_status


@dataclass
class IssuedToken:
    value: str
    endpoint: Literal["token", "stable_token"]
    issued_at: float
    expires_at: float
    # Set when a newer token superseded this one: it stays usable until then.
    usable_until: float | None = None

    def error_at(self, now: float) -> int | None:
        if self.usable_until is not None and now >= self.usable_until:
            return 40001
        if now >= self.expires_at:
            return 42001
        return None

    def supersede(self, now: float, grace: float) -> None:
        until = min(self.expires_at, now + grace)
        self.usable_until = until if self.usable_until is None else min(self.usable_until, until)


@dataclass
class Media:
    media_id: str
    kind: str
    filename: str
    data: bytes
    created_at: float
    expires_at: float | None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(_extension(self.filename), "application/octet-stream")


@dataclass
class Failure:
    """An injected failure: answers `errcode` (or a bare HTTP error) to the next matching calls."""

    errcode: int
    errmsg: str | None
    remaining: int | None  # None: until cleared
    path: str | None
    access_token: str | None
    http_status: int

    def matches(self, path: str, access_token: str | None) -> bool:
        if self.path is not None and self.path != path:
            return False
        if self.access_token is not None and self.access_token != access_token:
            return False
        # Token fetches fail only when a rule names them: a "40001 once" rule is meant for the
        # API call that carries a token, not for the refresh it provokes.
        return self.path is not None or path not in TOKEN_PATHS


TOKEN_PATHS = frozenset({"/cgi-bin/token", "/cgi-bin/stable_token"})


class FailureSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    errcode: int = -1
    errmsg: str | None = None
    count: int | None = Field(default=1, ge=1, description="null: every matching call")
    path: str | None = Field(default=None, description="only calls to this path")
    access_token: str | None = Field(default=None, description="only calls carrying this token")
    http_status: int = Field(default=200, ge=200, le=599, description="5xx: a bare HTTP error")


class ControlUpdate(BaseModel):
    """`POST /sandbox/control`: every field is optional; those given replace the current value."""

    model_config = ConfigDict(extra="forbid")

    out_of_window: list[str] | None = None
    over_quota: list[str] | None = None
    not_subscribed: list[str] | None = None
    unverified: bool | None = None
    latency_seconds: float | None = Field(default=None, ge=0, le=60)
    fail_next: FailureSpec | None = None
    daily_limits: dict[TokenEndpoint, int] | None = None
    force_refresh_grace_seconds: float | None = Field(default=None, ge=0)
    expire_access_tokens: bool = False


@dataclass
class SentMessage:
    seq: int
    endpoint: str
    touser: str
    msgtype: str
    payload: dict[str, Any]
    time: float

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "endpoint": self.endpoint,
            "touser": self.touser,
            "msgtype": self.msgtype,
            "payload": self.payload,
            "time": self.time,
        }


@dataclass
class WeChatSandbox:
    """The state of one simulated Official Account; `app.state.wechat` in the app."""

    app_id: str
    app_secret: str
    clock: Callable[[], float]
    out_of_window: set[str] = field(default_factory=set)
    over_quota: set[str] = field(default_factory=set)
    not_subscribed: set[str] = field(default_factory=set)
    unverified: bool = False
    latency_seconds: float = 0.0
    failure: Failure | None = None
    daily_limits: dict[TokenEndpoint, int] = field(
        default_factory=lambda: dict(DEFAULT_DAILY_LIMITS)
    )
    # The official page says a forced refresh invalidates the previous token, without a grace
    # period; frontdoor's brief assumes 5 minutes. Clients must cope with either.
    force_refresh_grace_seconds: float = ROLLOVER_SECONDS
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    current_token: str | None = None
    current_stable_token: str | None = None
    last_force_refresh: float | None = None
    fetches: Counter[tuple[TokenEndpoint, date | None]] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    sent: list[SentMessage] = field(default_factory=list)
    menu: dict[str, Any] | None = None
    media: dict[str, Media] = field(default_factory=dict)
    _token_seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.media[SEEDED_VOICE_MEDIA_ID] = Media(
            SEEDED_VOICE_MEDIA_ID, "voice", "silence.amr", SEEDED_VOICE_AMR, self.clock(), None
        )

    # --- credentials ------------------------------------------------------------------------

    def check_app(self, appid: str | None, secret: str | None) -> None:
        if not appid:
            raise WeChatErrorAnswer(41002)
        if appid != self.app_id:
            raise WeChatErrorAnswer(40013)
        if secret is None:
            raise WeChatErrorAnswer(41004)
        # An unconfigured development setup sends an empty secret; treat it as the dev secret.
        if (secret or DEV_APP_SECRET) != self.app_secret:
            raise WeChatErrorAnswer(40125)

    def _count_fetch(self, endpoint: TokenEndpoint) -> None:
        today = datetime.fromtimestamp(self.clock(), CHINA_TZ).date()
        if self.fetches[(endpoint, today)] >= self.daily_limits[endpoint]:
            raise WeChatErrorAnswer(45009)
        self.fetches[(endpoint, today)] += 1
        self.fetches[(endpoint, None)] += 1

    def _issue(self, endpoint: Literal["token", "stable_token"]) -> IssuedToken:
        now = self.clock()
        value = f"{next(self._token_seq)}_{secrets.token_urlsafe(96)}"
        token = IssuedToken(value, endpoint, now, now + TOKEN_LIFETIME)
        self.tokens[value] = token
        return token

    def fetch_token(self) -> IssuedToken:
        """getAccessToken: always a new token; the previous one lives 5 more minutes."""
        self._count_fetch("token")
        previous = self.tokens.get(self.current_token or "")
        if previous is not None:
            previous.supersede(self.clock(), ROLLOVER_SECONDS)
        token = self._issue("token")
        self.current_token = token.value
        return token

    def fetch_stable_token(self, *, force_refresh: bool) -> IssuedToken:
        """getStableAccessToken: the same token while valid; isolated from getAccessToken."""
        self._count_fetch("stable_token")
        now = self.clock()
        current = self.tokens.get(self.current_stable_token or "")
        usable = current is not None and current.error_at(now) is None
        if force_refresh:
            self._count_fetch("stable_token_force")
            too_soon = (
                self.last_force_refresh is not None
                and now - self.last_force_refresh < FORCE_REFRESH_INTERVAL
            )
            if current is not None and usable and too_soon:
                return current
            self.last_force_refresh = now
            if current is not None:
                current.supersede(now, self.force_refresh_grace_seconds)
        elif current is not None and usable and current.expires_at - now > ROLLOVER_SECONDS:
            return current
        token = self._issue("stable_token")
        self.current_stable_token = token.value
        return token

    def check_access_token(self, value: str | None) -> None:
        if not value:
            raise WeChatErrorAnswer(41001)
        if not _TOKEN_CHARACTERS.match(value):
            raise WeChatErrorAnswer(40014)
        token = self.tokens.get(value)
        if token is None:
            raise WeChatErrorAnswer(40001)
        errcode = token.error_at(self.clock())
        if errcode is not None:
            raise WeChatErrorAnswer(errcode)

    def reset(self) -> None:
        """Back to a fresh account: no tokens, messages, menu, controls or counts."""
        self.__init__(self.app_id, self.app_secret, self.clock)  # type: ignore[misc]

    def expire_all_tokens(self) -> None:
        now = self.clock()
        for token in self.tokens.values():
            token.supersede(now, 0)

    # --- control ------------------------------------------------------------------------------

    def apply(self, update: ControlUpdate) -> None:
        given = update.model_fields_set
        if update.out_of_window is not None:
            self.out_of_window = set(update.out_of_window)
        if update.over_quota is not None:
            self.over_quota = set(update.over_quota)
        if update.not_subscribed is not None:
            self.not_subscribed = set(update.not_subscribed)
        if update.unverified is not None:
            self.unverified = update.unverified
        if update.latency_seconds is not None:
            self.latency_seconds = update.latency_seconds
        if "fail_next" in given:  # an explicit null clears the rule
            spec = update.fail_next
            self.failure = (
                None
                if spec is None
                else Failure(
                    spec.errcode,
                    spec.errmsg,
                    spec.count,
                    spec.path,
                    spec.access_token,
                    spec.http_status,
                )
            )
        if update.daily_limits is not None:
            self.daily_limits.update(update.daily_limits)
        if update.force_refresh_grace_seconds is not None:
            self.force_refresh_grace_seconds = update.force_refresh_grace_seconds
        if update.expire_access_tokens:
            self.expire_all_tokens()

    def control_state(self) -> dict[str, Any]:
        failure = self.failure
        return {
            "out_of_window": sorted(self.out_of_window),
            "over_quota": sorted(self.over_quota),
            "not_subscribed": sorted(self.not_subscribed),
            "unverified": self.unverified,
            "latency_seconds": self.latency_seconds,
            "fail_next": None
            if failure is None
            else {
                "errcode": failure.errcode,
                "errmsg": failure.errmsg,
                "count": failure.remaining,
                "path": failure.path,
                "access_token": failure.access_token,
                "http_status": failure.http_status,
            },
            "daily_limits": dict(self.daily_limits),
            "force_refresh_grace_seconds": self.force_refresh_grace_seconds,
        }

    def stats(self) -> dict[str, Any]:
        today = datetime.fromtimestamp(self.clock(), CHINA_TZ).date()
        endpoints: tuple[TokenEndpoint, ...] = ("token", "stable_token", "stable_token_force")
        return {
            "fetches": {name: self.fetches[(name, None)] for name in endpoints},
            "fetches_today": {name: self.fetches[(name, today)] for name in endpoints},
            "calls": dict(self.calls),
            "sent": len(self.sent),
        }

    def take_failure(self, path: str, access_token: str | None) -> Failure | None:
        failure = self.failure
        if failure is None or not failure.matches(path, access_token):
            return None
        if failure.remaining is not None:
            failure.remaining -= 1
            if failure.remaining <= 0:
                self.failure = None
        return failure

    # --- outbound messages and media ----------------------------------------------------------

    def record(self, endpoint: str, touser: str, msgtype: str, payload: dict[str, Any]) -> int:
        seq = next(self._message_seq)
        self.sent.append(SentMessage(seq, endpoint, touser, msgtype, payload, self.clock()))
        return seq

    def store_media(self, kind: str, filename: str, data: bytes, *, expires: bool = True) -> Media:
        now = self.clock()
        media = Media(
            media_id=secrets.token_urlsafe(48),
            kind=kind,
            filename=filename,
            data=data,
            created_at=now,
            expires_at=now + TEMPORARY_MEDIA_LIFETIME if expires else None,
        )
        self.media[media.media_id] = media
        return media

    def find_media(self, media_id: str | None) -> Media:
        media = self.media.get(media_id or "")
        if media is None or (media.expires_at is not None and self.clock() >= media.expires_at):
            raise WeChatErrorAnswer(40007)
        return media


def _extension(filename: str) -> str:
    return PurePosixPath(filename).suffix.lower().lstrip(".")


def _utf8_len(value: str) -> int:
    return len(value.encode("utf-8"))


def _error_body(errcode: int, errmsg: str) -> dict[str, Any]:
    # Real answers end every errmsg with a request id; clients must not parse errmsg.
    return {"errcode": errcode, "errmsg": f"{errmsg} rid: {secrets.token_hex(4)}"}


OK = {"errcode": 0, "errmsg": "ok"}


async def _json_body(request: Request) -> dict[str, Any]:
    """WeChat reads the body as JSON whatever the Content-Type says."""
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        raise WeChatErrorAnswer(47001) from exc
    if not isinstance(body, dict):
        raise WeChatErrorAnswer(47001)
    return body


def _string(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


def _multipart_file(content_type: str, body: bytes, field_name: str) -> tuple[str, bytes] | None:
    """The (filename, bytes) of one multipart form field.

    Parsed with the standard library's MIME parser so the stand-in needs no python-multipart.
    """
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") != field_name:
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        return part.get_filename() or "", data
    return None


def _validate_menu(body: dict[str, Any]) -> None:
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise WeChatErrorAnswer(40016)
    for button in buttons:
        if not isinstance(button, dict):
            raise WeChatErrorAnswer(47001)
        name = button.get("name")
        if not isinstance(name, str) or not 1 <= _utf8_len(name) <= 16:
            raise WeChatErrorAnswer(40018)
        subs = button.get("sub_button")
        if subs:
            if not isinstance(subs, list) or len(subs) > 5:
                raise WeChatErrorAnswer(40023)
            for sub in subs:
                if not isinstance(sub, dict):
                    raise WeChatErrorAnswer(47001)
                sub_name = sub.get("name")
                if not isinstance(sub_name, str) or not 1 <= _utf8_len(sub_name) <= 60:
                    raise WeChatErrorAnswer(40025)
                _validate_leaf(sub, type_error=40024, key_error=40026, url_error=40027)
        else:
            _validate_leaf(button, type_error=40017, key_error=40019, url_error=40020)


def _validate_leaf(
    button: dict[str, Any], *, type_error: int, key_error: int, url_error: int
) -> None:
    kind = button.get("type")
    if kind in KEY_BUTTON_TYPES:
        key = button.get("key")
        if not isinstance(key, str) or not 1 <= _utf8_len(key) <= 128:
            raise WeChatErrorAnswer(key_error)
    elif kind in URL_BUTTON_TYPES:
        url = button.get("url")
        if not isinstance(url, str) or not 1 <= _utf8_len(url) <= 1024:
            raise WeChatErrorAnswer(url_error)
        if kind == "miniprogram" and not (button.get("appid") and button.get("pagepath")):
            raise WeChatErrorAnswer(47001)
    else:
        raise WeChatErrorAnswer(type_error)


def _validate_template_data(data: Any) -> None:
    if not isinstance(data, dict) or not all(
        isinstance(item, dict) and isinstance(item.get("value"), str) for item in data.values()
    ):
        raise WeChatErrorAnswer(47001)


def _custom_message_content(state: WeChatSandbox, body: dict[str, Any], msgtype: str) -> None:
    """Checks one customer-service message body the way custom/send does."""
    part = body.get(msgtype)
    if not isinstance(part, dict):
        raise WeChatErrorAnswer(47001)
    if msgtype == "text":
        content = part.get("content")
        if not isinstance(content, str) or not content:
            raise WeChatErrorAnswer(44004)
        if _utf8_len(content) > MAX_MESSAGE_BYTES:
            raise WeChatErrorAnswer(45002)
    elif msgtype == "msgmenu":
        options = part.get("list")
        if not isinstance(options, list) or not options:
            raise WeChatErrorAnswer(47001)
        texts = [_string(part, "head_content"), _string(part, "tail_content")]
        for option in options:
            if not (
                isinstance(option, dict)
                and isinstance(option.get("id"), str)
                and isinstance(option.get("content"), str)
                and option["content"]
            ):
                raise WeChatErrorAnswer(47001)
            texts.append(option["content"])
        if sum(_utf8_len(text) for text in texts) > MAX_MESSAGE_BYTES:
            raise WeChatErrorAnswer(45002)
    else:  # image, voice
        media = state.find_media(_string(part, "media_id"))
        if media.kind != msgtype:
            raise WeChatErrorAnswer(40007)


CUSTOM_MESSAGE_TYPES = frozenset({"text", "msgmenu", "image", "voice"})


def _valid_access_token(
    request: Request, access_token: Annotated[str | None, Query()] = None
) -> str:
    state: WeChatSandbox = request.app.state.wechat
    state.check_access_token(access_token)
    return access_token or ""


# Declared at module level: FastAPI resolves these string annotations in the module's namespace.
ValidToken = Annotated[str, Depends(_valid_access_token)]


class StandInSettings(BaseSettings):
    """`python -m sandbox.wechat` configuration, from the same variables as the gateway."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    wechat_app_id: str = DEV_APP_ID
    wechat_app_secret: str = ""
    wechat_api_port: int = 8082


def create_app(
    app_id: str = DEV_APP_ID,
    app_secret: str = "",
    *,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """The stand-in for one Official Account; `clock` lets tests move time (token lifetimes)."""
    state = WeChatSandbox(app_id=app_id, app_secret=app_secret or DEV_APP_SECRET, clock=clock)
    app = FastAPI(title="WeChat API stand-in", docs_url="/sandbox/docs", openapi_url=None)
    app.state.wechat = state

    @app.exception_handler(WeChatErrorAnswer)
    async def wechat_error(request: Request, exc: WeChatErrorAnswer) -> Response:
        if exc.http_status >= 500:
            return PlainTextResponse("Internal Server Error", status_code=exc.http_status)
        body = _error_body(exc.errcode, exc.errmsg)
        if request.url.path == "/cgi-bin/media/get":
            # media/get answers errors as JSON labelled text/plain; clients detect them that way.
            return PlainTextResponse(json.dumps(body), status_code=exc.http_status)
        return JSONResponse(body, status_code=exc.http_status)

    async def intercept(request: Request) -> None:
        """Runs before every /cgi-bin handler: counts, delays, and injects failures."""
        path = request.url.path
        state.calls[path] += 1
        if state.latency_seconds:
            await asyncio.sleep(state.latency_seconds)
        failure = state.take_failure(path, request.query_params.get("access_token"))
        if failure is not None:
            raise WeChatErrorAnswer(
                failure.errcode, failure.errmsg, http_status=failure.http_status
            )

    cgi = APIRouter(prefix="/cgi-bin", dependencies=[Depends(intercept)])

    @cgi.get("/token")
    def get_token(
        grant_type: str | None = None, appid: str | None = None, secret: str | None = None
    ) -> dict[str, Any]:
        if grant_type != "client_credential":
            raise WeChatErrorAnswer(40002)
        state.check_app(appid, secret)
        token = state.fetch_token()
        return {"access_token": token.value, "expires_in": TOKEN_LIFETIME}

    @cgi.post("/stable_token")
    async def stable_token(request: Request) -> dict[str, Any]:
        body = await _json_body(request)
        if body.get("grant_type") != "client_credential":
            raise WeChatErrorAnswer(40002)
        secret = body.get("secret")
        state.check_app(_string(body, "appid"), secret if isinstance(secret, str) else None)
        force = body.get("force_refresh", False)
        if not isinstance(force, bool):
            raise WeChatErrorAnswer(47001)
        token = state.fetch_stable_token(force_refresh=force)
        return {"access_token": token.value, "expires_in": int(token.expires_at - clock())}

    @cgi.post("/message/custom/send")
    async def custom_send(request: Request, _: ValidToken) -> dict[str, Any]:
        body = await _json_body(request)
        if state.unverified:
            raise WeChatErrorAnswer(48001)
        touser = _string(body, "touser")
        if not touser:
            raise WeChatErrorAnswer(40003)
        msgtype = _string(body, "msgtype")
        if msgtype not in CUSTOM_MESSAGE_TYPES:
            raise WeChatErrorAnswer(40008)
        _custom_message_content(state, body, msgtype)
        if touser in state.out_of_window:
            raise WeChatErrorAnswer(45015)
        if touser in state.over_quota:
            raise WeChatErrorAnswer(45047)
        state.record("/cgi-bin/message/custom/send", touser, msgtype, body)
        return OK

    async def notification(request: Request, endpoint: str, msgtype: str) -> int:
        body = await _json_body(request)
        if state.unverified:
            raise WeChatErrorAnswer(48001)
        touser = _string(body, "touser")
        if not touser:
            raise WeChatErrorAnswer(40003)
        if not _string(body, "template_id"):
            raise WeChatErrorAnswer(40037)
        _validate_template_data(body.get("data"))
        if touser in state.not_subscribed:
            raise WeChatErrorAnswer(43101)
        return state.record(endpoint, touser, msgtype, body)

    @cgi.post("/message/template/send")
    async def template_send(request: Request, _: ValidToken) -> dict[str, Any]:
        msgid = await notification(request, "/cgi-bin/message/template/send", "template")
        return {**OK, "msgid": msgid}

    @cgi.post("/message/subscribe/bizsend")
    async def subscribe_send(request: Request, _: ValidToken) -> dict[str, Any]:
        await notification(request, "/cgi-bin/message/subscribe/bizsend", "subscribe")
        return OK

    @cgi.post("/menu/create")
    async def menu_create(request: Request, _: ValidToken) -> dict[str, Any]:
        body = await _json_body(request)
        _validate_menu(body)
        state.menu = {"button": body["button"]}
        return OK

    @cgi.get("/menu/get")
    def menu_get(_: ValidToken) -> dict[str, Any]:
        if state.menu is None:
            raise WeChatErrorAnswer(46003)
        return {"menu": state.menu}

    @cgi.get("/menu/delete")
    def menu_delete(_: ValidToken) -> dict[str, Any]:
        state.menu = None
        return OK

    @cgi.post("/media/upload")
    async def media_upload(
        request: Request, _: ValidToken, type: str | None = None
    ) -> dict[str, Any]:
        if type not in MEDIA_RULES:
            raise WeChatErrorAnswer(40004)
        upload = _multipart_file(
            request.headers.get("content-type", ""), await request.body(), "media"
        )
        if upload is None or not upload[1]:
            raise WeChatErrorAnswer(41005)
        filename, data = upload
        extensions, max_size, size_error = MEDIA_RULES[type]
        if _extension(filename) not in extensions:
            raise WeChatErrorAnswer(40005)
        if len(data) > max_size:
            raise WeChatErrorAnswer(size_error)
        media = state.store_media(type, filename, data)
        id_field = "thumb_media_id" if type == "thumb" else "media_id"
        return {"type": type, id_field: media.media_id, "created_at": int(media.created_at)}

    @cgi.get("/media/get")
    def media_get(request: Request, _: ValidToken, media_id: str | None = None) -> Response:
        media = state.find_media(media_id)
        if media.kind == "video":
            return JSONResponse(
                {"video_url": str(request.url_for("sandbox_media", media_id=media_id))}
            )
        return _media_response(media)

    # WeChat answers a wrong HTTP method with an errcode, not 405.
    for route_path, method in (
        ("/token", "GET"),
        ("/stable_token", "POST"),
        ("/message/custom/send", "POST"),
        ("/message/template/send", "POST"),
        ("/message/subscribe/bizsend", "POST"),
        ("/menu/create", "POST"),
        ("/menu/get", "GET"),
        ("/menu/delete", "GET"),
        ("/media/upload", "POST"),
        ("/media/get", "GET"),
    ):
        wrong, errcode = ("POST", 43001) if method == "GET" else ("GET", 43002)
        cgi.add_api_route(
            route_path, _wrong_method(errcode), methods=[wrong], include_in_schema=False
        )

    app.include_router(cgi)
    app.include_router(_control_router(state))
    return app


def _wrong_method(errcode: int) -> Callable[[], dict[str, Any]]:
    def answer() -> dict[str, Any]:
        raise WeChatErrorAnswer(errcode)

    return answer


def _media_response(media: Media) -> Response:
    return Response(
        media.data,
        media_type=media.content_type,
        headers={"Content-Disposition": f'attachment; filename="{media.filename}"'},
    )


def _control_router(state: WeChatSandbox) -> APIRouter:
    """What tests and the simulator use to look inside and steer the stand-in."""
    router = APIRouter(prefix="/sandbox")

    @router.get("/sent")
    def list_sent(touser: str | None = None) -> list[dict[str, Any]]:
        return [m.as_json() for m in state.sent if touser is None or m.touser == touser]

    @router.delete("/sent")
    def clear_sent() -> dict[str, Any]:
        state.sent.clear()
        return OK

    @router.get("/control")
    def get_control() -> dict[str, Any]:
        return state.control_state()

    @router.post("/control")
    def set_control(update: ControlUpdate) -> dict[str, Any]:
        state.apply(update)
        return state.control_state()

    @router.post("/reset")
    def reset() -> dict[str, Any]:
        state.reset()
        return OK

    @router.get("/stats")
    def get_stats() -> dict[str, Any]:
        return state.stats()

    @router.post("/media")
    async def seed_media(
        request: Request, type: Literal["image", "voice", "video"], filename: str
    ) -> dict[str, Any]:
        """Media a user sent (a voice message): WeChat holds them, the account downloads them."""
        media = state.store_media(type, filename, await request.body())
        return {"type": type, "media_id": media.media_id, "created_at": int(media.created_at)}

    @router.get("/media/{media_id}", name="sandbox_media")
    def sandbox_media(media_id: str) -> Response:
        return _media_response(state.find_media(media_id))

    return router
