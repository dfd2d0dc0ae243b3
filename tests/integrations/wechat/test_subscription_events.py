"""Subscribe-message events (订阅通知): parsing of their repeated `List` entries (XML and JSON,
in the shapes WeChat documents and the ones it actually sends), and what the gateway records:
accept/reject per template, delivery errors, and malformed events that never become a 500."""

from __future__ import annotations

import json
import logging

import pytest
from report_world import ALICE, TEMPLATE, event_xml, open_gateway, open_world

from integrations.wechat.messages import MAX_LIST_ITEMS, MalformedMessage, parse_message

OTHER = "9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI"

# The documented popup event: one answer per template the prompt asked for.
POPUP = f"""<SubscribeMsgPopupEvent>
    <List>
        <TemplateId><![CDATA[{TEMPLATE}]]></TemplateId>
        <SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString>
        <PopupScene>2</PopupScene>
    </List>
    <List>
        <TemplateId><![CDATA[{OTHER}]]></TemplateId>
        <SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>
        <PopupScene>2</PopupScene>
    </List>
</SubscribeMsgPopupEvent>"""
# WeChat's page shows the change event inside a <SubscribeMsgPopupEvent> wrapper too.
CHANGE_AS_DOCUMENTED = f"""<SubscribeMsgPopupEvent><List>
    <TemplateId><![CDATA[{TEMPLATE}]]></TemplateId>
    <SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>
</List></SubscribeMsgPopupEvent>"""
SENT_REFUSED = f"""<SubscribeMsgSentEvent><List>
    <TemplateId><![CDATA[{TEMPLATE}]]></TemplateId>
    <MsgID>1700827132819554304</MsgID>
    <ErrorCode>43101</ErrorCode>
    <ErrorStatus><![CDATA[failed:user refuse-accept]]></ErrorStatus>
</List></SubscribeMsgSentEvent>"""


def json_event(event: str, entries: object, key: str = "List") -> bytes:
    body = {
        "ToUserName": "gh_x",
        "FromUserName": ALICE,
        "CreateTime": 1700000000,
        "MsgType": "event",
        "Event": event,
        key: entries,
    }
    return json.dumps(body).encode()


def test_popup_event_keeps_every_list_entry_in_order():
    message = parse_message(event_xml(ALICE, "subscribe_msg_popup_event", POPUP))
    assert message.event == "subscribe_msg_popup_event"
    assert [(i.get("TemplateId"), i.get("SubscribeStatusString")) for i in message.items] == [
        (TEMPLATE, "accept"),
        (OTHER, "reject"),
    ]
    assert message.items[0].get("PopupScene") == "2"
    assert message.items[0].get("MsgID") is None


def test_sent_event_entries_carry_their_error():
    message = parse_message(event_xml(ALICE, "subscribe_msg_sent_event", SENT_REFUSED))
    [item] = message.items
    assert (item.get("MsgID"), item.get("ErrorCode")) == ("1700827132819554304", "43101")
    assert item.get("ErrorStatus") == "failed:user refuse-accept"


@pytest.mark.parametrize(
    ("entries", "key"),
    [
        ({"TemplateId": TEMPLATE, "SubscribeStatusString": "reject"}, "List"),  # one: an object
        ([{"TemplateId": TEMPLATE, "SubscribeStatusString": "reject"}], "List"),  # several
        ([{"TemplateId": TEMPLATE, "SubscribeStatusString": "reject"}], "SubscribeMsgChangeEvent"),
        ({"List": {"TemplateId": TEMPLATE, "SubscribeStatusString": "reject"}}, "Wrapper"),
    ],
)
def test_json_events_in_every_shape_seen(entries, key):
    message = parse_message(json_event("subscribe_msg_change_event", entries, key))
    assert message.wire_format == "json"
    assert [(i.get("TemplateId"), i.get("SubscribeStatusString")) for i in message.items] == [
        (TEMPLATE, "reject")
    ]


def test_ordinary_messages_have_no_items_and_nested_values_stay_out_of_fields():
    message = parse_message(event_xml(ALICE, "subscribe"))
    assert message.items == ()
    nested = parse_message(json_event("subscribe_msg_popup_event", [{"TemplateId": {"x": 1}}]))
    assert nested.items[0].get("TemplateId") is None


def test_too_many_entries_is_malformed():
    entry = f"<List><TemplateId>{TEMPLATE}</TemplateId></List>"
    body = f"<SubscribeMsgPopupEvent>{entry * (MAX_LIST_ITEMS + 1)}</SubscribeMsgPopupEvent>"
    with pytest.raises(MalformedMessage, match="List entries"):
        parse_message(event_xml(ALICE, "subscribe_msg_popup_event", body))


@pytest.fixture
async def world(tmp_path):
    async with open_world(tmp_path) as world:
        yield world


async def test_answers_to_the_prompt_are_recorded_and_answered_success(world):
    async with open_gateway(world) as gateway:
        response = await gateway.post(event_xml(ALICE, "subscribe_msg_popup_event", POPUP))
        assert (response.status_code, response.text) == (200, "success")
        assert await world.records.is_subscribed(ALICE, TEMPLATE)
        assert not await world.records.is_subscribed(ALICE, OTHER)

        # Later the user turns it off in WeChat's settings.
        change = event_xml(ALICE, "subscribe_msg_change_event", CHANGE_AS_DOCUMENTED)
        assert (await gateway.post(change)).text == "success"
        assert not await world.records.is_subscribed(ALICE, TEMPLATE)


async def test_json_answers_are_recorded(world):
    accept = {"TemplateId": TEMPLATE, "SubscribeStatusString": "accept", "PopupScene": "0"}
    async with open_gateway(world) as gateway:
        response = await gateway.post(json_event("subscribe_msg_popup_event", accept))
    assert response.text == "success"
    assert await world.records.is_subscribed(ALICE, TEMPLATE)


async def test_a_refused_delivery_is_logged_and_stops_further_attempts(world, caplog):
    await world.records.set_subscription(ALICE, TEMPLATE, accepted=True)
    async with open_gateway(world) as gateway:
        with caplog.at_level(logging.INFO, logger="frontdoor"):
            response = await gateway.post(
                event_xml(ALICE, "subscribe_msg_sent_event", SENT_REFUSED)
            )
    assert response.text == "success"
    assert "43101" in caplog.text and "refuse-accept" in caplog.text
    assert ALICE not in caplog.text
    assert not await world.records.is_subscribed(ALICE, TEMPLATE)


async def test_a_successful_delivery_report_changes_nothing(world):
    await world.records.set_subscription(ALICE, TEMPLATE, accepted=True)
    ok = SENT_REFUSED.replace("43101", "0").replace("failed:user refuse-accept", "success")
    async with open_gateway(world) as gateway:
        assert (await gateway.post(event_xml(ALICE, "subscribe_msg_sent_event", ok))).text == (
            "success"
        )
    assert await world.records.is_subscribed(ALICE, TEMPLATE)


@pytest.mark.parametrize(
    "body",
    [
        "",  # no List at all
        "<SubscribeMsgPopupEvent><List><SubscribeStatusString>accept</SubscribeStatusString>"
        "</List></SubscribeMsgPopupEvent>",  # no TemplateId
        f"<SubscribeMsgPopupEvent><List><TemplateId>{TEMPLATE}</TemplateId>"
        "<SubscribeStatusString>maybe</SubscribeStatusString></List></SubscribeMsgPopupEvent>",
        "<SubscribeMsgPopupEvent><List><TemplateId>a b;drop</TemplateId>"
        "<SubscribeStatusString>accept</SubscribeStatusString></List></SubscribeMsgPopupEvent>",
    ],
)
async def test_unusable_entries_are_logged_and_skipped(world, caplog, body):
    async with open_gateway(world) as gateway:
        with caplog.at_level(logging.WARNING):
            response = await gateway.post(event_xml(ALICE, "subscribe_msg_popup_event", body))
    assert (response.status_code, response.text) == (200, "success")
    assert "ignored subscribe_msg_popup_event" in caplog.text
    assert not await world.records.is_subscribed(ALICE, TEMPLATE)


async def test_unreadable_events_are_rejected_with_a_log_line_never_a_500(world, caplog):
    entry = f"<List><TemplateId>{TEMPLATE}</TemplateId></List>"
    flood = f"<SubscribeMsgPopupEvent>{entry * 50}</SubscribeMsgPopupEvent>"
    async with open_gateway(world) as gateway:
        with caplog.at_level(logging.WARNING):
            broken = await gateway.post(b"<xml><MsgType>event</MsgType><SubscribeMsgPopupEvent>")
            flooded = await gateway.post(event_xml(ALICE, "subscribe_msg_popup_event", flood))
    assert (broken.status_code, flooded.status_code) == (400, 400)
    assert "rejected POST /wechat" in caplog.text


async def test_a_database_failure_still_answers_success(world, caplog, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(world.records, "set_subscription", broken)
    async with open_gateway(world) as gateway:
        with caplog.at_level(logging.ERROR):
            response = await gateway.post(event_xml(ALICE, "subscribe_msg_popup_event", POPUP))
    assert (response.status_code, response.text) == (200, "success")
    assert "could not record subscribe_msg_popup_event" in caplog.text
