"""Report actions against the sandbox hospital (in-process) and frontdoor's records on a
temporary database: lookup by test, pending, critical values, lists and choices, sensitive
reports withheld, refusals audited, asking whom, paging."""

from __future__ import annotations

from typing import Any

import pytest
from action_testkit import OPENID, run, slot_events, tracker

from actions.patients.completion import ActionFinishPatientBinding
from actions.patients.slots import BOUND_PATIENT, OUTCOME, Outcome
from actions.reports.lookup import ActionLookupReport, ActionShowMoreReport
from actions.services import PatientServices, report_records
from common.sensitive_reports import SensitivePolicy, sensitive_policy
from integrations.his import HISClient
from patients.report_records import AccessAction, AccessQuery
from sandbox.hospital.reports.demo import DEMO_PATIENTS

ELDER = DEMO_PATIENTS["elder"]
WOMAN = DEMO_PATIENTS["woman"]


async def bind_demo(bind: Any, key: str, relation: str = "self") -> Any:
    demo = DEMO_PATIENTS[key]
    return await bind(demo.name, demo.resident_id, demo.phone, relation)


async def lookup(
    domain: dict[str, Any], text: str, **entities: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    message = tracker(text, "lookup_report", entities=entities)
    return await run(ActionLookupReport(), message, domain)


async def trail(**query: Any) -> list[AccessAction]:
    return [r.action for r in await report_records().find_access(AccessQuery(**query))]


async def test_a_named_test_shows_its_newest_report_abnormal_first(
    his: HISClient, patients: PatientServices, bind: Any, domain: dict[str, Any]
) -> None:
    patient = await bind_demo(bind, "elder")
    _, messages = await lookup(domain, "我的血常规出来了吗", report_type="CBC")
    [message] = messages
    text = message["text"]
    assert text.startswith("【血常规】陈*华（本人）")
    assert "↑ 白细胞计数" in text and "↓ 血红蛋白" in text
    assert text.index("异常") < text.index("其余")
    assert "贫血" in text  # the glossary's line under 血红蛋白
    # The hospital's id was found by the ID document (never created) and kept.
    [view] = await patients.book.list_patients(OPENID)
    assert view.his_patient_id == ELDER.id
    assert await trail(patient_id=patient.id) == [AccessAction.VIEW, AccessAction.LIST]


async def test_a_test_named_only_in_the_text_is_found_by_the_glossary(
    his: HISClient, patients: PatientServices, bind: Any, domain: dict[str, Any]
) -> None:
    await bind_demo(bind, "elder")
    _, [message] = await lookup(domain, "肝功能正常吗")
    assert message["text"].startswith("【肝功能】")


async def test_pending_reports_say_when(
    his: HISClient, patients: PatientServices, bind: Any, domain: dict[str, Any]
) -> None:
    await bind_demo(bind, "elder")
    _, [message] = await lookup(domain, "B超出了没有", report_type="US")
    assert "还没出结果" in message["text"] and "预计" in message["text"]


async def test_critical_values_go_to_people_and_raise_one_alert(
    his: HISClient, patients: PatientServices, bind: Any, domain: dict[str, Any]
) -> None:
    await bind_demo(bind, "elder")
    for _ in range(2):
        _, [message] = await lookup(domain, "电解质结果", report_type="ELEC")
        assert "危急值" in message["text"] and "急诊" in message["text"]
        assert "电话" in message["text"]  # the issuing hospital's number from the directory
    [alert] = await report_records().critical_alerts()
    assert alert.his_patient_id == ELDER.id and alert.source == "chat"
    assert [(item.code, item.flag) for item in alert.items] == [("K", "HH")]


async def test_the_list_offers_choices_and_a_choice_shows_the_report(
    his: HISClient, patients: PatientServices, bind: Any, domain: dict[str, Any]
) -> None:
    await bind_demo(bind, "elder")
    _, [listing] = await lookup(domain, "查报告")
    assert listing["text"].startswith("陈*华（本人）最近的报告（新的在前），回复序号查看：")
    assert "这里列出最近8份" in listing["text"]  # the elder has more: say how to find them
    titles = [button["title"] for button in listing["buttons"]]
    assert any("未出，预计" in title for title in titles)
    assert any(title.startswith("胸部") for title in titles)
    xray = next(b for b in listing["buttons"] if b["title"].startswith("胸部"))
    report_id = xray["payload"].split('"report_id": "')[1].rstrip('"}')
    _, [message] = await lookup(domain, xray["payload"], report_id=report_id)
    assert "检查结论" in message["text"]


async def test_sensitive_reports_are_withheld_and_audited(
    his: HISClient, patients: PatientServices, bind: Any, domain: dict[str, Any]
) -> None:
    await bind_demo(bind, "woman")
    _, [message] = await lookup(domain, "我的HIV结果", report_type="HIV")
    assert "不在微信里显示" in message["text"]
    assert "阴性" not in message["text"] and "阳性" not in message["text"]
    _, [listing] = await lookup(domain, "查报告")
    titles = [button["title"] for button in listing["buttons"]]
    assert sum(title.startswith("隐私报告") for title in titles) == 2  # HIV and HCG
    assert not any("HIV" in title or "HCG" in title for title in titles)
    assert AccessAction.WITHHELD in await trail(his_patient_id=WOMAN.id)


async def test_someone_elses_report_or_an_unbound_relative_is_refused_and_audited(
    his: HISClient, patients: PatientServices, bind: Any, domain: dict[str, Any]
) -> None:
    await bind_demo(bind, "elder")
    hers = await his.list_reports(WOMAN.id)
    _, [message] = await lookup(domain, "/lookup_report", report_id=hers[0].id)
    assert message["response"] == "utter_reports_not_your_patient"
    _, [message] = await lookup(domain, "查下我老婆的报告", relation="spouse")
    assert message["response"] == "utter_reports_relation_not_bound"
    _, [message] = await lookup(domain, "/lookup_report", patient_id="999")
    assert message["response"] == "utter_reports_not_your_patient"
    refused = await report_records().find_access(AccessQuery(action=AccessAction.REFUSED))
    reasons = [record.detail["reason"] for record in refused]
    assert reasons == ["patient_not_bound", "relation_not_bound", "report_not_yours"]
    assert all(record.openid == OPENID for record in refused)


async def test_without_patients_the_user_is_asked_to_bind_one(
    his: HISClient, patients: PatientServices, domain: dict[str, Any]
) -> None:
    _, [message] = await lookup(domain, "查报告")
    assert message["response"] == "utter_reports_need_patient"


async def test_with_several_patients_the_bot_asks_whom_then_continues(
    his: HISClient, patients: PatientServices, bind: Any, domain: dict[str, Any]
) -> None:
    await bind_demo(bind, "elder", "parent")
    await bind_demo(bind, "child", "child")
    events, [question] = await lookup(domain, "最近的血常规", report_type="CBC")
    assert question["response"] == "utter_ask_report_patient"
    assert len(question["buttons"]) == 2
    saved = slot_events(events)["report_query"]
    assert saved["kinds"] == ["CBC"]
    child_button = next(b for b in question["buttons"] if "子女" in b["title"])
    patient_id = child_button["payload"].split('"patient_id": "')[1].rstrip('"}')
    chosen = tracker(
        child_button["payload"],
        "lookup_report",
        entities={"patient_id": patient_id},
        slots={"report_query": saved},
    )
    _, [message] = await run(ActionLookupReport(), chosen, domain)
    assert message["text"].startswith("【血常规】梁*欣（子女）")


async def test_paging_ends_and_checks_ownership_again(
    his: HISClient, patients: PatientServices, bind: Any, domain: dict[str, Any]
) -> None:
    await bind_demo(bind, "elder")
    _, [message] = await run(ActionShowMoreReport(), tracker("更多", "show_more"), domain)
    assert message["response"] == "utter_reports_nothing_more"

    [cbc] = [r for r in await his.list_reports(ELDER.id) if r.code == "CBC"][:1]
    viewing = {"report_viewing": cbc.id, "report_page": 1.0}
    events, [message] = await run(
        ActionShowMoreReport(), tracker("更多", "show_more", slots=viewing), domain
    )
    assert message["response"] == "utter_reports_nothing_more"  # one page only
    assert slot_events(events) == {"report_viewing": None, "report_page": None}

    hers = (await his.list_reports(WOMAN.id))[0]
    tampered = {"report_viewing": hers.id, "report_page": 1.0}
    _, [message] = await run(
        ActionShowMoreReport(), tracker("更多", "show_more", slots=tampered), domain
    )
    assert message["response"] == "utter_reports_not_your_patient"


async def test_someone_elses_id_number_under_another_name_is_refused(
    his: HISClient, patients: PatientServices, bind: Any, domain: dict[str, Any]
) -> None:
    # The binding proves only the phone: a stranger may type the elder's ID number.
    await bind("王小明", ELDER.resident_id, "13912345670", "parent")
    _, [message] = await lookup(domain, "我爸的血常规", report_type="CBC", relation="parent")
    assert message["response"] == "utter_hospital_identity_mismatch"
    [view] = await patients.book.list_patients(OPENID)
    assert view.his_patient_id is None  # never linked to the elder's hospital record
    [refused] = await report_records().find_access(AccessQuery(action=AccessAction.REFUSED))
    assert refused.detail["reason"] == "identity_mismatch"


async def test_a_sensitive_report_with_a_critical_value_sends_the_resident_to_act_now(
    his: HISClient,
    hospital_control: Any,
    patients: PatientServices,
    bind: Any,
    domain: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await bind_demo(bind, "elder")
    ordered = await hospital_control.post(
        "/sandbox/reports",
        json={"patient_id": ELDER.id, "test": "ELEC", "status": "final", "critical": True},
    )
    assert ordered.status_code == 201, ordered.text
    report_id = ordered.json()["id"]
    # An admin lists ELEC as sensitive: the report is never shown in chat.
    restricted = SensitivePolicy(frozenset({"ELEC"}), sensitive_policy().where_to_get)
    monkeypatch.setattr("actions.reports.lookup.sensitive_policy", lambda: restricted)
    _, messages = await lookup(domain, "/lookup_report", report_id=report_id)
    urgent, advice = (message["text"] for message in messages)
    assert "危急值" in urgent and "急诊" in urgent and "电话" in urgent
    assert "电解质" not in urgent and "血钾" not in urgent  # the test is not named
    assert "不在微信里显示" in advice
    assert [a.report_id for a in await report_records().critical_alerts()] == [report_id]


async def test_binding_links_the_hospital_record_so_notices_reach_the_user_from_the_start(
    his: HISClient, patients: PatientServices, bind: Any, domain: dict[str, Any]
) -> None:
    view = await bind_demo(bind, "elder")
    finished = tracker("123456", slots={OUTCOME: Outcome.BOUND.value, BOUND_PATIENT: str(view.id)})
    await run(ActionFinishPatientBinding(), finished, domain)
    [linked] = await patients.book.list_patients(OPENID)
    assert linked.his_patient_id == ELDER.id
    assert [openid for openid, _ in await patients.book.watchers_of(ELDER.id)] == [OPENID]
