"""Admin queries on report data: who saw or was told about which report (全程留痕), and the
critical values (危急值) staff must follow up; and on triage: what the bot routed (emergencies
and their red flags, departments, levels, booking offers), never the residents' words.

Every endpoint needs `Authorization: Bearer <ADMIN_TOKEN>`: 401 without a bearer token, 403
with a wrong one, 404 while no ADMIN_TOKEN is configured (the endpoints do not exist). OpenIDs
are masked in every answer; filters take the full OpenID.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field

from common.privacy import mask_openid
from integrations.wechat.settings import GatewaySettings
from patients.report_records import (
    AccessAction,
    AccessQuery,
    AccessRecord,
    CriticalAlert,
    ReportRecords,
)
from patients.triage_records import (
    TriageKind,
    TriageQuery,
    TriageRecord,
    TriageRecords,
    TriageSummary,
)
from triage.model import Level

# Admins type times as they read them: without an offset, a time is China time.
CHINA_TZ = timezone(timedelta(hours=8))
MAX_ROWS = 500
# Department codes and red-flag names are short identifiers (the columns hold 64 characters).
CodeFilter = Annotated[str | None, Query(min_length=1, max_length=64)]


class Acknowledgement(BaseModel):
    # Who took it on (acknowledged_by holds 64 characters).
    by: str = Field(min_length=1, max_length=64, pattern=r"\S")


def admin_router(settings: GatewaySettings) -> APIRouter:
    def require_admin(authorization: Annotated[str, Header()] = "") -> None:
        if not settings.admin_token:
            raise HTTPException(status_code=404)
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "bearer token required", {"WWW-Authenticate": "Bearer"})
        # Bytes, so a non-ASCII header is a mismatch rather than an error.
        if not hmac.compare_digest(token.encode("utf-8"), settings.admin_token.encode("utf-8")):
            raise HTTPException(status_code=403, detail="wrong token")

    router = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)])

    @router.get("/reports/access")
    async def report_access(
        request: Request,
        openid: str | None = None,
        patient_id: int | None = None,
        his_patient_id: str | None = None,
        report_id: str | None = None,
        action: AccessAction | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 100,
    ) -> list[dict[str, Any]]:
        """The report access trail, newest first."""
        query = AccessQuery(
            openid=openid,
            patient_id=patient_id,
            his_patient_id=his_patient_id,
            report_id=report_id,
            action=action,
            since=_aware(since),
            until=_aware(until),
            limit=limit,
        )
        return [_access_json(r) for r in await _records(request).find_access(query)]

    @router.get("/critical-values")
    async def critical_values(
        request: Request,
        include_acknowledged: Annotated[bool, Query(alias="all")] = False,
        limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 100,
    ) -> list[dict[str, Any]]:
        """Open alerts, oldest first; `all=true` includes acknowledged ones."""
        records = _records(request)
        alerts = await records.critical_alerts(open_only=not include_acknowledged, limit=limit)
        return [_alert_json(alert) for alert in alerts]

    @router.post("/critical-values/{alert_id}/acknowledge")
    async def acknowledge(request: Request, alert_id: int, body: Acknowledgement) -> dict[str, Any]:
        """Staff took the alert on; the first acknowledgement stands."""
        alert = await _records(request).acknowledge(alert_id, body.by.strip())
        if alert is None:
            raise HTTPException(status_code=404, detail="no such alert")
        return _alert_json(alert)

    @router.get("/triage")
    async def triage_answers(
        request: Request,
        openid: str | None = None,
        level: Level | None = None,
        department: CodeFilter = None,
        red_flag: CodeFilter = None,
        kind: TriageKind | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_ROWS)] = 100,
    ) -> list[dict[str, Any]]:
        """The triage answers, newest first."""
        query = TriageQuery(
            openid=openid,
            level=level.value if level else None,
            department=department,
            red_flag=red_flag,
            kind=kind,
            since=_aware(since),
            until=_aware(until),
            limit=limit,
        )
        return [_triage_json(r) for r in await _triage_records(request).find(query)]

    @router.get("/triage/summary")
    async def triage_summary(
        request: Request, since: datetime | None = None, until: datetime | None = None
    ) -> dict[str, Any]:
        """Counts of the answers in [since, until) by kind, level, department and red flag."""
        summary = await _triage_records(request).summary(_aware(since), _aware(until))
        return _summary_json(summary)

    return router


def _triage_records(request: Request) -> TriageRecords:
    records: TriageRecords | None = request.app.state.services.triage
    if records is None:
        raise HTTPException(status_code=503, detail="triage records are not configured")
    return records


def _records(request: Request) -> ReportRecords:
    reports = request.app.state.services.reports
    if reports is None:
        raise HTTPException(status_code=503, detail="report records are not configured")
    records: ReportRecords = reports.records
    return records


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=CHINA_TZ)


def _access_json(record: AccessRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "openid": mask_openid(record.openid),
        "account_id": record.account_id,
        "patient_id": record.patient_id,
        "his_patient_id": record.his_patient_id,
        "report_id": record.report_id,
        "action": record.action.value,
        "detail": record.detail,
        "occurred_at": record.occurred_at.isoformat(),
    }


def _alert_json(alert: CriticalAlert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "report_id": alert.report_id,
        "report_version": alert.report_version,
        "his_patient_id": alert.his_patient_id,
        "institution_id": alert.institution_id,
        "items": [item.__dict__ for item in alert.items],
        "source": alert.source,
        "created_at": alert.created_at.isoformat(),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
        "acknowledged_by": alert.acknowledged_by,
    }


def _triage_json(record: TriageRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "openid": mask_openid(record.openid),
        "account_id": record.account_id,
        "patient_id": record.patient_id,
        "kind": record.kind.value,
        "department": record.department,
        "level": record.level,
        "red_flags": list(record.red_flags),
        "followup_questions": record.followup_questions,
        "booking_offered": record.booking_offered,
        "occurred_at": record.occurred_at.isoformat(),
    }


def _summary_json(summary: TriageSummary) -> dict[str, Any]:
    return {
        "since": summary.since.isoformat() if summary.since else None,
        "until": summary.until.isoformat() if summary.until else None,
        "total": summary.total,
        "booking_offered": summary.booking_offered,
        "by_kind": summary.by_kind,
        "by_level": summary.by_level,
        "by_department": summary.by_department,
        "by_red_flag": summary.by_red_flag,
    }
