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


def test_split_keeps_order_and_limit():
    from integrations.wechat.render import split_message

    text = "\n".join(f"第{i}行：荔枝湾中心医院心血管内科" for i in range(400))
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= MAX_REPLY_BYTES for p in parts)
    assert "\n".join(parts) == text


def test_split_cuts_an_overlong_line_by_characters():
    from integrations.wechat.render import split_message

    parts = split_message("长" * 1000, limit=300)
    assert all(len(p.encode("utf-8")) <= 300 for p in parts)
    assert "".join(parts) == "长" * 1000


def test_split_short_text_is_one_part():
    from integrations.wechat.render import split_message

    assert split_message("你好") == ["你好"]


def test_numbered_choices_can_be_taken_off_again():
    from integrations.wechat.render import render_text, without_numbered_choices

    text = render_text(
        [BotMessage(text="您想查哪家？", buttons=[RasaButton(title="甲"), RasaButton(title="乙")])]
    )
    assert without_numbered_choices(text, ["甲", "乙"]) == "您想查哪家？"
    assert without_numbered_choices("别的内容", ["甲"]) == "别的内容"
