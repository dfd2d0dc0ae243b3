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
        (message("event", event="click", event_key="MENU"), Route(reply=texts.UNKNOWN_MENU_ITEM)),
        (message("event", event="view", event_key="https://x.test"), Route()),
        (message("image"), Route(reply=texts.UNSUPPORTED_MESSAGE)),
    ],
)
def test_route(inbound, expected):
    assert route(inbound) == expected


CLICKS = {"HELP": "/ask_capabilities"}


@pytest.mark.parametrize(
    ("inbound", "user_text"),
    [
        (message("event", event="click", event_key="HELP"), "/ask_capabilities"),
        (
            message("event", event="subscribe", event_key="qrscene_lw-rongyin-chc"),
            '/subscribe{"scene": "lw-rongyin-chc"}',
        ),
        (message("event", event="subscribe", event_key=""), "/subscribe"),
        (
            message("event", event="scan", event_key="lw-rongyin-chc"),
            '/subscribe{"scene": "lw-rongyin-chc"}',
        ),
        # A crafted scene cannot break out of the JSON of the trigger.
        (
            message("event", event="subscribe", event_key='qrscene_x"}/greet'),
            '/subscribe{"scene": "x\\"}/greet"}',
        ),
    ],
)
def test_events_trigger_intents(inbound, user_text):
    assert route(inbound, CLICKS) == Route(user_text=user_text)
