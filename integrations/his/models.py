"""Domain views of FHIR resources, as the dialogue code needs them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class InstitutionKind(StrEnum):
    """Codes of the `urn:frontdoor:institution-kind` system used in Organization.type."""

    HOSPITAL = "hospital"
    COMMUNITY_HEALTH_CENTRE = "community-health-centre"


class Institution(BaseModel):
    """A hospital or community health centre (FHIR Organization)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: InstitutionKind | None
    district: str | None = None
    address: str | None = None
    phone: str | None = None


class Department(BaseModel):
    """A department or clinic of an institution (FHIR HealthcareService)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    institution_id: str
    institution_name: str | None = None
    code: str | None = None
    description: str | None = None
    bookable: bool = True


# Guangzhou time; China has no daylight saving, so a fixed offset is exact.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


class IdentityDocument(StrEnum):
    """Documents a patient registers (建档) with."""

    RESIDENT_ID = "resident-id"  # 居民身份证
    HK_MACAU_PERMIT = "hk-macau-permit"  # 港澳居民来往内地通行证
    PASSPORT = "passport"  # 护照


class Gender(StrEnum):
    """FHIR administrative-gender."""

    MALE = "male"
    FEMALE = "female"
    OTHER = "other"
    UNKNOWN = "unknown"


class PatientRegistration(BaseModel):
    """What the hospital needs to register a patient; numbers are kept out of ``repr``."""

    model_config = ConfigDict(frozen=True)

    document: IdentityDocument
    document_number: str = Field(min_length=1, max_length=64, repr=False)
    name: str = Field(min_length=1, max_length=64)
    gender: Gender | None = None
    birth_date: date | None = None
    phone: str | None = Field(default=None, max_length=32, repr=False)


class PractitionerTitle(StrEnum):
    """Codes of `urn:frontdoor:practitioner-title` (PractitionerRole.code)."""

    CHIEF_PHYSICIAN = "chief-physician"  # 主任医师
    ASSOCIATE_CHIEF_PHYSICIAN = "associate-chief-physician"  # 副主任医师
    ATTENDING_PHYSICIAN = "attending-physician"  # 主治医师
    RESIDENT_PHYSICIAN = "resident-physician"  # 医师


class DayPeriod(StrEnum):
    """Parts of the day residents ask for (上午 / 下午 / 晚上), by the slot's local start."""

    MORNING = "morning"  # before 12:00
    AFTERNOON = "afternoon"  # 12:00 to 18:00
    EVENING = "evening"  # from 18:00

    def contains(self, start: time) -> bool:
        if self is DayPeriod.MORNING:
            return start < time(12)
        if self is DayPeriod.AFTERNOON:
            return time(12) <= start < time(18)
        return start >= time(18)


class SlotQuery(BaseModel):
    """Filters of a free-slot search; every given filter must match.

    Dates are local days, both inclusive. ``date_from`` defaults to today and ``date_to`` to
    today + 7, the end of the usual booking window (Guangzhou hospitals open slots about 7 days
    ahead, so later slots cannot be booked yet). Slots that have started are never offered.
    ``time_from``/``time_to`` bound the slot's local start time (``time_to`` exclusive).
    """

    model_config = ConfigDict(frozen=True)

    institution_ids: tuple[str, ...] = ()
    department_name: str | None = None  # starts-with, e.g. "心血管内科"
    healthcare_service_ids: tuple[str, ...] = ()
    practitioner_name: str | None = None
    practitioner_title: PractitionerTitle | None = None
    date_from: date | None = None
    date_to: date | None = None
    period: DayPeriod | None = None
    time_from: time | None = None
    time_to: time | None = None
    limit: int = Field(default=10, ge=1, le=200)


class SlotDetails(BaseModel):
    """Where and when a slot is, and with whom: what the bot shows for a slot or a booking."""

    model_config = ConfigDict(frozen=True)

    slot_id: str
    start: datetime  # aware, Asia/Shanghai
    end: datetime
    institution_id: str
    institution_name: str
    department_id: str
    department_name: str
    location_id: str | None = None
    location_name: str | None = None
    address: str | None = None
    # Doctor slots only; clinic-level slots (e.g. vaccination) have no practitioner.
    practitioner_id: str | None = None
    practitioner_name: str | None = None
    practitioner_title: str | None = None  # 主任医师 / 副主任医师 / 主治医师 / 医师


class SlotOption(SlotDetails):
    """A free slot (号源) a resident may book (FHIR Slot)."""

    status: str = "free"


class AppointmentStatus(StrEnum):
    """FHIR appointmentstatus."""

    PROPOSED = "proposed"
    PENDING = "pending"
    BOOKED = "booked"
    ARRIVED = "arrived"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    ENTERED_IN_ERROR = "entered-in-error"
    CHECKED_IN = "checked-in"
    WAITLIST = "waitlist"


class Appointment(SlotDetails):
    """A booking (FHIR Appointment) of one slot by one patient."""

    id: str
    status: AppointmentStatus
    patient_id: str
    patient_instruction: str | None = None  # what to bring, when and where to arrive
    created: datetime | None = None


class HospitalPatient(BaseModel):
    """Who the hospital has on file under a Patient id (建档 data frontdoor checks against)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str | None
    birth_date: date | None = None
