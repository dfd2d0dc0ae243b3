"""What a report-ready notice says (pure): wording by case, subscription-message fields cut to
WeChat's limits, the template-field setting, and the version a notice is owed for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from report_world import summary

from integrations.wechat.report_notices.compose import (
    ReportNotice,
    notice_text,
    parse_template_fields,
    subscription_data,
)
from integrations.wechat.settings import GatewaySettings

ISSUED = datetime(2026, 11, 23, 1, 5, tzinfo=UTC)
FIELDS = {"patient": "thing1", "test": "thing2", "institution": "thing3", "time": "time4"}


def notice(**changes) -> ReportNotice:
    base = {
        "patient": "陈*强",
        "test": "血常规",
        "institution": "荔湾区中心医院",
        "issued": ISSUED,
        "sensitive": False,
        "critical": False,
        "updated": False,
    }
    return ReportNotice(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "present", "absent"),
    [
        ({}, ["陈*强", "「血常规」", "已出", "荔湾区中心医院", "回复「查报告」"], ["危急值"]),
        ({"updated": True}, ["已更新", "以最新结果为准"], ["已出"]),
        ({"institution": None}, ["「血常规」报告已出。"], ["（"]),
        ({"critical": True}, ["【重要】", "危急值", "立即联系医院", "急诊"], []),
        (
            {"sensitive": True},
            ["陈*强有一份报告已出，请按医院指引查看领取"],
            ["血常规", "荔湾区中心医院", "查报告"],
        ),
        ({"sensitive": True, "critical": True}, ["立即联系医院", "急诊"], ["血常规", "危急值"]),
    ],
)
def test_notice_text(changes, present, absent):
    text = notice_text(notice(**changes))
    for fragment in present:
        assert fragment in text
    for fragment in absent:
        assert fragment not in text
    assert len(text.encode()) < 2048  # one customer-service message


def test_subscription_fields_follow_the_template_and_its_limits():
    long_name = "广州医科大学附属第二医院荔湾院区检验科"  # 19 characters: fits
    data = subscription_data(
        notice(institution=long_name + "门诊部", test="尿常规"),
        {**FIELDS, "note": "thing5"},
        ISSUED,
    )
    assert data["thing1"] == "陈*强"
    assert data["thing2"] == "尿常规"
    assert len(data["thing3"]) == 20 and data["thing3"].endswith("…")
    assert data["time4"] == "2026年11月23日 09:05"
    assert data["thing5"] == "回复「查报告」查看"


@pytest.mark.parametrize(
    ("changes", "note"),
    [
        ({"critical": True}, "有危急值，请立即联系医院或去急诊"),
        ({"updated": True}, "报告已更新，回复「查报告」查看"),
        ({"sensitive": True}, "请按医院指引查看领取"),
        ({"sensitive": True, "critical": True}, "请立即联系医院或去急诊"),
    ],
)
def test_subscription_notes(changes, note):
    data = subscription_data(notice(**changes), {"note": "thing9"}, ISSUED)
    assert data == {"thing9": note}
    assert len(note) <= 20


def test_sensitive_subscription_never_names_the_test_or_place():
    data = subscription_data(notice(sensitive=True, test="HIV抗体检测"), FIELDS, ISSUED)
    assert "HIV" not in "".join(data.values())
    assert "荔湾区中心医院" not in "".join(data.values())


def test_a_missing_issue_time_is_the_time_of_sending():
    now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert subscription_data(notice(issued=None), {"time": "time2"}, now) == {
        "time2": "2026年11月24日 16:00"
    }


def test_template_field_setting():
    assert parse_template_fields(" patient=thing1 , note=thing5,") == {
        "patient": "thing1",
        "note": "thing5",
    }
    for bad in ("patient", "doctor=thing1", "patient=thing 1"):
        with pytest.raises(ValueError):
            parse_template_fields(bad)
    with pytest.raises(ValueError):
        GatewaySettings(wechat_report_template_fields="patient")
    assert GatewaySettings().report_template_fields["time"] == "time4"


def test_a_final_report_is_announced_once_and_each_amendment_again():
    at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert summary("r", at=at, version="1").revision == "final"
    assert summary("r", at=at, version="7").revision == "final"
    amended = summary("r", at=at, fhir_status="amended", version="8").revision
    assert amended == "amended:8"
    long_version = "x" * 64
    corrected = summary("r", at=at, fhir_status="corrected", version=long_version).revision
    assert len(corrected) <= 32 and corrected.startswith("corrected:")
