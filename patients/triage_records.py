"""The trail of triage answers (智能导诊留痕): what the bot routed, for the admins who review it.

One row per answer: an emergency answer (with the red flags it was given for) or advice (a
department, an urgency level and whether a booking was offered). Health data is sensitive
personal information (PIPL), so nothing here holds the resident's words, the symptoms they
typed, a name or a document number: only the triage engine's codes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from patients.models import TriageEvent, TriageRedFlag
from patients.service import utc_now


class TriageKind(StrEnum):
    EMERGENCY = "emergency"  # the red-flag answer: call 120 or go to the emergency department
    ADVICE = "advice"  # a department, an urgency level and the offer to book


@dataclass(frozen=True)
class TriageRecord:
    id: int
    openid: str
    account_id: int | None
    patient_id: int | None
    kind: TriageKind
    department: str
    level: str
    red_flags: tuple[str, ...]  # most urgent first, as the engine ranked them
    followup_questions: int | None
    booking_offered: bool
    occurred_at: datetime


@dataclass(frozen=True)
class TriageQuery:
    """Filters of the admins' triage query; every field narrows it."""

    openid: str | None = None
    level: str | None = None
    department: str | None = None
    red_flag: str | None = None
    kind: TriageKind | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


@dataclass(frozen=True)
class TriageSummary:
    """Counts of the answers in [since, until); an unset bound leaves that side open.

    `by_red_flag` counts answers given for each flag (an answer may carry several flags).
    """

    since: datetime | None
    until: datetime | None
    total: int
    booking_offered: int
    by_kind: dict[str, int] = field(default_factory=dict)
    by_level: dict[str, int] = field(default_factory=dict)
    by_department: dict[str, int] = field(default_factory=dict)
    by_red_flag: dict[str, int] = field(default_factory=dict)


class TriageRecords:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    async def record(
        self,
        openid: str,
        kind: TriageKind,
        *,
        department: str,
        level: str,
        red_flags: Sequence[str] = (),
        account_id: int | None = None,
        patient_id: int | None = None,
        followup_questions: int | None = None,
        booking_offered: bool = False,
    ) -> None:
        async with self._sessions.begin() as session:
            event = TriageEvent(
                account_id=account_id,
                openid=openid,
                patient_id=patient_id,
                kind=kind.value,
                department=department,
                level=level,
                followup_questions=followup_questions,
                booking_offered=booking_offered,
                occurred_at=self._clock(),
            )
            session.add(event)
            await session.flush()  # the id the flags point to
            # A flag named twice is one flag: keep the engine's first (most urgent) place.
            unique = list(dict.fromkeys(red_flags))
            session.add_all(
                TriageRedFlag(event_id=event.id, position=position, flag=flag)
                for position, flag in enumerate(unique)
            )

    async def find(self, query: TriageQuery) -> list[TriageRecord]:
        """Newest first."""
        statement = select(TriageEvent).where(*_window(query.since, query.until))
        if query.openid is not None:
            statement = statement.where(TriageEvent.openid == query.openid)
        if query.level is not None:
            statement = statement.where(TriageEvent.level == query.level)
        if query.department is not None:
            statement = statement.where(TriageEvent.department == query.department)
        if query.kind is not None:
            statement = statement.where(TriageEvent.kind == query.kind.value)
        if query.red_flag is not None:
            flagged = select(TriageRedFlag.event_id).where(TriageRedFlag.flag == query.red_flag)
            statement = statement.where(TriageEvent.id.in_(flagged))
        statement = statement.order_by(TriageEvent.id.desc()).limit(query.limit)
        async with self._sessions() as session:
            events = list(await session.scalars(statement))
            flags: dict[int, list[str]] = {event.id: [] for event in events}
            if events:
                rows = await session.execute(
                    select(TriageRedFlag.event_id, TriageRedFlag.flag)
                    .where(TriageRedFlag.event_id.in_(flags))
                    .order_by(TriageRedFlag.event_id, TriageRedFlag.position)
                )
                for event_id, flag in rows:
                    flags[event_id].append(flag)
            return [_record(event, flags[event.id]) for event in events]

    async def summary(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> TriageSummary:
        async with self._sessions() as session:
            by_kind = await _count_by(session, TriageEvent.kind, since, until)
            by_level = await _count_by(session, TriageEvent.level, since, until)
            by_department = await _count_by(session, TriageEvent.department, since, until)
            by_red_flag = await _count_by(session, TriageRedFlag.flag, since, until)
            offered = await session.scalar(
                select(func.count())
                .select_from(TriageEvent)
                .where(TriageEvent.booking_offered.is_(True), *_window(since, until))
            )
        return TriageSummary(
            since=since,
            until=until,
            total=sum(by_kind.values()),
            booking_offered=int(offered or 0),
            # Both kinds always appear: "no emergencies" is an answer too.
            by_kind={kind.value: by_kind.get(kind.value, 0) for kind in TriageKind},
            by_level=by_level,
            by_department=by_department,
            by_red_flag=by_red_flag,
        )


async def _count_by(
    session: AsyncSession,
    column: InstrumentedAttribute[str],
    since: datetime | None,
    until: datetime | None,
) -> dict[str, int]:
    """Answers in the window by `column`, most frequent first (ties by name: a stable order)."""
    statement = select(column, func.count()).select_from(TriageEvent)
    if column.class_ is TriageRedFlag:
        statement = statement.join(TriageRedFlag, TriageRedFlag.event_id == TriageEvent.id)
    statement = statement.where(*_window(since, until)).group_by(column)
    rows = (await session.execute(statement)).all()
    counted = [(str(row[0]), int(row[1])) for row in rows]
    return dict(sorted(counted, key=_by_count))


def _window(since: datetime | None, until: datetime | None) -> list[ColumnElement[bool]]:
    """Conditions of [since, until) on the answer's time; an unset bound leaves that side open."""
    conditions = []
    if since is not None:
        conditions.append(TriageEvent.occurred_at >= since)
    if until is not None:
        conditions.append(TriageEvent.occurred_at < until)
    return conditions


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def _record(event: TriageEvent, red_flags: Sequence[str]) -> TriageRecord:
    return TriageRecord(
        id=event.id,
        openid=event.openid,
        account_id=event.account_id,
        patient_id=event.patient_id,
        kind=TriageKind(event.kind),
        department=event.department,
        level=event.level,
        red_flags=tuple(red_flags),
        followup_questions=event.followup_questions,
        booking_offered=event.booking_offered,
        occurred_at=event.occurred_at,
    )
