import pytest

from integrations.wechat import texts
from integrations.wechat.dialogue import SUBSCRIBE_TRIGGER, Route, route
from integrations.wechat.messages import InboundMessage


def message(msg_type: str, **fields: str) -> InboundMessage:
    return InboundMessage(to_user="gh", from_user="oU", create_time=1, msg_type=msg_type, **fields)


@pytest.mark.parametrize(
    ("inbound", "expected"),
    [
        (message("text", content=" 你好 "), Route(user_text="你好")),
        (message("text", content="/greet"), Route(user_text="greet")),
        (message("text", content="//"), Route(reply=texts.EMPTY_MESSAGE)),
        (message("text", content="   "), Route(reply=texts.EMPTY_MESSAGE)),
        (message("voice", recognition="荔湾有哪些医院。"), Route(user_text="荔湾有哪些医院。")),
        (message("voice", recognition=""), Route(reply=texts.VOICE_NOT_RECOGNISED)),
        (message("event", event="subscribe"), Route(user_text=SUBSCRIBE_TRIGGER)),
        (message("event", event="unsubscribe"), Route()),
        (message("event", event="click", event_key="MENU"), Route()),
        (message("image"), Route(reply=texts.UNSUPPORTED_MESSAGE)),
    ],
)
def test_route(inbound, expected):
    assert route(inbound) == expected
