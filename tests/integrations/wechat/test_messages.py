import json

import pytest
from defusedxml.ElementTree import fromstring

from integrations.wechat.messages import MalformedMessage, parse_message, render_text_reply

TEXT = (
    "<xml><ToUserName><![CDATA[gh_account]]></ToUserName>"
    "<FromUserName><![CDATA[oUser123456789]]></FromUserName>"
    "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[荔湾有哪些医院]]></Content><MsgId>24000000000000001</MsgId></xml>"
).encode()


def test_parses_text_message():
    message = parse_message(TEXT)
    assert message.to_user == "gh_account"
    assert message.from_user == "oUser123456789"
    assert message.create_time == 1700000000
    assert message.msg_type == "text"
    assert message.content == "荔湾有哪些医院"
    assert message.msg_id == "24000000000000001"


def test_parses_subscribe_event():
    body = (
        b"<xml><ToUserName>gh</ToUserName><FromUserName>oU</FromUserName>"
        b"<CreateTime>1</CreateTime><MsgType>event</MsgType><Event>subscribe</Event>"
        b"<EventKey>qrscene_42</EventKey></xml>"
    )
    message = parse_message(body)
    assert (message.msg_type, message.event, message.event_key) == (
        "event",
        "subscribe",
        "qrscene_42",
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "unreadable XML"),
        (b"not xml at all", "unreadable XML"),
        (b"<xml><ToUserName>a</ToUserName>", "unreadable XML"),
        (b"\xff\xfe<xml/>", "UTF-8"),
        (b"<html></html>", "root element"),
        (b"<xml><ToUserName>a</ToUserName></xml>", "missing fields"),
        (
            b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName>"
            b"<CreateTime>soon</CreateTime><MsgType>text</MsgType></xml>",
            "CreateTime",
        ),
        # Billion laughs: entity expansion must be refused, not evaluated.
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>',
            "unreadable XML",
        ),
        # External entity: must never read a local file.
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<xml><Content>&e;</Content></xml>",
            "unreadable XML",
        ),
    ],
)
def test_rejects_malformed_bodies_with_a_reason(body, reason):
    with pytest.raises(MalformedMessage, match=reason):
        parse_message(body)


def test_reply_swaps_users_and_escapes_cdata_end():
    message = parse_message(TEXT)
    xml = render_text_reply(message, "a]]>b <c>", now=1700000001)
    root = fromstring(xml)
    assert root.findtext("ToUserName") == "oUser123456789"
    assert root.findtext("FromUserName") == "gh_account"
    assert root.findtext("CreateTime") == "1700000001"
    assert root.findtext("MsgType") == "text"
    assert root.findtext("Content") == "a]]>b <c>"


def test_parses_json_push_and_replies_in_json():

    body = json.dumps(
        {
            "ToUserName": "gh_account",
            "FromUserName": "oUser123456789",
            "CreateTime": 1700000000,
            "MsgType": "text",
            "Content": "荔湾有哪些医院",
            "MsgId": 24000000000000001,
        },
        ensure_ascii=False,
    ).encode()
    message = parse_message(body)
    assert message.wire_format == "json"
    assert (message.content, message.msg_id, message.create_time) == (
        "荔湾有哪些医院",
        "24000000000000001",
        1700000000,
    )
    reply = json.loads(render_text_reply(message, "您好", now=1700000001))
    assert reply == {
        "ToUserName": "oUser123456789",
        "FromUserName": "gh_account",
        "CreateTime": 1700000001,
        "MsgType": "text",
        "Content": "您好",
    }


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "unreadable JSON"),
        (b'{"ToUserName": "a"}', "missing fields"),
        (
            b'{"ToUserName": {"nested": 1}, "FromUserName": "b", '
            b'"CreateTime": 1, "MsgType": "text"}',
            "missing fields",
        ),
    ],
)
def test_rejects_malformed_json(body, reason):
    with pytest.raises(MalformedMessage, match=reason):
        parse_message(body)


def test_image_reply_in_both_formats():
    from integrations.wechat.messages import render_image_reply

    xml_message = parse_message(
        b"<xml><ToUserName>gh_a</ToUserName><FromUserName>oU</FromUserName>"
        b"<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x</Content>"
        b"<MsgId>1</MsgId></xml>"
    )
    assert render_image_reply(xml_message, "MEDIA_1", now=5) == (
        "<xml><ToUserName><![CDATA[oU]]></ToUserName><FromUserName><![CDATA[gh_a]]>"
        "</FromUserName><CreateTime>5</CreateTime><MsgType><![CDATA[image]]></MsgType>"
        "<Image><MediaId><![CDATA[MEDIA_1]]></MediaId></Image></xml>"
    )
    json_message = parse_message(
        json.dumps(
            {
                "ToUserName": "gh_a",
                "FromUserName": "oU",
                "CreateTime": 1,
                "MsgType": "text",
                "Content": "x",
                "MsgId": "1",
            }
        ).encode()
    )
    assert json.loads(render_image_reply(json_message, "MEDIA_1", now=5)) == {
        "ToUserName": "oU",
        "FromUserName": "gh_a",
        "CreateTime": 5,
        "MsgType": "image",
        "Image": {"MediaId": "MEDIA_1"},
    }
