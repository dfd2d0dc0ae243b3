"""The report watcher: polls the hospital's feed of changed reports and owes each account that
bound the patient one notice per report version.

Every gateway process may run one. A store lock lets one poll at a time; the claim in the
frontdoor DB (`ReportRecords.claim_notification`) makes each notice exactly-once even without
a shared store. The cursor moves past a report only once all its notices were claimed, so a
run cut short (HIS outage, crash) resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from common.privacy import mask_openid
from integrations.his.errors import HISError, HISUnavailable
from integrations.his.report_models import Report, ReportStatus, ReportSummary
from integrations.wechat.report_notices.compose import ReportNotice
from integrations.wechat.report_notices.delivery import NoticeDelivery
from integrations.wechat.report_notices.feed import (
    ReportFeed,
    critical_items,
    needs_results,
)
from integrations.wechat.state import Store
from patients.report_records import AccessAction, ReportRecords
from patients.service import PatientView, utc_now

logger = logging.getLogger("frontdoor.gateway.reports")

CURSOR_NAME = "his-reports"
LOCK_KEY = "reports:watcher:lock"
# Longer than a run normally takes; should one take longer, a second poller only repeats
# work that the claims turn into no-ops.
LOCK_SECONDS = 300.0
# Re-read this far behind the cursor: a hospital transaction that commits late carries an
# earlier lastUpdated than reports already seen. Repeats are skipped cheaply (DONE marks).
OVERLAP = timedelta(seconds=60)
DONE_SECONDS = 2 * 24 * 3600.0
IsSensitive = Callable[[ReportSummary], bool]


class PatientDirectory(Protocol):
    """What the watcher needs from `patients.service.PatientBook`."""

    async def watchers_of(self, his_patient_id: str) -> list[tuple[str, PatientView]]: ...

    async def account_id(self, openid: str) -> int | None: ...


@dataclass(frozen=True)
class WatchPolicy:
    interval_seconds: float = 60.0  # 0: the watcher does not run
    lookback: timedelta = timedelta(minutes=60)  # where a first run starts


@dataclass(frozen=True)
class RunResult:
    reports: int = 0  # reports read from the feed
    notices: int = 0  # notices this run claimed
    complete: bool = True  # False: stopped early (HIS outage), resumes next run


def _labelled(summary: ReportSummary) -> bool:
    return summary.is_sensitive


def done_key(report_id: str, version: str) -> str:
    return f"reports:notified:{report_id}:{version}"


class ReportWatcher:
    def __init__(
        self,
        feed: ReportFeed,
        patients: PatientDirectory,
        records: ReportRecords,
        store: Store,
        delivery: NoticeDelivery,
        *,
        policy: WatchPolicy | None = None,
        is_sensitive: IsSensitive = _labelled,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._feed = feed
        self._patients = patients
        self._records = records
        self._store = store
        self._delivery = delivery
        self._policy = policy or WatchPolicy()
        self._is_sensitive = is_sensitive
        self._clock = clock

    async def run(self, stop: asyncio.Event) -> None:
        """Poll every interval until `stop` is set; the first poll comes after one interval,
        so a starting gateway answers WeChat before it reads the hospital."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._policy.interval_seconds)
                return
            except TimeoutError:
                pass
            try:
                await self.run_once()
            except Exception:  # the database or the store failed: try again next interval
                logger.exception("report watcher run failed; retrying next interval")

    async def run_once(self) -> RunResult | None:
        """One poll; None when another process holds the lock."""
        owner = uuid.uuid4().hex
        if not await self._store.set_nx(LOCK_KEY, owner, LOCK_SECONDS):
            return None
        try:
            return await self._poll()
        finally:
            await self._store.delete_if_equals(LOCK_KEY, owner)

    async def _poll(self) -> RunResult:
        cursor = await self._records.cursor(CURSOR_NAME)
        if cursor is None:
            # Never from the beginning of time: old reports are not news.
            cursor = self._clock() - self._policy.lookback
            try:
                await self._records.move_cursor(CURSOR_NAME, cursor)
            except IntegrityError:  # another process started the feed at the same moment
                cursor = await self._records.cursor(CURSOR_NAME) or cursor
        try:
            reports = list(await self._feed.reports_changed_since(cursor - OVERLAP))
        except HISError as exc:
            logger.warning("report feed unavailable (%s); retrying next interval", exc)
            return RunResult(complete=False)
        reports.sort(key=lambda r: r.last_updated or cursor)  # stable: the feed's order stays
        notices = 0
        for index, summary in enumerate(reports):
            try:
                notices += await self._handle(summary)
            except HISUnavailable as exc:
                logger.warning(
                    "report %s: hospital unavailable (%s); resuming next interval", summary.id, exc
                )
                return RunResult(len(reports), notices, complete=False)
            except HISError as exc:
                # Not a passing outage (a report outside the contract, a refused read): retrying
                # forever would stop every later notice and alert, so it is skipped, loudly.
                logger.error("report %s skipped by the report watcher: %s", summary.id, exc)
            await self._advance(summary, reports[index + 1 :])
        return RunResult(len(reports), notices)

    async def _advance(self, done: ReportSummary, rest: Sequence[ReportSummary]) -> None:
        """Move the cursor past `done`, unless the next report shares its instant: the feed
        reads strictly after the cursor, so that one would be skipped after a crash."""
        moment = done.last_updated
        following = rest[0].last_updated if rest else None
        if moment is not None and (not rest or (following is not None and following > moment)):
            # Never past our own clock: one report stamped in the future (a hospital clock
            # ahead, a bad import) would otherwise hide every report released until then.
            await self._records.move_cursor(CURSOR_NAME, min(moment, self._clock()))

    async def _handle(self, summary: ReportSummary) -> int:
        if summary.status is not ReportStatus.RELEASED:
            return 0
        version = summary.revision  # one notice per revision a resident would call news
        if await self._store.get(done_key(summary.id, version)):
            return 0
        notices = 0
        watchers = await self._patients.watchers_of(summary.patient_id)
        if watchers:
            report = await self._feed.get_report(summary.id) if needs_results(summary) else None
            critical = await self._flag_critical(summary, report, version)
            sensitive = self._is_sensitive(report or summary)
            for openid, patient in watchers:
                notices += await self._notify(
                    openid, patient, summary, version, critical=critical, sensitive=sensitive
                )
        await self._store.set(done_key(summary.id, version), "1", ttl=DONE_SECONDS)
        return notices

    async def _flag_critical(
        self, summary: ReportSummary, report: Report | None, version: str
    ) -> bool:
        items = critical_items(report) if report is not None else []
        if not (items or summary.has_critical or (report is not None and report.has_critical)):
            return False
        # Staff must call the patient (BRIEF §2): a notice to the family is not enough.
        await self._records.flag_critical(
            report_id=summary.id,
            report_version=version,
            his_patient_id=summary.patient_id,
            institution_id=summary.institution_id,
            items=items,
            source="feed",
        )
        return True

    async def _notify(
        self,
        openid: str,
        patient: PatientView,
        summary: ReportSummary,
        version: str,
        *,
        critical: bool,
        sensitive: bool,
    ) -> int:
        account_id = await self._patients.account_id(openid)
        if account_id is None:  # the account was removed meanwhile
            return 0
        decision = await self._delivery.choose(openid)
        claimed = await self._records.claim_notification(
            report_id=summary.id,
            report_version=version,
            account_id=account_id,
            patient_id=patient.id,
            channel=decision.channel.value,
        )
        if not claimed:  # another watcher owns this notice
            return 0
        notice = ReportNotice(
            patient=patient.masked_name,
            test=summary.name,
            institution=summary.institution_name,
            issued=summary.issued,
            sensitive=sensitive,
            critical=critical,
            updated=summary.fhir_status != "final",
        )
        result = await self._delivery.send(openid, decision, notice)
        await self._records.record_access(
            openid,
            AccessAction.NOTIFIED,
            account_id=account_id,
            patient_id=patient.id,
            his_patient_id=summary.patient_id,
            report_id=summary.id,
            detail={
                "channel": decision.channel.value,
                "result": result,
                "version": version,
                "critical": int(critical),
                "sensitive": int(sensitive),
            },
        )
        logger.info(
            "report notice to %s: %s (%s)", mask_openid(openid), decision.channel.value, result
        )
        return 1
