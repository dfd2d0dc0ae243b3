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
AMENDMENT_CHARS = 80  # a long note must not push the results off the first page
_WITHDRAWN = ("entered-in-error", "cancelled")
DISCLAIMER = "结果怎么看、要不要处理，请以医生的解读为准。"
MORE_HINT = "回复「更多」看下一页"
SENSITIVE_NAME = "隐私报告"

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
        return "已出（需到医院领取）"
    if report.fhir_status in ("amended", "corrected"):
        return "已出（有更正）"
    return "已出"


def list_title(report: ReportSummary, *, sensitive: bool) -> str:
    """One choice per report, numbered by the gateway: 「血常规 11月20日 已出」,
    「腹部彩超 11月23日 未出，预计11月24日 16:00」; a sensitive report is never named (the
    title reaches Rasa's tracker and family members' phones): 「隐私报告 11月19日 …」."""
    day = day_text(report.effective or report.issued)
    name = SENSITIVE_NAME if sensitive else report.name
    return f"{name} {day} {status_text(report, sensitive=sensitive)}"


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


def render_sensitive_critical(contact: Contact) -> str:
    """A critical value in a report that is never shown in chat: act now, without naming it."""
    return (
        "⚠️ 您有一份报告出现危急值，需要医生马上处理。\n"
        f"请立即联系{contact.text()}，或马上到最近医院的急诊科。"
        "如感到胸闷、心慌、气促、抽搐或意识不清，请立即拨打120。\n"
        "请不要等医院来电，现在就行动。"
    )


def render_critical(report: Report, contact: Contact) -> str:
    items = "、".join(
        f"{result.name} {value_text(result)}"
        for result in shown_results(report)
        if _critical(result)
    )
    return (
        f"⚠️ 这份{report.name}有危急值：{items}。\n"
        f"危急值需要医生马上处理，请立即联系{contact.text()}，或马上到最近医院的急诊科。"
        "如感到胸闷、心慌、气促、抽搐或意识不清，请立即拨打120。\n"
        "请不要等医院来电，现在就行动。"
    )


def value_text(result: ReportResult) -> str:
    value = result.value_text if result.value_text is not None else ""
    if result.value is not None and not value:
        value = format(result.value, "f")
    return f"{value} {result.unit}".strip() if result.unit else value


def render_report_pages(
    patient: str, report: Report, glossary: Glossary, contact: Contact
) -> list[str]:
    """The report in pages: critical values first (always on page 1), then the header,
    abnormal results, the rest; imaging: conclusion, then findings."""
    title = f"【{report.name}】{patient}"
    blocks = [title]
    if has_critical(report):
        blocks.append(render_critical(report, contact))
    blocks.append(_header(report))
    if report.category is ReportCategory.IMAGING:
        blocks.extend(_imaging_blocks(report))
    else:
        blocks.extend(_lab_blocks(report, glossary))
    blocks.append(DISCLAIMER)
    return paginate(blocks)


def shown_results(report: Report) -> list[ReportResult]:
    """Result lines a resident may read: withdrawn ones (entered in error) are not results."""
    return [r for r in report.results if r.fhir_status not in _WITHDRAWN]


def has_critical(report: Report) -> bool:
    return any(_critical(result) for result in shown_results(report))


def flag(result: ReportResult) -> Interpretation | None:
    """The hospital's flag; without one, worked out from the printed range; None when neither
    says (such a line is never called normal)."""
    if result.interpretation is not None:
        return result.interpretation
    if result.value is None or (result.low is None and result.high is None):
        return None
    if result.low is not None and result.value < result.low:
        return Interpretation.LOW
    if result.high is not None and result.value > result.high:
        return Interpretation.HIGH
    return Interpretation.NORMAL


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


def _header(report: Report) -> str:
    place = report.institution_name or ""
    done = f"检查 {day_text(report.effective)}" if report.effective else ""
    issued = f"出报告 {time_text(report.issued)}" if report.issued else ""
    lines = [" · ".join(part for part in (place, done, issued) if part)]
    if report.fhir_status in ("amended", "corrected"):
        note = report.amendment_note or ""
        if len(note) > AMENDMENT_CHARS:
            note = note[:AMENDMENT_CHARS] + "…"
        lines.append(f"注意：这份报告已被医院更正{'：' + note if note else ''}")
    return "\n".join(line for line in lines if line)


def _critical(result: ReportResult) -> bool:
    found = flag(result)
    return found is not None and found.is_critical


def _lab_blocks(report: Report, glossary: Glossary) -> list[str]:
    results = shown_results(report)
    critical = [r for r in results if _critical(r)]
    abnormal = [r for r in results if (f := flag(r)) is not None and f.is_abnormal]
    abnormal = [r for r in abnormal if r not in critical]
    unflagged = [r for r in results if flag(r) is None]
    normal = [r for r in results if flag(r) is Interpretation.NORMAL]
    blocks: list[str] = []
    if abnormal:
        blocks.append(f"异常 {len(abnormal)} 项：")
        blocks.extend(_abnormal_line(result, glossary) for result in abnormal)
    if normal and not (critical or abnormal or unflagged):
        blocks.append(f"全部 {len(normal)} 项都在参考范围内。")
    elif normal:
        listed = "；".join(f"{r.name} {value_text(r)}" for r in normal)
        blocks.append(f"其余 {len(normal)} 项在参考范围内：{listed}")
    if unflagged:
        listed = "；".join(f"{r.name} {value_text(r)}" for r in unflagged)
        blocks.append(f"医院未标注是否正常 {len(unflagged)} 项（请问医生）：{listed}")
    if not results:
        blocks.append("这份报告没有检验项目明细，请向开单医院查询。")
    if report.conclusion:
        blocks.append(f"医生备注：{report.conclusion}")
    return blocks


def _abnormal_line(result: ReportResult, glossary: Glossary) -> str:
    found = flag(result)
    arrow = _ARROWS.get(found, "异常") if found is not None else "异常"
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
