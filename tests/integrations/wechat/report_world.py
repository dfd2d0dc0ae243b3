"""A small world for the report-notice and admin tests: frontdoor's database (migrated SQLite)
with patients bound through the real flow (SMS stand-in), the report and triage trails, the
WeChat API stand-in served in-process, and a hospital feed the test writes to."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from wechat_requests import signed

from integrations.his.errors import HISError, HISNotFound, HISUnavailable
from integrations.his.report_models import (
    Interpretation,
    Report,
    ReportCategory,
    ReportResult,
    ReportStatus,
    ReportSummary,
)
from integrations.sms.client import SMSClient
from integrations.wechat.api import WeChatAPIClient
from integrations.wechat.app import create_app
from integrations.wechat.outbox import Outbox
from integrations.wechat.rasa_client import RasaClient
from integrations.wechat.report_notices.delivery import DeliveryPolicy, NoticeDelivery
from integrations.wechat.report_notices.watcher import IsSensitive, ReportWatcher, WatchPolicy
from integrations.wechat.report_notices.wiring import ReportWiring
from integrations.wechat.settings import GatewaySettings
from integrations.wechat.state import MemoryStore, Store
from patients.db import make_async_engine, make_session_factory
from patients.drafts import PatientDraft
from patients.identity import resident_id_check_character
from patients.migrate import migrate
from patients.protection import Protector
from patients.report_records import ReportRecords
from patients.service import PatientBook, PatientView
from patients.triage_records import TriageRecords
from patients.vault import PIIVault
from sandbox.sms.app import DEFAULT_API_KEY
from sandbox.sms.app import create_app as create_sms_stand_in
from sandbox.wechat.api_server import create_app as create_wechat_stand_in

APP_ID = "wxreports00000001"
TOKEN = "reports-token"
ADMIN_TOKEN = "admin-secret"
ALICE = "oReportAlice000000000000001"
BOB = "oReportBob00000000000000002"
TEMPLATE = "tmplReportReady0000000001"
FIELDS = {"patient": "thing1", "test": "thing2", "institution": "thing3", "time": "time4"}
FATHER = "his-father"
HOSPITAL = "荔湾区中心医院"
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CONSENT = ("v1", "我同意区健康服务平台为查询报告处理我和家人的健康信息。")


@contextlib.asynccontextmanager
async def open_gateway(
    world: World, *, with_triage: bool = True, **overrides: Any
) -> AsyncIterator[Gateway]:
    """The gateway app on `world` (Rasa unreachable: these tests need no dialogue turn);
    `with_triage=False`: a gateway given no triage trail."""
    settings = GatewaySettings(
        **{
            "wechat_token": TOKEN,
            "wechat_app_id": APP_ID,
            "admin_token": ADMIN_TOKEN,
            "report_watch_interval_seconds": 0,
            "wechat_report_template_id": TEMPLATE,
            **overrides,
        }
    )
    rasa = RasaClient("http://127.0.0.1:9", timeout=0.5)
    wiring = ReportWiring(world.records, world.book, world.feed)
    store = MemoryStore()
    app = create_app(
        settings,
        rasa,
        store=store,
        wechat_api=world.api,
        vault=world.vault,
        reports=wiring,
        triage=world.triage if with_triage else None,
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as http,
    ):
        yield Gateway(http, store)
    await rasa.aclose()


@dataclass
class Gateway:
    http: httpx.AsyncClient
    store: Store

    async def post(self, body: bytes, openid: str = ALICE) -> httpx.Response:
        """POST `body` to /wechat, signed like WeChat does."""
        return await self.http.post("/wechat", params=signed(TOKEN, openid), content=body)

    async def admin_get(self, path: str, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        return await self.http.get(path, params=params, headers=headers)


def event_xml(openid: str, event: str, body: str = "") -> bytes:
    return (
        f"<xml><ToUserName><![CDATA[gh_x]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{time.time_ns()}</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>{body}</xml>"
    ).encode()


def resident_id(birth: str = "19500607", sequence: str = "017") -> str:
    first17 = "440103" + birth + sequence
    return first17 + resident_id_check_character(first17)


class Clock:
    """Aware UTC time that moves only when told."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def summary(
    report_id: str,
    *,
    at: datetime,
    patient: str = FATHER,
    code: str = "CBC",
    name: str = "血常规",
    fhir_status: str = "final",
    category: ReportCategory = ReportCategory.LAB,
    has_critical: bool | None = False,
    labels: Sequence[str] = (),
    version: str = "1",
) -> ReportSummary:
    released = fhir_status in ("final", "amended", "corrected", "appended")
    return ReportSummary(
        id=report_id,
        patient_id=patient,
        code=code,
        name=name,
        category=category,
        status=ReportStatus.RELEASED if released else ReportStatus.PENDING,
        fhir_status=fhir_status,
        issued=at if released else None,
        institution_id="org-1",
        institution_name=HOSPITAL,
        security_labels=tuple(labels),
        version_id=version,
        last_updated=at,
        has_critical=has_critical,
    )


def potassium_report(base: ReportSummary) -> Report:
    """`base` with a critical potassium (HH) and a normal sodium."""
    results = (
        ReportResult(
            id="obs-k",
            code="K",
            name="血钾",
            fhir_status="final",
            value_text="6.8",
            unit="mmol/L",
            interpretation=Interpretation.CRITICAL_HIGH,
        ),
        ReportResult(
            id="obs-na",
            code="NA",
            name="血钠",
            fhir_status="final",
            value_text="140",
            unit="mmol/L",
            interpretation=Interpretation.NORMAL,
        ),
    )
    return Report(**{**base.model_dump(), "has_critical": True}, results=results)


@dataclass
class FakeFeed:
    """The hospital's report feed as `HISClient.reports_changed_since` serves it."""

    reports: list[ReportSummary] = field(default_factory=list)
    details: dict[str, Report] = field(default_factory=dict)
    feed_down: bool = False
    details_down: bool = False
    unreadable: set[str] = field(default_factory=set)  # reports whose read the hospital refuses
    cursors: list[datetime] = field(default_factory=list)
    detail_reads: list[str] = field(default_factory=list)

    async def reports_changed_since(self, cursor: datetime) -> list[ReportSummary]:
        self.cursors.append(cursor)
        if self.feed_down:
            raise HISUnavailable("hospital unreachable")
        changed = [r for r in self.reports if r.last_updated and r.last_updated > cursor]
        return sorted(changed, key=lambda r: r.last_updated or cursor)

    async def get_report(self, report_id: str) -> Report:
        self.detail_reads.append(report_id)
        if self.details_down:
            raise HISUnavailable("hospital unreachable")
        if report_id in self.unreadable:
            raise HISError(f"DiagnosticReport/{report_id}: no test code")
        if report_id in self.details:
            return self.details[report_id]
        found = next((r for r in self.reports if r.id == report_id), None)
        if found is None:
            raise HISNotFound(report_id)
        return Report(**found.model_dump())


@dataclass
class World:
    records: ReportRecords
    book: PatientBook
    sms: httpx.AsyncClient
    api: WeChatAPIClient
    wx: httpx.AsyncClient  # the stand-in's control side (/sandbox/...)
    clock: Clock
    vault: PIIVault
    triage: TriageRecords
    feed: FakeFeed = field(default_factory=FakeFeed)

    async def bind(self, openid: str, name: str = "陈国强", his_id: str = FATHER) -> PatientView:
        """Bind the hospital patient `his_id` to `openid` the way residents do."""
        await self.book.record_consent(openid, *CONSENT)
        phone = "139" + str(sum(map(ord, openid)) * 7919 % 10**8).zfill(8)
        await self.book.start_binding(openid, PatientDraft(name, "parent", resident_id(), phone))
        messages = (await self.sms.get("/sandbox/messages")).json()  # newest first
        view = await self.book.confirm_binding(openid, messages[0]["params"]["code"])
        await self.book.set_his_patient_id(openid, view.id, his_id)
        return view

    def watcher(
        self,
        store: Store | None = None,
        *,
        template_id: str = TEMPLATE,
        is_sensitive: IsSensitive | None = None,
        lookback_minutes: float = 60,
        interval_seconds: float = 60,
    ) -> tuple[ReportWatcher, Outbox, Store]:
        """A watcher as one gateway process runs it, with its own outbox on `store`."""
        store = MemoryStore() if store is None else store  # an empty MemoryStore is falsy
        outbox = Outbox(store, self.api.send_text, send_notice=self.api.send_subscription)
        delivery = NoticeDelivery(
            store,
            outbox,
            self.records,
            self.api.send_subscription,
            DeliveryPolicy(template_id=template_id, template_fields=FIELDS),
            clock=self.clock,
        )
        extra = {} if is_sensitive is None else {"is_sensitive": is_sensitive}
        watcher = ReportWatcher(
            self.feed,
            self.book,
            self.records,
            store,
            delivery,
            policy=WatchPolicy(interval_seconds, timedelta(minutes=lookback_minutes)),
            clock=self.clock,
            **extra,
        )
        return watcher, outbox, store

    async def sent(self) -> list[dict[str, object]]:
        return list((await self.wx.get("/sandbox/sent")).json())


@contextlib.asynccontextmanager
async def open_world(tmp_path: Path) -> AsyncIterator[World]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'frontdoor.db'}"
    migrate(url)
    engine = make_async_engine(url)
    sessions = make_session_factory(engine)
    clock = Clock()
    sms_app = create_sms_stand_in(per_minute=100, per_day=100)
    stand_in = create_wechat_stand_in(APP_ID, "secret")
    async with (
        SMSClient(
            "http://sms.test", DEFAULT_API_KEY, transport=httpx.ASGITransport(sms_app)
        ) as sms,
        httpx.AsyncClient(transport=httpx.ASGITransport(sms_app), base_url="http://sms") as control,
        WeChatAPIClient(
            "http://wechat.test",
            APP_ID,
            "secret",
            MemoryStore(),
            transport=httpx.ASGITransport(stand_in),
        ) as api,
        httpx.AsyncClient(transport=httpx.ASGITransport(stand_in), base_url="http://wx") as wx,
    ):
        protector = Protector(bytes(range(32)))
        book = PatientBook(sessions, protector, sms, clock=clock)
        vault = PIIVault(sessions, protector)
        records = ReportRecords(sessions, clock=clock)
        triage = TriageRecords(sessions, clock=clock)
        yield World(records, book, control, api, wx, clock, vault, triage)
    await engine.dispose()
