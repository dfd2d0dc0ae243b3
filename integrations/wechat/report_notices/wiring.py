"""How the gateway assembles report notices from its settings: the records and patients in
frontdoor's DB, the hospital's feed, the delivery channels and the watcher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.sensitive_reports import sensitive_policy
from integrations.his.client import HISClient
from integrations.wechat.api import WeChatAPIClient
from integrations.wechat.outbox import Outbox
from integrations.wechat.report_notices.delivery import DeliveryPolicy, NoticeDelivery
from integrations.wechat.report_notices.feed import ReportFeed
from integrations.wechat.report_notices.watcher import (
    IsSensitive,
    PatientDirectory,
    ReportWatcher,
    WatchPolicy,
)
from integrations.wechat.settings import GatewaySettings
from integrations.wechat.state import Store
from patients.protection import Protector
from patients.report_records import ReportRecords
from patients.service import PatientBook


@dataclass
class ReportWiring:
    """What report notices, subscription answers and the admin queries use: frontdoor's
    records, the patients bound by each account, and the hospital's report feed."""

    records: ReportRecords
    patients: PatientDirectory
    feed: ReportFeed
    # None: the shared sensitive-report list (common/sensitive_reports.yml).
    is_sensitive: IsSensitive | None = None


class _NoSMS:
    """The gateway binds no patients, so its `PatientBook` never sends a code."""

    async def send_verification_code(self, phone_e164: str, code: str, minutes: int) -> str:
        raise RuntimeError("the gateway does not send SMS")


def open_report_wiring(
    settings: GatewaySettings,
    sessions: async_sessionmaker[AsyncSession],
    protector: Protector,
) -> tuple[ReportWiring, HISClient]:
    """The wiring on frontdoor's DB and `HIS_BASE_URL`; the caller closes the `HISClient`."""
    his = HISClient(settings.his_base_url)
    book = PatientBook(sessions, protector, _NoSMS())
    return ReportWiring(ReportRecords(sessions), book, his), his


def build_report_watcher(
    settings: GatewaySettings,
    wiring: ReportWiring,
    store: Store,
    outbox: Outbox,
    api: WeChatAPIClient,
) -> ReportWatcher:
    delivery = NoticeDelivery(
        store,
        outbox,
        wiring.records,
        api.send_subscription,
        DeliveryPolicy(
            template_id=settings.wechat_report_template_id,
            template_fields=settings.report_template_fields,
            customer_service=settings.wechat_customer_service_enabled,
        ),
    )
    return ReportWatcher(
        wiring.feed,
        wiring.patients,
        wiring.records,
        store,
        delivery,
        policy=WatchPolicy(
            interval_seconds=settings.report_watch_interval_seconds,
            lookback=timedelta(minutes=settings.report_watch_lookback_minutes),
        ),
        is_sensitive=wiring.is_sensitive or shared_report_sensitivity(),
    )


def shared_report_sensitivity() -> IsSensitive:
    """The shared sensitive-report list, so chat and notices hide the same reports."""
    return sensitive_policy().is_sensitive
