"""Report lookup (报告查询): list a patient's recent reports, show one in pages, page on.

「我的血常规出来了吗」 shows the newest blood count at once (or when it is expected); 「查报告」
lists recent reports to choose from; 「我阿爸上周的B超」 narrows by patient, exam and days. Only the
user's own bound patients' reports are read; sensitive ones are never shown; critical values go
to people (the resident is told to call the hospital or go to the emergency department now, and
staff get an alert). Every list, view, withholding and refusal is in the access trail.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking.calendar import china_today
from actions.booking.form import latest_entity
from actions.booking.patients import patient_label, pick_patient
from actions.hospital_identity import IdentityMismatch
from actions.reports.access import hospital_patient_id, owner_of, record, refuse
from actions.reports.glossary import glossary
from actions.reports.period import DayWindow, parse_report_period
from actions.reports.render import (
    Contact,
    flag,
    has_critical,
    list_title,
    render_cancelled,
    render_list_header,
    render_pending,
    render_report_pages,
    render_sensitive_critical,
    shown_results,
)
from actions.reports.selection import ReportFilter, select_reports
from actions.services import his_client, patient_services, report_records
from common.sensitive_reports import sensitive_policy
from integrations.his import HISError
from integrations.his.errors import HISNotFound
from integrations.his.report_models import Report, ReportStatus
from patients.relations import parse_relation
from patients.report_records import AccessAction, CriticalItem
from patients.service import PatientView

logger = logging.getLogger(__name__)

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]
MAX_LISTED = 8
LOOKBACK_DAYS = 180  # reports older than half a year are the hospital's archive, not chat
LIST_LIMIT = 200  # an inpatient may have many; a named test must still find its newest


class ActionLookupReport(Action):
    def name(self) -> str:
        return "action_lookup_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        openid = tracker.sender_id
        patients = await patient_services().book.list_patients(openid)
        report_id = latest_entity(tracker, "report_id")
        patient_id = latest_entity(tracker, "patient_id")
        relation = latest_entity(tracker, "relation")
        wanted = _wanted(tracker)
        if not patients:
            if relation or patient_id or report_id:
                await refuse(openid, "no_patients", relation=relation or "")
            dispatcher.utter_message(response="utter_reports_need_patient")
            return []
        try:
            if report_id is not None:
                return await show_report(dispatcher, openid, patients, report_id, page=1)
            # A relative named but not bound is None here, never the only patient instead.
            patient = pick_patient(patients, patient_id=patient_id, relation=relation)
            if patient is None:
                return await _ask_or_refuse(dispatcher, tracker, patients, wanted)
            return await _lookup(dispatcher, openid, patient, wanted)
        except IdentityMismatch:
            dispatcher.utter_message(response="utter_hospital_identity_mismatch")
            return []
        except HISError:
            logger.exception("report lookup failed")
            dispatcher.utter_message(response="utter_reports_unavailable")
            return []


class ActionShowMoreReport(Action):
    def name(self) -> str:
        return "action_show_more_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        report_id = tracker.get_slot("report_viewing")
        page = int(tracker.get_slot("report_page") or 0)
        if not report_id or not page:
            dispatcher.utter_message(response="utter_reports_nothing_more")
            return []
        patients = await patient_services().book.list_patients(tracker.sender_id)
        try:
            return await show_report(
                dispatcher, tracker.sender_id, patients, str(report_id), page=page + 1
            )
        except IdentityMismatch:
            dispatcher.utter_message(response="utter_hospital_identity_mismatch")
            return []
        except HISError:
            logger.exception("report paging failed")
            dispatcher.utter_message(response="utter_reports_unavailable")
            return []


def _wanted(tracker: Tracker) -> ReportFilter:
    text = str(tracker.latest_message.get("text") or "")
    kinds = [str(v).upper() for v in tracker.get_latest_entity_values("report_type") if v]
    if not kinds and not text.startswith("/"):
        kinds = glossary().codes_named_in(text)
    days = None if text.startswith("/") else parse_report_period(text, china_today())
    wanted = ReportFilter(tuple(dict.fromkeys(kinds)), days, latest_entity(tracker, "institution"))
    if text.startswith("/") and not wanted.kinds:
        # A button (a patient chosen) continues the request the user typed before it.
        return _restore(tracker.get_slot("report_query")) or wanted
    return wanted


async def _ask_or_refuse(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    patients: Sequence[PatientView],
    wanted: ReportFilter,
) -> Events:
    openid = tracker.sender_id
    patient_id = latest_entity(tracker, "patient_id")
    relation = latest_entity(tracker, "relation")
    if patient_id is not None:
        await refuse(openid, "patient_not_bound", patient_id=patient_id)
        dispatcher.utter_message(response="utter_reports_not_your_patient")
        return []
    if relation is not None and parse_relation(relation) not in {p.relation for p in patients}:
        await refuse(openid, "relation_not_bound", relation=relation)
        dispatcher.utter_message(response="utter_reports_relation_not_bound")
        return []
    buttons = [
        {"title": patient_label(p), "payload": f'/lookup_report{{"patient_id": "{p.id}"}}'}
        for p in patients
    ]
    dispatcher.utter_message(response="utter_ask_report_patient", buttons=buttons)
    return [SlotSet("report_query", _remember(wanted))]


async def _lookup(
    dispatcher: CollectingDispatcher, openid: str, patient: PatientView, wanted: ReportFilter
) -> Events:
    label = patient_label(patient)
    his_id = await hospital_patient_id(openid, patient)
    if his_id is None:
        dispatcher.utter_message(response="utter_reports_none", patient=label)
        return [SlotSet("report_query", None)]
    since = china_today() - timedelta(days=LOOKBACK_DAYS)
    reports = await his_client().list_reports(his_id, since=since, limit=LIST_LIMIT)
    await record(openid, AccessAction.LIST, patient, his_id, count=len(reports))
    chosen = select_reports(reports, wanted)
    if not chosen and wanted.institution:
        # Hospital names arrive as residents write them (荔湾中心医院): a soft filter.
        wanted = ReportFilter(wanted.kinds, wanted.days)
        chosen = select_reports(reports, wanted)
    reset = [SlotSet("report_query", None)]
    if wanted.specific and chosen:
        newest = chosen[0]
        if newest.status is ReportStatus.PENDING and not sensitive_policy().is_sensitive(newest):
            dispatcher.utter_message(text=render_pending(label, newest))
            return reset
        patients = [patient]
        return reset + await show_report(dispatcher, openid, patients, newest.id, page=1)
    if not chosen:
        if not reports:
            dispatcher.utter_message(response="utter_reports_none", patient=label)
            return reset
        dispatcher.utter_message(response="utter_reports_no_match", patient=label)
        chosen = select_reports(reports, ReportFilter())
    shown = chosen[:MAX_LISTED]
    policy = sensitive_policy()
    buttons = [
        {
            "title": list_title(r, sensitive=policy.is_sensitive(r)),
            "payload": f'/lookup_report{{"report_id": "{r.id}"}}',
        }
        for r in shown
    ]
    header = render_list_header(label, len(shown), len(chosen))
    dispatcher.utter_message(text=header, buttons=buttons)
    return reset


async def show_report(
    dispatcher: CollectingDispatcher,
    openid: str,
    patients: Sequence[PatientView],
    report_id: str,
    *,
    page: int,
) -> Events:
    """Page `page` (from 1) of a report, after checking it belongs to one of the user's
    patients; sets what 「更多」 shows next."""
    try:
        report = await his_client().get_report(report_id)
    except HISNotFound:
        await refuse(openid, "unknown_report", report_id=report_id)
        dispatcher.utter_message(response="utter_reports_not_your_patient")
        return []
    patient = await owner_of(openid, patients, report.patient_id)
    if patient is None:
        await refuse(openid, "report_not_yours", report_id=report_id)
        dispatcher.utter_message(response="utter_reports_not_your_patient")
        return []
    label = patient_label(patient)
    done: Events = [SlotSet("report_viewing", None), SlotSet("report_page", None)]
    critical = report.status is ReportStatus.RELEASED and has_critical(report)
    if critical and page == 1:
        await _flag_critical(report)  # staff are told whatever the resident may see
    policy = sensitive_policy()
    if policy.is_sensitive(report):
        await record(openid, AccessAction.WITHHELD, patient, report.patient_id, report.id)
        if critical:
            dispatcher.utter_message(text=render_sensitive_critical(await _contact(report)))
        dispatcher.utter_message(text=policy.advice(report.institution_name))
        return done
    if report.status is ReportStatus.PENDING:
        dispatcher.utter_message(text=render_pending(label, report))
        return done
    if report.status is ReportStatus.CANCELLED:
        dispatcher.utter_message(text=render_cancelled(label, report))
        return done
    contact = await _contact(report)
    pages = render_report_pages(label, report, glossary(), contact)
    if page > len(pages):
        dispatcher.utter_message(response="utter_reports_nothing_more")
        return done
    await record(openid, AccessAction.VIEW, patient, report.patient_id, report.id, page=page)
    dispatcher.utter_message(text=pages[page - 1])
    if page < len(pages):
        return [SlotSet("report_viewing", report.id), SlotSet("report_page", float(page))]
    return done


async def _contact(report: Report) -> Contact:
    name = report.institution_name or "开单医院"
    if not report.institution_id:
        return Contact(name)
    try:
        institution = await his_client().get_institution(report.institution_id)
    except HISError:
        return Contact(name)
    return Contact(institution.name, institution.phone)


async def _flag_critical(report: Report) -> None:
    items = [
        CriticalItem(
            code=result.code,
            name=result.name,
            value=f"{result.value_text or result.value} {result.unit or ''}".strip(),
            flag=found.fhir_code,
        )
        for result in shown_results(report)
        if (found := flag(result)) is not None and found.is_critical
    ]
    if items:
        await report_records().flag_critical(
            report_id=report.id,
            report_version=report.revision,  # the key the report watcher uses too
            his_patient_id=report.patient_id,
            institution_id=report.institution_id,
            items=items,
            source="chat",
        )


def _remember(wanted: ReportFilter) -> dict[str, Any]:
    days = wanted.days
    return {
        "kinds": list(wanted.kinds),
        "first": days.first.isoformat() if days else None,
        "last": days.last.isoformat() if days else None,
        "institution": wanted.institution,
    }


def _restore(saved: Any) -> ReportFilter | None:
    if not isinstance(saved, dict):
        return None
    days = None
    if saved.get("first") and saved.get("last"):
        days = DayWindow(date.fromisoformat(saved["first"]), date.fromisoformat(saved["last"]))
    return ReportFilter(tuple(saved.get("kinds") or ()), days, saved.get("institution"))
