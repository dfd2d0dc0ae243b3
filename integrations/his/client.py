"""Async client for the hospital's FHIR R4 REST API.

It owns one `httpx.AsyncClient` (base URL, timeouts), retries idempotent requests on connection
errors and 5xx answers, follows searchset paging, and maps failures to `integrations.his.errors`.
Every request it sends is idempotent: reads; registration and booking as conditional creates
(https://hl7.org/fhir/R4/http.html#ccreate) on an identifier; cancellation as a status PATCH.
FHIR search: https://hl7.org/fhir/R4/search.html
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time as monotonic_time
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any, TypeVar

import httpx
from fhir.resources.R4B.appointment import Appointment as FHIRAppointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.diagnosticreport import DiagnosticReport
from fhir.resources.R4B.healthcareservice import HealthcareService
from fhir.resources.R4B.location import Location
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.practitionerrole import PractitionerRole
from fhir.resources.R4B.resource import Resource
from fhir.resources.R4B.schedule import Schedule
from fhir.resources.R4B.slot import Slot
from pydantic import ValidationError

from common.fhir_contract import REPORT_CATEGORY, TEST_CODE
from common.privacy import mask_pii
from integrations.his.errors import (
    BookingRefused,
    CancellationRefused,
    HISError,
    HISNotFound,
    HISUnavailable,
    SlotTaken,
)
from integrations.his.fhir_mapping import (
    BOOKING_REQUEST_SYSTEM,
    IDENTITY_SYSTEMS,
    INSTITUTION_KIND_SYSTEM,
    PRACTITIONER_TITLE_SYSTEM,
    References,
    appointment_from_fhir,
    booking_to_fhir,
    cancellation_patch,
    department_from_fhir,
    identifier_criteria,
    institution_from_fhir,
    patient_name,
    patient_to_fhir,
    reference_id,
    refusal_from_outcome,
    schedule_actors,
    service_location_id,
    slot_option_from_fhir,
)
from integrations.his.models import (
    CHINA_TZ,
    Appointment,
    AppointmentStatus,
    Department,
    HospitalPatient,
    Institution,
    InstitutionKind,
    PatientRegistration,
    SlotOption,
    SlotQuery,
)
from integrations.his.report_mapping import (
    CATEGORY_CODES,
    fhir_statuses,
    report_from_fhir,
    report_summary_from_fhir,
    result_ids,
)
from integrations.his.report_models import Report, ReportCategory, ReportStatus, ReportSummary

logger = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
JSON_PATCH = "application/json-patch+json"
_PAGE_SIZE = 100
_MAX_PAGES = 20  # a guard against a server whose `next` links never end
_IDS_PER_SEARCH = 50  # `_id=a,b,...` lookups are split to keep URLs short
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
# Slots open about 7 days ahead in Guangzhou (BRIEF §4): searches default to that horizon.
DEFAULT_SEARCH_DAYS = 7

R = TypeVar("R", bound=Resource)


class HISClient:
    """Talks to a FHIR server at `base_url` (e.g. .../fhir): directory, slots and bookings."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 3.0,
        retries: int = 2,
        backoff: float = 0.2,
        reference_ttl: float = 300.0,
        clock: Callable[[], datetime] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._retries = retries
        self._backoff = backoff
        # Schedules, roles, departments and sites change rarely; slots and bookings are never
        # cached.
        self._reference_ttl = reference_ttl
        self._references: dict[str, tuple[float, Resource]] = {}
        self._clock = clock or (lambda: datetime.now(CHINA_TZ))
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            timeout=httpx.Timeout(timeout),
            headers={"Accept": FHIR_JSON},
            transport=transport,
        )

    async def __aenter__(self) -> HISClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- directory --------------------------------------------------------------------------------

    async def search_institutions(
        self,
        *,
        district: str | None = None,
        kind: InstitutionKind | None = None,
        name_contains: str | None = None,
    ) -> list[Institution]:
        params: dict[str, str] = {}
        if district:
            params["address"] = district
        if kind:
            params["type"] = f"{INSTITUTION_KIND_SYSTEM}|{kind.value}"
        if name_contains:
            params["name:contains"] = name_contains
        resources = await self._search("Organization", params)
        return [institution_from_fhir(r) for r in resources if isinstance(r, Organization)]

    async def get_institution(self, institution_id: str) -> Institution:
        data = await self._get_json(f"Organization/{institution_id}", {})
        return institution_from_fhir(_parse(Organization, data, f"Organization {institution_id}"))

    async def list_departments(self, institution_ids: Sequence[str]) -> list[Department]:
        if not institution_ids:
            return []
        params = {"organization": ",".join(f"Organization/{i}" for i in institution_ids)}
        resources = await self._search("HealthcareService", params)
        return [department_from_fhir(r) for r in resources if isinstance(r, HealthcareService)]

    # --- patients and slots -----------------------------------------------------------------------

    async def register_patient(self, registration: PatientRegistration) -> str:
        """Register (建档) the patient, or find them by their document; returns the Patient id.

        A conditional create on the document number: repeating it (a retry, or the same
        resident registering again) returns the existing record, never a second one.
        """
        system = IDENTITY_SYSTEMS[registration.document]
        headers = {
            "If-None-Exist": identifier_criteria(system, registration.document_number),
        }
        response = await self._send(
            "POST", "Patient", body=patient_to_fhir(registration), headers=headers
        )
        if response.status_code not in (200, 201):
            refusal = refusal_from_outcome(_json_or_none(response))
            # A hospital's diagnostics might repeat the numbers; ours must not.
            raise HISError(
                "HIS refused the patient registration: "
                f"{response.status_code} {mask_pii(refusal.detail)}"
            )
        return str(_parse(Patient, _json(response, "Patient"), "Patient").id)

    async def find_free_slots(self, query: SlotQuery) -> list[SlotOption]:
        """Free slots matching ``query``, soonest first, at most ``query.limit``."""
        now = self._now()
        first = query.date_from or now.date()
        last = query.date_to or now.date() + timedelta(days=DEFAULT_SEARCH_DAYS)
        if last < first:
            return []
        actors = await self._slot_actors(query)
        if actors is not None and not actors:
            return []
        lower = max(now, datetime.combine(first, time(0), CHINA_TZ))
        params = [
            ("status", "free"),
            ("start", f"gt{lower.isoformat(timespec='seconds')}"),
            ("start", f"lt{(last + timedelta(days=1)).isoformat()}"),
        ]
        if actors:
            params.append(("schedule.actor", ",".join(actors)))
        slots: list[Slot] = []
        async for resource in self._iter_search("Slot", params):
            if isinstance(resource, Slot) and _matches_time(resource, query):
                slots.append(resource)
                if len(slots) >= query.limit:
                    break
        refs = await self._slot_references(slots)
        options = [slot_option_from_fhir(slot, refs) for slot in slots]
        return [option for option in options if option is not None]

    # --- appointments -----------------------------------------------------------------------------

    async def book_appointment(
        self, slot_id: str, patient_id: str, idempotency_key: str
    ) -> Appointment:
        """Book the slot for the patient.

        ``idempotency_key`` names the resident's decision to book (make it once, e.g. when they
        confirm, and keep it with the dialogue), not one HTTP attempt: the request is a
        conditional create on it, so a retry after a timeout, a 5xx or a dropped connection
        gets the appointment the first attempt made instead of a second booking. That is why
        this POST may be retried like a read.

        Raises `SlotTaken` (someone else was faster), `BookingRefused` (a booking rule, with
        the reason and, for a blocked patient, when booking reopens) or `HISUnavailable`.
        """
        headers = {"If-None-Exist": identifier_criteria(BOOKING_REQUEST_SYSTEM, idempotency_key)}
        body = booking_to_fhir(slot_id, patient_id, idempotency_key)
        response = await self._send("POST", "Appointment", body=body, headers=headers)
        if response.status_code == 409:
            refusal = refusal_from_outcome(_json_or_none(response))
            if refusal.code == "duplicate":
                raise HISError(f"idempotency key already used: {refusal.detail}")
            raise SlotTaken(refusal.detail or f"slot {slot_id} is taken")
        if response.status_code == 422:
            refusal = refusal_from_outcome(_json_or_none(response))
            raise BookingRefused(refusal.reason, refusal.detail, refusal.bookable_from)
        self._raise_for_status(response, "Appointment")
        appointment = await self._appointment(_json(response, "Appointment"))
        if appointment.slot_id != slot_id or appointment.patient_id != patient_id:
            # The key was used before for another booking: a caller bug, never a success.
            raise HISError(f"idempotency key already used for appointment {appointment.id}")
        return appointment

    async def cancel_appointment(
        self, appointment_id: str, *, reason_text: str | None = None
    ) -> Appointment:
        """Cancel (until the end of the day before); cancelling again returns it unchanged,
        so retries are safe. Raises `CancellationRefused` or `HISNotFound`."""
        response = await self._send(
            "PATCH",
            f"Appointment/{appointment_id}",
            body=cancellation_patch(reason_text),
            content_type=JSON_PATCH,
        )
        if response.status_code == 422:
            refusal = refusal_from_outcome(_json_or_none(response))
            raise CancellationRefused(refusal.reason, refusal.detail)
        self._raise_for_status(response, f"Appointment/{appointment_id}")
        return await self._appointment(_json(response, "Appointment"))

    async def get_appointment(self, appointment_id: str) -> Appointment:
        data = await self._get_json(f"Appointment/{appointment_id}", {})
        return await self._appointment(data)

    async def list_appointments(
        self,
        patient_id: str,
        *,
        from_date: date,
        statuses: Collection[AppointmentStatus] = (AppointmentStatus.BOOKED,),
    ) -> list[Appointment]:
        """The patient's appointments from ``from_date`` on, soonest first."""
        params = [
            ("patient", f"Patient/{patient_id}"),
            ("date", f"ge{from_date.isoformat()}"),
            ("_sort", "date"),
        ]
        if statuses:
            params.append(("status", ",".join(s.value for s in statuses)))
        resources = await self._search("Appointment", params)
        found = [r for r in resources if isinstance(r, FHIRAppointment)]
        refs = await self._appointment_references(found)
        return [_appointment_from_fhir(resource, refs) for resource in found]

    # --- reports ----------------------------------------------------------------------------------

    async def find_patient(self, system: str, value: str) -> str | None:
        """The hospital's Patient id for an identifier (e.g. `RESIDENT_ID`), or None.

        Never registers: reports are only looked up for patients the hospital already knows.
        """
        found = await self._search("Patient", {"identifier": f"{system}|{value}"})
        ids = sorted({str(p.id) for p in found if isinstance(p, Patient) and p.id})
        if len(ids) > 1:
            # Picking one could show a resident someone else's reports.
            raise HISError(f"{len(ids)} patients share one {system} identifier")
        return ids[0] if ids else None

    async def read_patient(self, patient_id: str) -> HospitalPatient:
        """The name and birth date the hospital holds for `patient_id`."""
        data = await self._get_json(f"Patient/{patient_id}", {})
        patient = _parse(Patient, data, f"Patient/{patient_id}")
        return HospitalPatient(
            id=str(patient.id or patient_id),
            name=patient_name(patient),
            birth_date=patient.birthDate,
        )

    async def list_reports(
        self,
        patient_id: str,
        *,
        since: date | None = None,
        category: ReportCategory | None = None,
        code: str | None = None,
        statuses: Collection[ReportStatus] | None = None,
        limit: int = 20,
    ) -> list[ReportSummary]:
        """The patient's reports, newest first (by when the specimen was taken or the exam
        done), at most ``limit``; ``since`` is a local day, inclusive. No results: see
        `get_report`."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        params = [("patient", f"Patient/{patient_id}"), ("_sort", "-date")]
        if since is not None:
            params.append(("date", f"ge{since.isoformat()}"))
        if category is not None:
            params.append(("category", f"{REPORT_CATEGORY}|{CATEGORY_CODES[category]}"))
        if code is not None:
            params.append(("code", f"{TEST_CODE}|{code}"))
        if statuses:
            params.append(("status", ",".join(fhir_statuses(statuses))))
        found: list[ReportSummary] = []
        async for resource in self._iter_search("DiagnosticReport", params):
            summary = _readable_summary(resource)
            if summary is None:
                continue
            moment = summary.effective or summary.issued or summary.last_updated
            # FHIR servers may ignore a parameter they do not support: never widen the answer,
            # least of all to another patient's reports.
            if (
                summary.patient_id == patient_id
                and (since is None or (moment is not None and moment.date() >= since))
                and (category is None or summary.category is category)
                and (code is None or summary.code == code)
                and (not statuses or summary.status in statuses)
            ):
                found.append(summary)
                if len(found) >= limit:
                    break
        return sorted(found, key=_newest_first)

    async def get_report(self, report_id: str, *, patient_id: str | None = None) -> Report:
        """The report with its result lines, in the report's order. Raises `HISNotFound`.

        With ``patient_id`` (the hospital's patient the resident acts for) it is one search
        scoped to that patient, results included (`_include`), and another patient's report is
        not found. Without, a read and a search of the result Observations.
        """
        if not _FHIR_ID.fullmatch(report_id):
            raise HISNotFound(f"DiagnosticReport/{report_id} not found")  # cannot exist
        observations: dict[str, Observation] = {}
        if patient_id is None:
            data = await self._get_json(f"DiagnosticReport/{report_id}", {})
            report = _parse(DiagnosticReport, data, f"DiagnosticReport {report_id}")
        else:
            found = await self._report_with_results(report_id, patient_id, observations)
            if found is None:
                raise HISNotFound(f"DiagnosticReport/{report_id} not found")
            report = found
        missing = [i for i in result_ids(report) if i not in observations]
        if missing:  # a read, or a server without `_include` support
            observations |= await self._read_observations(missing)
        full = report_from_fhir(report, observations)
        if patient_id is not None and full.patient_id != patient_id:
            raise HISNotFound(f"DiagnosticReport/{report_id} not found")  # a server ignoring it
        return full

    async def reports_changed_since(
        self,
        cursor: datetime,
        *,
        statuses: Collection[ReportStatus] | None = (ReportStatus.RELEASED,),
    ) -> list[ReportSummary]:
        """Reports of every patient created or changed after ``cursor`` (released, amended,
        ...), oldest change first: the report-ready notifier's feed.

        Keep the greatest ``last_updated`` seen as the next cursor: the order makes a feed cut
        short by the page guard resume where it stopped. A report may come again (once per
        change, or at an equal instant), so deduplicate on ``(id, version_id)``. A naive
        ``cursor`` is China time. ``statuses`` None or empty: every status.
        """
        if cursor.tzinfo is None:
            cursor = cursor.replace(tzinfo=CHINA_TZ)
        params = [("_lastUpdated", f"gt{cursor.isoformat()}"), ("_sort", "_lastUpdated")]
        if statuses:
            params.append(("status", ",".join(fhir_statuses(statuses))))
        found: list[ReportSummary] = []
        async for resource in self._iter_search("DiagnosticReport", params):
            summary = _readable_summary(resource)
            if summary is None:
                continue
            if (not statuses or summary.status in statuses) and (
                summary.last_updated is None or summary.last_updated > cursor
            ):
                found.append(summary)
        return found

    async def _report_with_results(
        self, report_id: str, patient_id: str, observations: dict[str, Observation]
    ) -> DiagnosticReport | None:
        """The patient's report by a search with its results; adds them to ``observations``."""
        params = [
            ("_id", report_id),
            ("patient", f"Patient/{patient_id}"),
            ("_include", "DiagnosticReport:result"),
        ]
        report: DiagnosticReport | None = None
        async for resource, mode in self._iter_entries("DiagnosticReport", params):
            if isinstance(resource, DiagnosticReport) and mode in (None, "match"):
                report = resource if resource.id == report_id else report
            elif isinstance(resource, Observation) and resource.id:
                observations[str(resource.id)] = resource
        return report

    async def _read_observations(self, ids: Sequence[str]) -> dict[str, Observation]:
        found: dict[str, Observation] = {}
        for start in range(0, len(ids), _IDS_PER_SEARCH):
            chunk = ids[start : start + _IDS_PER_SEARCH]
            for resource in await self._search("Observation", {"_id": ",".join(chunk)}):
                if isinstance(resource, Observation) and resource.id:
                    found[str(resource.id)] = resource
        return found

    # --- helpers: slots and references ------------------------------------------------------------

    def _now(self) -> datetime:
        return self._clock().astimezone(CHINA_TZ)

    async def _slot_actors(self, query: SlotQuery) -> list[str] | None:
        """``schedule.actor`` references for the query; None: no restriction; []: no match."""
        service_ids = list(query.healthcare_service_ids)
        by_service = bool(service_ids or query.department_name or query.institution_ids)
        if not service_ids and by_service:
            params: dict[str, str] = {}
            if query.institution_ids:
                params["organization"] = ",".join(query.institution_ids)
            if query.department_name:
                params["name"] = query.department_name
            services = await self._search("HealthcareService", params)
            service_ids = [
                str(s.id)
                for s in services
                if isinstance(s, HealthcareService) and s.appointmentRequired is not False
            ]
            if not service_ids:
                return []
        if query.practitioner_name or query.practitioner_title:
            role_params: dict[str, str] = {}
            if by_service:
                role_params["service"] = ",".join(service_ids)
            if query.practitioner_title:
                role_params["role"] = f"{PRACTITIONER_TITLE_SYSTEM}|{query.practitioner_title}"
            if query.practitioner_name:
                doctors = await self._search("Practitioner", {"name": query.practitioner_name})
                ids = [str(d.id) for d in doctors if isinstance(d, Practitioner)]
                if not ids:
                    return []
                role_params["practitioner"] = ",".join(ids)
            roles = await self._search("PractitionerRole", role_params)
            return [f"PractitionerRole/{r.id}" for r in roles if isinstance(r, PractitionerRole)]
        if by_service:
            return [f"HealthcareService/{i}" for i in service_ids]
        return None

    async def _slot_references(self, slots: Sequence[Slot]) -> References:
        schedule_ids = {
            ref
            for slot in slots
            if (ref := reference_id(slot.schedule.reference if slot.schedule else None, "Schedule"))
        }
        schedules = await self._read_many(Schedule, schedule_ids)
        role_ids: set[str] = set()
        service_ids: set[str] = set()
        for schedule in schedules.values():
            role_id, service_id = schedule_actors(schedule)
            role_ids.update([role_id] if role_id else [])
            service_ids.update([service_id] if service_id else [])
        return await self._references_for(schedules, role_ids, service_ids, set())

    async def _appointment(self, data: Any) -> Appointment:
        resource = _parse(FHIRAppointment, data, "Appointment")
        refs = await self._appointment_references([resource])
        return _appointment_from_fhir(resource, refs)

    async def _appointment_references(self, found: Sequence[FHIRAppointment]) -> References:
        role_ids: set[str] = set()
        service_ids: set[str] = set()
        location_ids: set[str] = set()
        for resource in found:
            for participant in resource.participant or []:
                ref = participant.actor.reference if participant.actor else None
                role_ids.update(filter(None, [reference_id(ref, "PractitionerRole")]))
                service_ids.update(filter(None, [reference_id(ref, "HealthcareService")]))
                location_ids.update(filter(None, [reference_id(ref, "Location")]))
        return await self._references_for({}, role_ids, service_ids, location_ids)

    async def _references_for(
        self,
        schedules: dict[str, Schedule],
        role_ids: set[str],
        service_ids: set[str],
        location_ids: set[str],
    ) -> References:
        roles, services = await asyncio.gather(
            self._read_many(PractitionerRole, role_ids),
            self._read_many(HealthcareService, service_ids),
        )
        location_ids |= {lid for s in services.values() if (lid := service_location_id(s))}
        locations = await self._read_many(Location, location_ids)
        return References(schedules, roles, services, locations)

    async def _read_many(self, model: type[R], ids: Iterable[str]) -> dict[str, R]:
        """Resources by id, from the reference cache or by `_id` searches."""
        resource_type = model.get_resource_type()
        found: dict[str, R] = {}
        missing: list[str] = []
        now = monotonic_time.monotonic()
        for resource_id in sorted(set(ids)):
            cached = self._references.get(f"{resource_type}/{resource_id}")
            if cached is not None and cached[0] > now and isinstance(cached[1], model):
                found[resource_id] = cached[1]
            else:
                missing.append(resource_id)
        for start in range(0, len(missing), _IDS_PER_SEARCH):
            chunk = missing[start : start + _IDS_PER_SEARCH]
            for resource in await self._search(resource_type, {"_id": ",".join(chunk)}):
                if isinstance(resource, model) and resource.id:
                    found[str(resource.id)] = resource
                    self._references[f"{resource_type}/{resource.id}"] = (
                        now + self._reference_ttl,
                        resource,
                    )
        return found

    # --- helpers: HTTP ----------------------------------------------------------------------------

    async def _search(
        self, resource_type: str, params: dict[str, str] | Sequence[tuple[str, str]]
    ) -> list[Any]:
        """Run a FHIR search and return the matched resources of every page."""
        return [resource async for resource in self._iter_search(resource_type, params)]

    async def _iter_search(
        self, resource_type: str, params: dict[str, str] | Sequence[tuple[str, str]]
    ) -> AsyncIterator[Any]:
        """The matched resources, page by page; stop iterating to stop fetching pages."""
        async for resource, mode in self._iter_entries(resource_type, params):
            if mode in (None, "match"):
                yield resource

    async def _iter_entries(
        self, resource_type: str, params: dict[str, str] | Sequence[tuple[str, str]]
    ) -> AsyncIterator[tuple[Any, str | None]]:
        """Every entry's resource and search mode (match, include, outcome), page by page."""
        pairs = list(params.items()) if isinstance(params, dict) else list(params)
        url: str = resource_type
        query: list[tuple[str, str]] = [*pairs, ("_count", str(_PAGE_SIZE))]
        for _ in range(_MAX_PAGES):
            data = await self._get_json(url, query)
            try:
                bundle = Bundle.model_validate(data)
            except ValidationError as exc:
                raise HISError(f"invalid {resource_type} search bundle: {_problems(exc)}") from exc
            for entry in bundle.entry or []:
                if entry.resource is not None:
                    yield entry.resource, entry.search.mode if entry.search else None
            next_url = next(
                (link.url for link in bundle.link or [] if link.relation == "next"), None
            )
            if not next_url:
                return
            url, query = str(next_url), []
        logger.warning("FHIR search for %s stopped after %d pages", resource_type, _MAX_PAGES)

    async def _get_json(self, url: str, params: dict[str, str] | list[tuple[str, str]]) -> Any:
        response = await self._send("GET", url, params=params)
        self._raise_for_status(response, url)
        return _json(response, url)

    async def _send(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, str] | list[tuple[str, str]] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        content_type: str = FHIR_JSON,
    ) -> httpx.Response:
        """Send with retries on transport errors and 5xx answers.

        Only for idempotent requests (see the module docstring): a retry of a request that did
        reach the hospital changes nothing there.
        """
        request_headers = dict(headers or {})
        content = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False).encode()
            request_headers["Content-Type"] = content_type
        last_error: Exception | None = None
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
            try:
                response = await self._http.request(
                    method,
                    url,
                    params=_query(params),
                    content=content,
                    headers=request_headers,
                )
            except httpx.TransportError as exc:
                last_error = exc
                logger.warning(
                    "HIS %s %s failed (%s), attempt %d",
                    method,
                    url,
                    type(exc).__name__,
                    attempt + 1,
                )
                continue
            if response.status_code >= 500:
                last_error = HISUnavailable(f"HIS answered {response.status_code} for {url}")
                logger.warning(
                    "HIS answered %d for %s %s, attempt %d",
                    response.status_code,
                    method,
                    url,
                    attempt + 1,
                )
                continue
            return response
        raise HISUnavailable(f"HIS unreachable for {method} {url}: {last_error}") from last_error

    @staticmethod
    def _raise_for_status(response: httpx.Response, url: str) -> None:
        if response.status_code == 404:
            raise HISNotFound(f"{url} not found")
        if response.status_code >= 400:
            detail = refusal_from_outcome(_json_or_none(response)).detail
            raise HISError(f"HIS rejected {url}: {response.status_code} {detail[:200]}")


def _appointment_from_fhir(resource: FHIRAppointment, refs: References) -> Appointment:
    try:
        return appointment_from_fhir(resource, refs)
    except ValueError as exc:  # unknown status, no patient or slot, unresolvable department
        raise HISError(f"invalid Appointment {resource.id}: {exc}") from exc


def _readable_summary(resource: Resource) -> ReportSummary | None:
    """One report of a list or feed; a report outside the contract is logged and skipped, so
    one bad record cannot hide a patient's other reports or stop the report-ready feed."""
    try:
        return _report_summary(resource)
    except HISError as exc:
        logger.error("skipped DiagnosticReport/%s outside the contract: %s", resource.id, exc)
        return None


def _report_summary(resource: Any) -> ReportSummary:
    if not isinstance(resource, DiagnosticReport):
        raise HISError(f"DiagnosticReport search returned a {type(resource).__name__}")
    return report_summary_from_fhir(resource)


def _newest_first(summary: ReportSummary) -> tuple[bool, float]:
    # Reports without an effective time sort last.
    effective = summary.effective
    return effective is None, -effective.timestamp() if effective else 0.0


def _matches_time(slot: Slot, query: SlotQuery) -> bool:
    if slot.start is None:
        return False
    start = slot.start.astimezone(CHINA_TZ).time()
    if query.period is not None and not query.period.contains(start):
        return False
    if query.time_from is not None and start < query.time_from:
        return False
    return not (query.time_to is not None and start >= query.time_to)


def _query(params: dict[str, str] | list[tuple[str, str]] | None) -> httpx.QueryParams | None:
    # httpx replaces a URL's query with `params`, even empty ones: paging `next` links carry
    # their whole query, so they must be sent with no params at all.
    if not params:
        return None
    pairs = tuple(params.items()) if isinstance(params, dict) else tuple(params)
    return httpx.QueryParams(pairs)


def _parse(model: type[R], data: Any, what: str) -> R:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise HISError(f"invalid {what}: {_problems(exc)}") from exc


def _problems(error: ValidationError) -> str:
    """Where and what, never the values: they may be ID or phone numbers."""
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
        for problem in error.errors(include_input=False, include_url=False)[:3]
    )


def _json(response: httpx.Response, what: str) -> Any:
    try:
        # FHIR decimals are exact: a result of 1.020 must not be shown as 1.02.
        return response.json(parse_float=Decimal)
    except ValueError as exc:
        raise HISError(f"HIS answered non-JSON for {what}") from exc


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
