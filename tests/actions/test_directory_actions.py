"""Directory actions against the sandbox hospital's FHIR app in-process: no trained model, the
tracker built as Rasa would send it, assertions on response names and their values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.directory import ActionListDepartments, ActionListInstitutions
from actions.services import use_his_client
from integrations.his import HISClient


@pytest.fixture(autouse=True)
async def his(hospital_app) -> AsyncIterator[HISClient]:
    transport = httpx.ASGITransport(app=hospital_app)
    client = HISClient("http://his.test/fhir", transport=transport)
    use_his_client(client)
    yield client
    use_his_client(None)
    await client.aclose()


def tracker(intent: str, entities: dict[str, str], slots: dict[str, Any] | None = None) -> Tracker:
    message = {
        "text": "…",
        "intent": {"name": intent, "confidence": 0.99},
        "entities": [{"entity": name, "value": value} for name, value in entities.items()],
    }
    return Tracker("oUser", slots or {}, message, [], False, None, {}, "action_listen")


async def run(action: Any, t: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, t, {})
    return dispatcher.messages


async def test_hospitals_of_a_district():
    [message] = await run(
        ActionListInstitutions(), tracker("list_institutions", {"district": "荔湾区"})
    )
    assert message["response"] == "utter_institution_list"
    assert message["scope"] == "荔湾区的医疗机构"
    assert message["count"] == 6
    assert message["shown"] == ""
    titles = [button["title"] for button in message["buttons"]]
    # Hospitals first, then community health centres; each a choice to answer by number.
    assert titles[0] == "荔枝湾中心医院"
    assert titles[-1].endswith("社区卫生服务中心")  # the kind is not repeated after the name
    assert not any("越秀" in title for title in titles)
    assert message["buttons"][0]["payload"] == '/list_departments{"institution": "荔枝湾中心医院"}'


async def test_community_centres_everywhere_show_their_district():
    [message] = await run(
        ActionListInstitutions(),
        tracker("list_institutions", {"institution_kind": "community-health-centre"}),
    )
    assert message["count"] == 5
    titles = [button["title"] for button in message["buttons"]]
    assert "云泉街社区卫生服务中心（越秀区）" in titles


async def test_unknown_district_says_which_are_covered():
    [message] = await run(
        ActionListInstitutions(), tracker("list_institutions", {"district": "从化区"})
    )
    assert message["response"] == "utter_no_institution_found"
    assert message["known_districts"] == "海珠区、荔湾区、越秀区"


async def test_departments_of_a_named_hospital():
    [message] = await run(
        ActionListDepartments(), tracker("list_departments", {"institution": "荔枝湾中心医院"})
    )
    assert message["response"] == "utter_department_list"
    assert message["institution"] == "荔枝湾中心医院"
    assert "· 急诊科（不需预约，直接就诊）" in message["lines"]


async def test_follow_up_uses_the_remembered_institution():
    [message] = await run(
        ActionListDepartments(),
        tracker("list_departments", {}, slots={"institution": "越秀云山医院"}),
    )
    assert message["institution"] == "越秀云山医院"


async def test_community_departments_summarised_across_centres():
    [message] = await run(
        ActionListDepartments(),
        tracker("list_departments", {"institution_kind": "community-health-centre"}),
    )
    assert message["response"] == "utter_community_department_list"
    assert message["count"] == 5
    assert "· 全科医学科（每家都有）" in message["lines"]
    assert "· 预防接种门诊（每家都有）" in message["lines"]


async def test_misspelt_institution_gets_suggestions():
    [message] = await run(
        ActionListDepartments(), tracker("list_departments", {"institution": "荔枝弯中心医院"})
    )
    assert message["response"] == "utter_institution_not_found"
    assert message["buttons"][0] == {
        "title": "荔枝湾中心医院",
        "payload": '/list_departments{"institution": "荔枝湾中心医院"}',
    }


async def test_no_institution_named_asks_which():
    [message] = await run(ActionListDepartments(), tracker("list_departments", {}))
    assert message["response"] == "utter_ask_which_institution"
    assert len(message["buttons"]) == 4
    assert all(b["payload"].startswith("/list_departments{") for b in message["buttons"])


async def test_his_down_gets_an_apology_not_silence():
    use_his_client(HISClient("http://127.0.0.1:9/fhir", timeout=0.3, retries=0))
    [message] = await run(ActionListInstitutions(), tracker("list_institutions", {}))
    assert message["response"] == "utter_his_unavailable"
