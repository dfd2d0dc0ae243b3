"""Client for the WeChat Official Account API (the account's outbound side).

`WeChatAPIClient` pushes customer-service, template and subscription messages, manages the menu
and media; `AccessTokenProvider` shares one access_token among all gateway processes; `errors`
maps WeChat's errcodes to exceptions.
https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Overview.html
"""

from integrations.wechat.api.client import MediaKind, WeChatAPIClient
from integrations.wechat.api.errors import (
    AccessTokenError,
    ApiLimitReached,
    ContentTooLong,
    InvalidAppCredentials,
    NotSubscribed,
    OutOfWindow,
    OverQuota,
    SystemBusy,
    Unauthorized,
    UnexpectedResponse,
    WeChatAPIError,
    WeChatError,
    WeChatUnavailable,
)
from integrations.wechat.api.protocol import RetryPolicy
from integrations.wechat.api.token import AccessTokenProvider

__all__ = [
    "AccessTokenError",
    "AccessTokenProvider",
    "ApiLimitReached",
    "ContentTooLong",
    "InvalidAppCredentials",
    "MediaKind",
    "NotSubscribed",
    "OutOfWindow",
    "OverQuota",
    "RetryPolicy",
    "SystemBusy",
    "Unauthorized",
    "UnexpectedResponse",
    "WeChatAPIClient",
    "WeChatAPIError",
    "WeChatError",
    "WeChatUnavailable",
]
