"""What frontdoor must remember about hospital reports: who read which report (全程留痕),
critical values flagged for staff (危急值), report-ready notices sent (exactly once per report
version and account), users' answers to subscribe-message prompts, and feed cursors.

Nothing here holds a name or a document number; critical-value rows hold the test and value,
which staff need to act on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from patients.models import (
    CriticalValueAlert,
    FeedCursor,
    NotificationSubscription,
    ReportAccess,
    ReportNotification,
)
from patients.service import utc_now


class AccessAction(StrEnum):
    LIST = "list"  # a list of a patient's reports was shown
    VIEW = "view"  # one report was shown (detail carries the page)
    WITHHELD = "withheld"  # a sensitive report was asked for and not shown
    REFUSED = "refused"  # the patient is not bound by this user, or the report is not theirs
    NOTIFIED = "notified"  # a report-ready notice was sent


@dataclass(frozen=True)
class AccessRecord:
    id: int
    openid: str
    account_id: int | None
    patient_id: int | None
    his_patient_id: str | None
    report_id: str | None
    action: AccessAction
    detail: dict[str, object]
    occurred_at: datetime


@dataclass(frozen=True)
class CriticalItem:
    code: str
    name: str
    value: str
    flag: str  # HH, LL or AA


@dataclass(frozen=True)
class CriticalAlert:
    id: int
    report_id: str
    report_version: str
    his_patient_id: str
    institution_id: str | None
    items: tuple[CriticalItem, ...]
    source: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None


@dataclass(frozen=True)
class AccessQuery:
    """Filters of the admins' audit query; every field narrows it."""

    openid: str | None = None
    patient_id: int | None = None
    his_patient_id: str | None = None
    report_id: str | None = None
    action: AccessAction | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


class ReportRecords:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    # --- access trail -------------------------------------------------------------------------

    async def record_access(
        self,
        openid: str,
        action: AccessAction,
        *,
        account_id: int | None = None,
        patient_id: int | None = None,
        his_patient_id: str | None = None,
        report_id: str | None = None,
        detail: Mapping[str, str | int] | None = None,
    ) -> None:
        async with self._sessions.begin() as session:
            session.add(
                ReportAccess(
                    account_id=account_id,
                    openid=openid,
                    patient_id=patient_id,
                    his_patient_id=his_patient_id,
                    report_id=report_id,
                    action=action.value,
                    detail=_detail_json(detail or {}),
                    occurred_at=self._clock(),
                )
            )

    async def find_access(self, query: AccessQuery) -> list[AccessRecord]:
        """Newest first."""
        statement = select(ReportAccess)
        if query.openid is not None:
            statement = statement.where(ReportAccess.openid == query.openid)
        if query.patient_id is not None:
            statement = statement.where(ReportAccess.patient_id == query.patient_id)
        if query.his_patient_id is not None:
            statement = statement.where(ReportAccess.his_patient_id == query.his_patient_id)
        if query.report_id is not None:
            statement = statement.where(ReportAccess.report_id == query.report_id)
        if query.action is not None:
            statement = statement.where(ReportAccess.action == query.action.value)
        if query.since is not None:
            statement = statement.where(ReportAccess.occurred_at >= query.since)
        if query.until is not None:
            statement = statement.where(ReportAccess.occurred_at < query.until)
        statement = statement.order_by(ReportAccess.id.desc()).limit(query.limit)
        async with self._sessions() as session:
            rows = await session.scalars(statement)
            return [_access_record(row) for row in rows]

    # --- critical values ----------------------------------------------------------------------

    async def flag_critical(
        self,
        *,
        report_id: str,
        report_version: str,
        his_patient_id: str,
        institution_id: str | None,
        items: Sequence[CriticalItem],
        source: str,
    ) -> bool:
        """Record the alert once per report version; False when it was already flagged."""
        alert = CriticalValueAlert(
            report_id=report_id,
            report_version=report_version,
            his_patient_id=his_patient_id,
            institution_id=institution_id,
            items=json.dumps([item.__dict__ for item in items], ensure_ascii=False, sort_keys=True),
            source=source,
            created_at=self._clock(),
        )
        return await self._insert_once(alert)

    async def critical_alerts(
        self, *, open_only: bool = True, limit: int = 100
    ) -> list[CriticalAlert]:
        """Oldest open alert first: it has waited longest."""
        statement = select(CriticalValueAlert)
        if open_only:
            statement = statement.where(CriticalValueAlert.acknowledged_at.is_(None))
        statement = statement.order_by(CriticalValueAlert.id).limit(limit)
        async with self._sessions() as session:
            return [_alert(row) for row in await session.scalars(statement)]

    async def acknowledge(self, alert_id: int, by: str) -> CriticalAlert | None:
        async with self._sessions.begin() as session:
            row = await session.get(CriticalValueAlert, alert_id)
            if row is None:
                return None
            if row.acknowledged_at is None:
                row.acknowledged_at = self._clock()
                row.acknowledged_by = by
            await session.flush()
            return _alert(row)

    # --- report-ready notices -----------------------------------------------------------------

    async def claim_notification(
        self,
        *,
        report_id: str,
        report_version: str,
        account_id: int,
        patient_id: int,
        channel: str,
    ) -> bool:
        """True for the one caller that should send this notice (several watchers may race)."""
        return await self._insert_once(
            ReportNotification(
                report_id=report_id,
                report_version=report_version,
                account_id=account_id,
                patient_id=patient_id,
                channel=channel,
                created_at=self._clock(),
            )
        )

    # --- subscriptions ------------------------------------------------------------------------

    async def set_subscription(self, openid: str, template_id: str, accepted: bool) -> None:
        status = "accept" if accepted else "reject"
        async with self._sessions.begin() as session:
            row = await session.scalar(
                select(NotificationSubscription).where(
                    NotificationSubscription.openid == openid,
                    NotificationSubscription.template_id == template_id,
                )
            )
            if row is None:
                session.add(
                    NotificationSubscription(
                        openid=openid,
                        template_id=template_id,
                        status=status,
                        updated_at=self._clock(),
                    )
                )
            else:
                row.status = status
                row.updated_at = self._clock()

    async def is_subscribed(self, openid: str, template_id: str) -> bool:
        async with self._sessions() as session:
            status = await session.scalar(
                select(NotificationSubscription.status).where(
                    NotificationSubscription.openid == openid,
                    NotificationSubscription.template_id == template_id,
                )
            )
            return status == "accept"

    # --- feed cursors -------------------------------------------------------------------------

    async def cursor(self, name: str) -> datetime | None:
        async with self._sessions() as session:
            row = await session.get(FeedCursor, name)
            return row.position if row else None

    async def move_cursor(self, name: str, position: datetime) -> None:
        """Only ever forward: a slow watcher cannot move a faster one back."""
        async with self._sessions.begin() as session:
            row = await session.get(FeedCursor, name, with_for_update=True)
            if row is None:
                session.add(FeedCursor(name=name, position=position))
            elif position > row.position:
                row.position = position

    async def _insert_once(self, row: object) -> bool:
        try:
            async with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            return False
        return True


def _detail_json(detail: Mapping[str, str | int]) -> str:
    text = json.dumps(detail, sort_keys=True, ensure_ascii=False)
    # The column is bounded; details are short facts, so an overflow is a bug, not data.
    return text if len(text) <= 512 else json.dumps({"truncated": True})


def _access_record(row: ReportAccess) -> AccessRecord:
    return AccessRecord(
        id=row.id,
        openid=row.openid,
        account_id=row.account_id,
        patient_id=row.patient_id,
        his_patient_id=row.his_patient_id,
        report_id=row.report_id,
        action=AccessAction(row.action),
        detail=json.loads(row.detail),
        occurred_at=row.occurred_at,
    )


def _alert(row: CriticalValueAlert) -> CriticalAlert:
    items = tuple(CriticalItem(**item) for item in json.loads(row.items))
    return CriticalAlert(
        id=row.id,
        report_id=row.report_id,
        report_version=row.report_version,
        his_patient_id=row.his_patient_id,
        institution_id=row.institution_id,
        items=items,
        source=row.source,
        created_at=row.created_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
    )
