"""What a report-ready notice says: a customer-service text, or the fields of a subscription
message. Pure functions; the wording lives in `integrations.wechat.texts`.

Subscription-message fields are typed by their key's prefix and WeChat refuses values over the
type's limit (47003), so values are cut to fit:
https://developers.weixin.qq.com/doc/service/api/notify/notify/api_sendnewsubscribemsg.html
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from integrations.wechat import texts

CHINA_TZ = timezone(timedelta(hours=8))
TEMPLATE_ROLES = frozenset({"patient", "test", "institution", "time", "note"})
# Characters a field of each type may hold. `name` takes pure Chinese only, so the masked
# patient name (陈*强) belongs in a `thing` field.
FIELD_LIMITS = {"thing": 20, "name": 10, "phrase": 5, "character_string": 32, "letter": 32}


@dataclass(frozen=True)
class ReportNotice:
    patient: str  # masked (陈*强): notices may be read over a shoulder
    test: str  # e.g. 血常规
    institution: str | None
    issued: datetime | None
    sensitive: bool  # never name the test
    critical: bool  # 危急值: act now
    updated: bool  # amended, corrected or appended after its first release


def notice_text(notice: ReportNotice) -> str:
    """The customer-service text."""
    if notice.sensitive:
        template = texts.REPORT_SENSITIVE_CRITICAL if notice.critical else texts.REPORT_SENSITIVE
        return template.format(patient=notice.patient)
    if notice.critical:
        template = texts.REPORT_CRITICAL
    elif notice.updated:
        template = texts.REPORT_UPDATED
    else:
        template = texts.REPORT_READY
    where = texts.REPORT_WHERE.format(institution=notice.institution) if notice.institution else ""
    return template.format(patient=notice.patient, test=notice.test, where=where)


def subscription_data(
    notice: ReportNotice, fields: Mapping[str, str], now: datetime
) -> dict[str, str]:
    """Values for the template's fields; `fields` maps roles (patient, test, ...) to keys."""
    if notice.sensitive:
        test, institution = texts.REPORT_SENSITIVE_TEST, texts.REPORT_SENSITIVE_INSTITUTION
    else:
        test, institution = notice.test, notice.institution or "—"
    values = {
        "patient": notice.patient,
        "test": test,
        "institution": institution,
        "time": _format_time(notice.issued or now),
        "note": _note(notice),
    }
    return {key: _fit(key, values[role]) for role, key in fields.items()}


def parse_template_fields(spec: str) -> dict[str, str]:
    """`patient=thing1,test=thing2,...` → {"patient": "thing1", ...}; roles may be left out
    (a template need not show every one). Raises ValueError for anything else."""
    fields: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in spec.split(","))):
        role, sep, key = (piece.strip() for piece in pair.partition("="))
        if not sep or role not in TEMPLATE_ROLES or not key.isidentifier():
            raise ValueError(f"template field {pair!r}: expected role=key, roles {TEMPLATE_ROLES}")
        fields[role] = key
    return fields


def _note(notice: ReportNotice) -> str:
    if notice.sensitive and notice.critical:
        return texts.REPORT_NOTE_SENSITIVE_CRITICAL
    if notice.sensitive:
        return texts.REPORT_NOTE_SENSITIVE
    if notice.critical:
        return texts.REPORT_NOTE_CRITICAL
    return texts.REPORT_NOTE_UPDATED if notice.updated else texts.REPORT_NOTE


def _format_time(moment: datetime) -> str:
    local = moment.astimezone(CHINA_TZ)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"  # WeChat's own example


def _fit(key: str, value: str) -> str:
    kind = key.rstrip("0123456789")
    limit = FIELD_LIMITS.get(kind)
    if limit is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…"
