from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.services import use_his_client
from actions.welcome import ActionWelcome
from integrations.his import HISClient


@pytest.fixture(autouse=True)
async def his(hospital_app) -> AsyncIterator[None]:
    client = HISClient("http://his.test/fhir", transport=httpx.ASGITransport(app=hospital_app))
    use_his_client(client)
    yield
    use_his_client(None)
    await client.aclose()


def subscribe(scene: str | None) -> Tracker:
    entities = [{"entity": "scene", "value": scene}] if scene else []
    message = {"text": "/subscribe", "intent": {"name": "subscribe"}, "entities": entities}
    return Tracker("oU", {}, message, [], False, None, {}, "action_listen")


async def test_qr_code_at_a_clinic_gets_that_clinics_welcome():
    dispatcher = CollectingDispatcher()
    events = await ActionWelcome().run(dispatcher, subscribe("lw-rongyin-chc"), {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_welcome_institution"
    assert message["institution"] == "榕荫街社区卫生服务中心"
    assert events == [
        {
            "event": "slot",
            "timestamp": None,
            "name": "institution",
            "value": "榕荫街社区卫生服务中心",
        }
    ]


@pytest.mark.parametrize("scene", [None, "no-such-clinic"])
async def test_plain_or_unknown_scene_gets_the_general_welcome(scene):
    dispatcher = CollectingDispatcher()
    assert await ActionWelcome().run(dispatcher, subscribe(scene), {}) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_welcome"]
