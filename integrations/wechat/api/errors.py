"""Errors of the WeChat API client, so callers never see HTTP or raw errcodes.

WeChat answers HTTP 200 with `{"errcode": N, "errmsg": ...}` when a call fails; each errcode the
product reacts to has its own exception, every other one is a plain `WeChatAPIError`.
Return codes: https://developers.weixin.qq.com/doc/oplatform/en/Return_codes/Return_code_descriptions_new
"""

from __future__ import annotations


class WeChatError(Exception):
    """Anything that went wrong talking to the WeChat API."""


class WeChatAPIError(WeChatError):
    """WeChat answered with a non-zero errcode (the generic case for codes without a subclass)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat errcode {errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class AccessTokenError(WeChatAPIError):
    """40001 invalid or superseded, 40014 malformed, 42001 expired: refresh and retry once."""


class InvalidAppCredentials(WeChatAPIError):
    """40013 wrong AppID, 40125 wrong AppSecret: a configuration error, retrying cannot help."""


class OutOfWindow(WeChatAPIError):
    """45015: the user wrote more than 48 h ago; only template/subscribe messages reach them."""


class OverQuota(WeChatAPIError):
    """45047: too many customer-service messages to this user since their last message."""


class Unauthorized(WeChatAPIError):
    """48001: the account lacks this API (unverified accounts have no customer-service API)."""


class NotSubscribed(WeChatAPIError):
    """43101: the user has not subscribed to (or has refused) this notification."""


class ContentTooLong(WeChatAPIError):
    """45002: the message is over WeChat's size limit (2048 bytes of text); split it."""


class ApiLimitReached(WeChatAPIError):
    """45009: the account's daily quota for this API is used up (resets at midnight, UTC+8)."""


class SystemBusy(WeChatAPIError):
    """-1: WeChat asks to retry later."""


class WeChatUnavailable(WeChatError):
    """WeChat could not be reached or kept failing (timeouts, 5xx) after the allowed retries."""


class UnexpectedResponse(WeChatError):
    """The answer is not the WeChat protocol (unknown path, HTTP 4xx, not JSON, missing fields):
    a wrong base URL or a bug on our side, so it is never retried."""


ERRCODE_EXCEPTIONS: dict[int, type[WeChatAPIError]] = {
    -1: SystemBusy,
    40001: AccessTokenError,
    40014: AccessTokenError,
    42001: AccessTokenError,
    40013: InvalidAppCredentials,
    40125: InvalidAppCredentials,
    45015: OutOfWindow,
    45047: OverQuota,
    48001: Unauthorized,
    43101: NotSubscribed,
    45002: ContentTooLong,
    45009: ApiLimitReached,
}


def error_for(errcode: int, errmsg: str) -> WeChatAPIError:
    """The exception for one errcode answer."""
    return ERRCODE_EXCEPTIONS.get(errcode, WeChatAPIError)(errcode, errmsg)
