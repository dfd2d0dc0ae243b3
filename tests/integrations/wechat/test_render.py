from integrations.wechat.rasa_client import BotMessage, RasaButton
from integrations.wechat.render import MAX_REPLY_BYTES, render_text, trim_to_bytes


def test_joins_messages_and_numbers_buttons():
    text = render_text(
        [
            BotMessage(
                text="您想查哪家？", buttons=[RasaButton(title="荔枝湾中心医院", payload="/x")]
            ),
            BotMessage(text="也可以直接说名字。"),
        ]
    )
    assert text == "您想查哪家？\n1. 荔枝湾中心医院\n\n也可以直接说名字。"


def test_long_replies_stay_under_wechat_limit_and_cut_at_a_line():
    long_text = "\n".join(f"{i}. 荔枝湾中心医院心血管内科" for i in range(300))
    trimmed = trim_to_bytes(long_text, MAX_REPLY_BYTES)
    assert len(trimmed.encode("utf-8")) <= MAX_REPLY_BYTES
    body, _, notice = trimmed.rpartition("\n……")
    assert notice.startswith("（内容较长")
    assert body.splitlines()[-1].endswith("心血管内科")  # no half line


def test_short_text_is_untouched():
    assert trim_to_bytes("你好", 10) == "你好"
