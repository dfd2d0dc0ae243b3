"""Pure rendering of reports: abnormal first with arrows and the glossary's line, critical
values sent to people and never explained, pages under WeChat's limit, lists and states."""

from __future__ import annotations

from decimal import Decimal

from report_samples import CBC, CHEST_XRAY, ELECTROLYTES, at, result, summary

from actions.reports.glossary import Glossary, GlossaryEntry
from actions.reports.render import (
    DISCLAIMER,
    MORE_HINT,
    Contact,
    list_title,
    paginate,
    render_list_header,
    render_pending,
    render_report_pages,
)
from integrations.his.report_models import Interpretation, Report, ReportStatus

GLOSSARY = Glossary(
    {
        "WBC": GlossaryEntry("WBC", "白细胞计数", (), "身体抵抗感染的细胞。"),
        "HGB": GlossaryEntry("HGB", "血红蛋白", (), "运送氧气的蛋白，常用来看有没有贫血。"),
        "K": GlossaryEntry("K", "血钾", (), "维持心跳和肌肉正常的电解质。"),
    }
)
HOSPITAL = Contact("荔湾区中心医院", "020-81234567")
PATIENT = "陈*强（父亲）"


def test_abnormal_items_first_with_arrows_meaning_and_reference() -> None:
    [page] = render_report_pages(PATIENT, CBC, GLOSSARY, HOSPITAL)
    lines = page.splitlines()
    assert lines[0] == "【血常规】陈*强（父亲）"
    assert "荔湾区中心医院" in lines[1] and "11月20日" in lines[1]
    assert lines[2] == "异常 2 项："
    assert lines[3] == "↑ 白细胞计数 12.6 10^9/L（参考 3.5-9.5）"
    assert lines[4].strip() == "身体抵抗感染的细胞。"
    assert lines[5] == "↓ 血红蛋白 108 g/L（参考 130-175）"
    assert "其余 2 项在参考范围内：红细胞计数 4.5 10^12/L；血小板计数 210 10^9/L" in page
    assert page.endswith(DISCLAIMER)
    assert "危急值" not in page


def test_a_normal_report_says_so() -> None:
    normal = Report(
        **CBC.model_dump(exclude={"results"}),
        results=(result("RBC", "红细胞计数", "4.5", "10^12/L", "4.3-5.8"),),
    )
    [page] = render_report_pages(PATIENT, normal, GLOSSARY, HOSPITAL)
    assert "全部 1 项都在参考范围内。" in page


def test_critical_values_come_first_go_to_people_and_are_not_explained() -> None:
    [page] = render_report_pages(PATIENT, ELECTROLYTES, GLOSSARY, HOSPITAL)
    lines = page.splitlines()
    assert lines[1] == "⚠️ 这份电解质有危急值：血钾 6.6 mmol/L。"  # before anything else
    assert "请立即联系荔湾区中心医院（电话 020-81234567）" in page
    assert "急诊" in page and "120" in page and "不要等医院来电" in page
    assert "维持心跳" not in page  # no explanation of a critical value
    assert "其余 1 项在参考范围内：血钠 140 mmol/L" in page


def test_imaging_shows_the_conclusion_then_findings() -> None:
    [page] = render_report_pages(PATIENT, CHEST_XRAY, GLOSSARY, HOSPITAL)
    assert page.index("检查结论：双肺纹理增粗") < page.index("检查所见：胸廓对称")


def test_amended_reports_say_what_changed() -> None:
    amended = Report(
        **CBC.model_dump(exclude={"fhir_status", "amendment_note"}),
        fhir_status="amended",
        amendment_note="白细胞计数复核后更正",
    )
    [page] = render_report_pages(PATIENT, amended, GLOSSARY, HOSPITAL)
    assert "注意：这份报告已被医院更正：白细胞计数复核后更正" in page


def test_long_reports_are_paged_under_the_wechat_limit() -> None:
    many = tuple(
        result(f"T{n}", f"检验项目{n}", f"{n}.5", "mmol/L", "1-2", Interpretation.HIGH)
        for n in range(40)
    )
    long_report = Report(**CBC.model_dump(exclude={"results"}), results=many)
    pages = render_report_pages(PATIENT, long_report, GLOSSARY, HOSPITAL)
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        assert len(page.encode("utf-8")) < 2048
        assert f"（第{number}/{len(pages)}页" in page
        assert (MORE_HINT in page) == (number < len(pages))
    text = "\n".join(pages)
    assert all(f"检验项目{n} " in text for n in range(40))  # nothing lost between pages


def test_paginate_splits_a_long_block_at_sentences() -> None:
    block = "。".join(f"第{n}句话很长很长很长很长很长很长很长" for n in range(60)) + "。"
    pages = paginate([block], limit=200)
    assert len(pages) > 1
    assert "".join(p.split("\n（第")[0] for p in pages).replace("\n", "") == block


def test_list_and_pending_wording() -> None:
    pending = summary(
        "r9",
        "US-ABDOMEN",
        "腹部彩超",
        effective=at(11, 23),
        status=ReportStatus.PENDING,
        expected_at=at(11, 24, 16),
    )
    assert list_title(pending, sensitive=False) == "腹部彩超 11月23日 未出，预计11月24日 16:00"
    assert list_title(CBC, sensitive=False) == "血常规 11月20日 已出"
    hiv = summary("r8", "HIV", "HIV抗体检测", effective=at(11, 10))
    assert (
        list_title(hiv, sensitive=True) == "隐私报告 11月10日 已出（需到医院领取）"
    )  # never named
    assert (
        render_list_header(PATIENT, 3, 3) == "陈*强（父亲）最近的报告（新的在前），回复序号查看："
    )
    assert "共12份，这里列出最近8份" in render_list_header(PATIENT, 8, 12)
    assert render_pending(PATIENT, pending).startswith(
        "陈*强（父亲）的腹部彩超（11月23日检查）还没出结果，预计11月24日 16:00出结果。"
    )


def test_unflagged_results_are_flagged_from_the_range_or_never_called_normal() -> None:
    unflagged = Report(
        **CBC.model_dump(exclude={"results"}),
        results=(
            result("WBC", "白细胞计数", "12.6", "10^9/L", "3.5-9.5", None).model_copy(
                update={"low": Decimal("3.5"), "high": Decimal("9.5")}
            ),
            result("K", "血钾", "6.8", "mmol/L", "3.5-5.3", Interpretation.CRITICAL_HIGH),
            result("U-PRO", "尿蛋白", "弱阳性", None, "阴性", None),
            result("RBC", "红细胞计数", "4.5", "10^12/L", "4.3-5.8").model_copy(
                update={"fhir_status": "entered-in-error"}
            ),
        ),
    )
    [page] = render_report_pages(PATIENT, unflagged, GLOSSARY, HOSPITAL)
    assert "↑ 白细胞计数 12.6" in page  # worked out from the printed range
    assert "危急值：血钾 6.8 mmol/L" in page
    assert "医院未标注是否正常 1 项（请问医生）：尿蛋白 弱阳性" in page
    assert "全部" not in page and "红细胞计数" not in page  # a withdrawn line is not a result


def test_a_critical_value_stays_on_the_first_page_even_after_a_long_amendment() -> None:
    amended = Report(
        **ELECTROLYTES.model_dump(exclude={"fhir_status", "amendment_note", "results"}),
        fhir_status="amended",
        amendment_note="复核" * 300,
        results=ELECTROLYTES.results
        + tuple(result(f"T{n}", f"项目{n}", "1.0", "mmol/L", "0.5-2") for n in range(30)),
    )
    pages = render_report_pages(PATIENT, amended, GLOSSARY, HOSPITAL)
    assert len(pages) > 1
    assert "危急值：血钾 6.6 mmol/L" in pages[0]
    assert "…" in pages[0] or "…" in pages[1]  # the note is cut short
