import pytest

from integrations.wechat.choices import chosen_payload, offered_choices
from integrations.wechat.rasa_client import BotMessage, RasaButton

CHOICES = [
    RasaButton(
        title="荔枝湾中心医院", payload='/list_departments{"institution": "荔枝湾中心医院"}'
    ),
    RasaButton(title="西关康宁医院", payload='/list_departments{"institution": "西关康宁医院"}'),
]


@pytest.mark.parametrize(
    ("text", "picked"),
    [
        ("1", 0),
        (" 2 ", 1),
        ("第2个", 1),
        ("第一个", 0),
        ("二", 1),
        ("选1", 0),
        ("2。", 1),
        ("西关康宁医院", 1),
        ("3", None),  # out of range: sent as typed
        ("0", None),
        ("12月3号", None),
        ("荔湾有哪些医院", None),
    ],
)
def test_chosen_payload(text, picked):
    expected = None if picked is None else CHOICES[picked].payload
    assert chosen_payload(text, CHOICES) == expected


def test_offered_choices_are_those_of_the_last_message_with_buttons():
    messages = [
        BotMessage(text="a", buttons=[RasaButton(title="x")]),
        BotMessage(text="b", buttons=CHOICES),
        BotMessage(text="c"),
    ]
    assert offered_choices(messages) == CHOICES
    assert offered_choices([BotMessage(text="no buttons")]) == []
