from integrations.wechat.render import MAX_REPLY_BYTES, trim_to_bytes


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
