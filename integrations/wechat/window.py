"""The customer-service window: when the gateway may still push to a user (客服消息).

WeChat allows customer-service messages for 48 hours after the user last *sent a message*.
Following, scanning a QR code and clicking the menu open only a 1-minute window for 3 messages
(rules since June 2021), so events do not count here. One key per OpenID, kept 48 hours.
https://developers.weixin.qq.com/doc/offiaccount/Customer_Service/Customer_Service_Messages.html
"""

from __future__ import annotations

from integrations.wechat.state import Store

WINDOW_SECONDS = 48 * 3600.0
# A notice decided just inside the window is sent a moment later (queue, retries): leave room.
SAFETY_MARGIN_SECONDS = 15 * 60.0


def last_message_key(openid: str) -> str:
    return f"user:{openid}:last_message"


async def record_user_message(store: Store, openid: str, at: float) -> None:
    await store.set(last_message_key(openid), repr(at), ttl=WINDOW_SECONDS)


async def within_window(store: Store, openid: str, now: float) -> bool:
    """True when a customer-service message sent now should still reach the user."""
    raw = await store.get(last_message_key(openid))
    try:
        last = float(raw) if raw is not None else None
    except ValueError:
        return False
    return last is not None and now - last <= WINDOW_SECONDS - SAFETY_MARGIN_SECONDS
