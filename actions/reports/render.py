"""Pure wording of reports for WeChat: lists, one report in pages, pending, withheld, critical.

Abnormal results come first with ↑/↓ and the glossary's one line about the test; critical values
(危急值) are never explained, only sent to people: the hospital, the emergency department, 120.
Pages stay well under WeChat's 2048-byte message limit and short enough for elderly readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from actions.reports.glossary import Glossary
from integrations.his.models import CHINA_TZ
from integrations.his.report_models import (
    Interpretation,
    Report,
    ReportCategory,
    ReportResult,
    ReportStatus,
    ReportSummary,
)

PAGE_CHARS = 420  # about 1.3 KB of UTF-8: a screen on a phone
DISCLAIMER = "结果怎么看、要不要处理，请以医生的解读为准。"
MORE_HINT = "回复「更多」看下一页"

_ARROWS = {
    Interpretation.HIGH: "↑",
    Interpretation.CRITICAL_HIGH: "↑",
    Interpretation.LOW: "↓",
    Interpretation.CRITICAL_LOW: "↓",
    Interpretation.ABNORMAL: "异常",
    Interpretation.CRITICAL: "异常",
}


@dataclass(frozen=True)
class Contact:
    """Who to call about a report: the institution that issued it."""

    name: str
    phone: str | None = None

    def text(self) -> str:
        return f"{self.name}（电话 {self.phone}）" if self.phone else self.name


def day_text(moment: datetime | None) -> str:
    if moment is None:
        return "日期不详"
    local = moment.astimezone(CHINA_TZ)
    return f"{local.month}月{local.day}日"


def time_text(moment: datetime) -> str:
    local = moment.astimezone(CHINA_TZ)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def status_text(report: ReportSummary, *, sensitive: bool) -> str:
    if report.status is ReportStatus.CANCELLED:
        return "已取消"
    if report.status is ReportStatus.PENDING:
        expected = f"，预计{time_text(report.expected_at)}" if report.expected_at else ""
        return f"未出{expected}"
    if sensitive:
        return "已出（隐私报告，需到医院领取）"
    if report.fhir_status in ("amended", "corrected"):
        return "已出（有更正）"
    return "已出"


def list_title(report: ReportSummary, *, sensitive: bool) -> str:
    """One choice per report, numbered by the gateway: 「血常规 11月20日 已出」,
    「腹部彩超 11月23日 未出，预计11月24日 16:00」."""
    day = day_text(report.effective or report.issued)
    return f"{report.name} {day} {status_text(report, sensitive=sensitive)}"


def render_list_header(patient: str, shown: int, total: int) -> str:
    """The text above the choices (the gateway numbers them; WeChat shows them tappable)."""
    head = f"{patient}最近的报告（新的在前），回复序号查看："
    if total > shown:
        head += f"\n（共{total}份，这里列出最近{shown}份；查某一项可以直接说，如「血常规」「B超」）"
    return head


def render_pending(patient: str, report: ReportSummary) -> str:
    when = (
        f"预计{time_text(report.expected_at)}出结果"
        if report.expected_at
        else "出结果的时间请咨询开单医院"
    )
    done = f"（{day_text(report.effective)}检查）" if report.effective else ""
    return (
        f"{patient}的{report.name}{done}还没出结果，{when}。"
        "结果出来后会尽量通知您，也可以稍后再问我。"
    )


def render_cancelled(patient: str, report: ReportSummary) -> str:
    return (
        f"{patient}的{report.name}（{day_text(report.effective)}）已被医院取消，没有结果。"
        "如有疑问请联系开单医生。"
    )


def render_critical(report: Report, contact: Contact) -> str:
    items = "、".join(
        f"{result.name} {value_text(result)}" for result in report.results if _critical(result)
    )
    return (
        f"⚠️ 这份{report.name}有危急值：{items}。\n"
        f"危急值需要医生马上处理，请立即联系{contact.text()}，或马上到最近医院的急诊科。"
        "如感到胸闷、心慌、气促、抽搐或意识不清，请立即拨打120。\n"
        "我们已通知医院工作人员跟进。"
    )


def value_text(result: ReportResult) -> str:
    value = result.value_text if result.value_text is not None else ""
    if result.value is not None and not value:
        value = format(result.value, "f")
    return f"{value} {result.unit}".strip() if result.unit else value


def render_report_pages(
    patient: str, report: Report, glossary: Glossary, contact: Contact
) -> list[str]:
    """The report in pages: header, critical values first, then abnormal, then the rest."""
    blocks = [_header(patient, report)]
    if report.category is ReportCategory.IMAGING:
        blocks.extend(_imaging_blocks(report))
    else:
        blocks.extend(_lab_blocks(report, glossary, contact))
    blocks.append(DISCLAIMER)
    return paginate(blocks)


def paginate(blocks: Sequence[str], limit: int = PAGE_CHARS) -> list[str]:
    """Pack blocks into pages of at most `limit` characters, splitting a long block at line
    or sentence ends; every page but the last says how to see the next."""
    pieces: list[str] = []
    for block in blocks:
        pieces.extend(_split(block, limit))
    pages: list[str] = []
    current: list[str] = []
    for piece in pieces:
        if current and len("\n".join([*current, piece])) > limit:
            pages.append("\n".join(current))
            current = []
        current.append(piece)
    if current:
        pages.append("\n".join(current))
    total = len(pages)
    if total == 1:
        return pages
    return [
        f"{page}\n（第{number}/{total}页{'，' + MORE_HINT if number < total else ''}）"
        for number, page in enumerate(pages, start=1)
    ]


def _header(patient: str, report: Report) -> str:
    lines = [f"【{report.name}】{patient}"]
    place = report.institution_name or ""
    done = f"检查 {day_text(report.effective)}" if report.effective else ""
    issued = f"出报告 {time_text(report.issued)}" if report.issued else ""
    lines.append(" · ".join(part for part in (place, done, issued) if part))
    if report.fhir_status in ("amended", "corrected"):
        note = f"：{report.amendment_note}" if report.amendment_note else ""
        lines.append(f"注意：这份报告已被医院更正{note}")
    return "\n".join(lines)


def _critical(result: ReportResult) -> bool:
    return result.interpretation is not None and result.interpretation.is_critical


def _lab_blocks(report: Report, glossary: Glossary, contact: Contact) -> list[str]:
    critical = [r for r in report.results if _critical(r)]
    abnormal = [
        r
        for r in report.results
        if r.interpretation is not None and r.interpretation.is_abnormal and not _critical(r)
    ]
    normal = [r for r in report.results if r not in critical and r not in abnormal]
    blocks: list[str] = []
    if critical:
        blocks.append(render_critical(report, contact))
    if abnormal:
        blocks.append(f"异常 {len(abnormal)} 项：")
        blocks.extend(_abnormal_line(result, glossary) for result in abnormal)
    elif not critical and report.results:
        blocks.append(f"全部 {len(report.results)} 项都在参考范围内。")
    if normal and (critical or abnormal):
        listed = "；".join(f"{r.name} {value_text(r)}" for r in normal)
        blocks.append(f"其余 {len(normal)} 项在参考范围内：{listed}")
    if not report.results:
        blocks.append("这份报告没有检验项目明细，请向开单医院查询。")
    if report.conclusion:
        blocks.append(f"医生备注：{report.conclusion}")
    return blocks


def _abnormal_line(result: ReportResult, glossary: Glossary) -> str:
    assert result.interpretation is not None
    arrow = _ARROWS.get(result.interpretation, "异常")
    reference = f"（参考 {result.reference_range}）" if result.reference_range else ""
    line = f"{arrow} {result.name} {value_text(result)}{reference}"
    meaning = glossary.meaning(result.code)
    return f"{line}\n   {meaning}" if meaning else line


def _imaging_blocks(report: Report) -> list[str]:
    blocks = []
    if report.conclusion:
        blocks.append(f"检查结论：{report.conclusion}")
    if report.findings:
        blocks.append(f"检查所见：{report.findings}")
    if not blocks:
        blocks.append("报告正文请到医院领取或在医院自助机打印。")
    return blocks


def _split(block: str, limit: int) -> list[str]:
    if len(block) <= limit:
        return [block]
    pieces: list[str] = []
    current = ""
    for sentence in _sentences(block):
        while len(sentence) > limit:  # a sentence longer than a page: cut it
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:limit])
            sentence = sentence[limit:]
        if len(current) + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return [piece.strip("\n") for piece in pieces if piece.strip()]


def _sentences(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for index, char in enumerate(text):
        if char in "。；;\n":
            out.append(text[start : index + 1])
            start = index + 1
    if start < len(text):
        out.append(text[start:])
    return out
