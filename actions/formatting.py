"""Pure formatting of HIS data into short lines for chat replies.

Replies must stay short for elderly readers and under WeChat's 2048-byte limit, so lists are
capped and say how many more there are.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from integrations.his import Department, Institution, InstitutionKind

KIND_LABELS: dict[InstitutionKind, str] = {
    InstitutionKind.HOSPITAL: "医院",
    InstitutionKind.COMMUNITY_HEALTH_CENTRE: "社区卫生服务中心",
}
MAX_LINES = 12


def ordered_institutions(institutions: Sequence[Institution]) -> list[Institution]:
    """Hospitals first, then community health centres; by district and name within each."""
    return sorted(
        institutions,
        key=lambda i: (i.kind != InstitutionKind.HOSPITAL, i.district or "", i.name),
    )


def institution_choices(
    institutions: Sequence[Institution], *, with_district: bool = False, with_kind: bool = False
) -> list[dict[str, str]]:
    """Buttons, in the given order, that ask for an institution's departments.

    WeChat shows them numbered (passive replies) or tappable (pushed ones), so a resident can
    answer with a number instead of typing a long name.
    """
    buttons = []
    for institution in institutions[:MAX_LINES]:
        details = []
        if with_district and institution.district:
            details.append(institution.district)
        label = KIND_LABELS.get(institution.kind) if institution.kind else None
        if with_kind and label and label not in institution.name:
            details.append(label)
        suffix = f"（{'，'.join(details)}）" if details else ""
        payload = {"institution": institution.name}
        buttons.append(
            {
                "title": institution.name + suffix,
                "payload": "/list_departments" + json.dumps(payload, ensure_ascii=False),
            }
        )
    return buttons


def shown_note(total: int) -> str:
    """Says that a list was cut, e.g. "，先列出12家"; empty when everything is shown."""
    return f"，先列出{MAX_LINES}家" if total > MAX_LINES else ""


def department_lines(departments: Sequence[Department]) -> str:
    """One line per department; not-bookable ones (e.g. emergency) are marked."""
    lines = []
    for department in departments[:MAX_LINES]:
        note = "（不需预约，直接就诊）" if not department.bookable else ""
        lines.append(f"· {department.name}{note}")
    if len(departments) > MAX_LINES:
        lines.append(f"……还有{len(departments) - MAX_LINES}个科室")
    return "\n".join(lines)


def common_department_lines(departments: Sequence[Department], centre_count: int) -> str:
    """Departments across community health centres, with how many centres offer each."""
    centres_by_name: dict[str, set[str]] = {}
    for department in departments:
        centres_by_name.setdefault(department.name, set()).add(department.institution_id)
    ranked = sorted(centres_by_name.items(), key=lambda item: (-len(item[1]), item[0]))
    lines = []
    for name, centres in ranked[:MAX_LINES]:
        coverage = "每家都有" if len(centres) == centre_count else f"{len(centres)}家有"
        lines.append(f"· {name}（{coverage}）")
    return "\n".join(lines)
