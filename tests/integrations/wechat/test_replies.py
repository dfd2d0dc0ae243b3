from integrations.wechat.rasa_client import BotMessage, RasaButton
from integrations.wechat.render import MAX_REPLY_BYTES
from integrations.wechat.replies import ImagePart, Reply, TextPart, build_reply

MAP = "https://static.example.cn/maps/lizhiwan.png"


def test_passive_text_joins_messages_and_numbers_buttons():
    reply = build_reply(
        [
            BotMessage(
                text="您想查哪家？", buttons=[RasaButton(title="荔枝湾中心医院", payload="/x")]
            ),
            BotMessage(text="也可以直接说名字。"),
        ]
    )
    assert reply is not None
    assert reply.text == "您想查哪家？\n1. 荔枝湾中心医院\n\n也可以直接说名字。"


def test_pushed_parts_keep_choices_under_their_text_and_images_in_order():
    reply = build_reply(
        [
            BotMessage(text="院区地图如下："),
            BotMessage(image=MAP),
            BotMessage(text="从地铁站出来步行5分钟。"),
            BotMessage(text="您要去哪个科室？", buttons=[RasaButton(title="儿科")]),
            BotMessage(text="也可以直接说名字。"),
        ]
    )
    assert reply is not None
    assert reply.parts == (
        TextPart("院区地图如下："),
        ImagePart(MAP),
        TextPart("从地铁站出来步行5分钟。\n\n您要去哪个科室？", ("儿科",)),
        TextPart("也可以直接说名字。"),
    )
    assert reply.has_images and reply.single_image is None
    # A passive answer can carry only text: the image is a link there.
    assert MAP in reply.text and "1. 儿科" in reply.text


def test_a_reply_of_one_image_is_recognised():
    reply = build_reply([BotMessage(image=MAP)])
    assert reply is not None
    assert reply.single_image == MAP
    assert reply.text == MAP


def test_nothing_said_is_none():
    assert build_reply([]) is None
    assert build_reply([BotMessage()]) is None


def test_passive_text_stays_under_the_wechat_limit():
    reply = build_reply([BotMessage(text="荔枝湾中心医院心血管内科\n" * 300)])
    assert reply is not None
    assert len(reply.text.encode("utf-8")) <= MAX_REPLY_BYTES


def test_round_trips_through_the_store_format():
    reply = build_reply(
        [BotMessage(text="地图", buttons=[RasaButton(title="甲")]), BotMessage(image=MAP)]
    )
    assert reply is not None
    uploaded = reply.with_media_id("m1")
    assert Reply.loads(uploaded.dumps()) == uploaded
    assert Reply.loads(Reply.plain("你好").dumps()) == Reply.plain("你好")
