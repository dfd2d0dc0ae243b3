"""ORM schema of the sandbox hospital: institutions, sites, departments, doctors and their
schedules and slots, patients, their appointments and their lab and imaging reports. Each table
maps onto one FHIR resource type (see ``fhir/``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names keep migrations identical across SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetime stored in UTC.

    SQLite has no timezone type and compares datetimes as text, so values are normalised to
    naive UTC there; PostgreSQL keeps ``timestamptz``. Reads always return aware UTC values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Institution(Base):
    """A hospital or community health centre (FHIR Organization)."""

    __tablename__ = "institutions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    alias: Mapped[str | None] = mapped_column(String(128))
    # "hospital" or "community-health-centre" (urn:frontdoor:institution-kind)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    grade: Mapped[str | None] = mapped_column(String(32))
    specialty: Mapped[str | None] = mapped_column(String(32))
    address_line: Mapped[str] = mapped_column(String(256))
    district: Mapped[str] = mapped_column(String(32), index=True)
    city: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    postal_code: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    locations: Mapped[list[Location]] = relationship(back_populates="institution")
    departments: Mapped[list[Department]] = relationship(back_populates="institution")


class Location(Base):
    """A physical site of an institution (FHIR Location)."""

    __tablename__ = "locations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(Text)
    address_line: Mapped[str] = mapped_column(String(256))
    district: Mapped[str] = mapped_column(String(32))
    city: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(32))
    postal_code: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    institution: Mapped[Institution] = relationship(back_populates="locations")


class Department(Base):
    """A clinical department or clinic of an institution (FHIR HealthcareService)."""

    __tablename__ = "departments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"), index=True)
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), index=True)
    # Stable code in urn:frontdoor:department, e.g. "cardiology".
    type_code: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    comment: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(32))
    appointment_required: Mapped[bool] = mapped_column(Boolean)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    # Comma-separated FHIR days-of-week codes ("mon,tue") and "HH:MM-HH:MM" ranges.
    available_days: Mapped[str] = mapped_column(String(64))
    available_hours: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    institution: Mapped[Institution] = relationship(back_populates="departments")
    location: Mapped[Location] = relationship()


class Practitioner(Base):
    """A doctor (FHIR Practitioner)."""

    __tablename__ = "practitioners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_name: Mapped[str] = mapped_column(String(32))
    given_name: Mapped[str] = mapped_column(String(32))
    # "male" | "female" (FHIR administrative-gender)
    gender: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    @property
    def full_name(self) -> str:
        return self.family_name + self.given_name


class PractitionerRole(Base):
    """A doctor's post in one department, with their professional title."""

    __tablename__ = "practitioner_roles"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    practitioner_id: Mapped[str] = mapped_column(ForeignKey("practitioners.id"), index=True)
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"), index=True)
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"), index=True)
    # Code in urn:frontdoor:practitioner-title, e.g. "chief-physician".
    title_code: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    practitioner: Mapped[Practitioner] = relationship()
    institution: Mapped[Institution] = relationship()
    department: Mapped[Department] = relationship()


class Schedule(Base):
    """Bookable time of a doctor (role set) or of a whole clinic (role empty)."""

    __tablename__ = "schedules"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"), index=True)
    practitioner_role_id: Mapped[str | None] = mapped_column(
        ForeignKey("practitioner_roles.id"), index=True
    )
    # Weekly sessions, comma-separated "<day> HH:MM-HH:MM", e.g. "mon 08:00-12:00,wed 14:00-17:00".
    sessions: Mapped[str] = mapped_column(Text)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    horizon_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    horizon_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    department: Mapped[Department] = relationship()
    practitioner_role: Mapped[PractitionerRole | None] = relationship()


class Slot(Base):
    """One bookable interval of a schedule."""

    __tablename__ = "slots"
    __table_args__ = (
        # Slot searches filter by schedule and time window, or by time window alone.
        Index("ix_slots_schedule_id_start", "schedule_id", "start", unique=True),
        Index("ix_slots_start", "start"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedules.id"))
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime] = mapped_column(UTCDateTime())
    # "free" | "busy" (later also busy-unavailable / busy-tentative from FHIR slotstatus)
    status: Mapped[str] = mapped_column(String(24))

    schedule: Mapped[Schedule] = relationship()


class Patient(Base):
    """A registered patient (建档, FHIR Patient), found again by their identity document."""

    __tablename__ = "patients"
    __table_args__ = (UniqueConstraint("identifier_system", "identifier_value"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # One of common.fhir_contract.PATIENT_IDENTIFIER_SYSTEMS and the document number.
    identifier_system: Mapped[str] = mapped_column(String(128))
    identifier_value: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    # FHIR administrative-gender: male | female | other | unknown
    gender: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime())


# Appointments in these statuses no longer hold their slot; every other status does.
RELEASED_STATUSES = ("cancelled", "entered-in-error")
# SQL of "this appointment holds its slot", for the partial unique indexes below.
HOLDS_SLOT_SQL = "status NOT IN ('cancelled', 'entered-in-error')"


class Appointment(Base):
    """A booking of one slot by one patient (FHIR Appointment).

    The database itself guarantees no double booking: at most one appointment holding a slot
    per slot, and at most one per patient, department and day (partial unique indexes).
    """

    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("request_system", "request_key"),
        Index(
            "uq_appointments_slot_id_holding",
            "slot_id",
            unique=True,
            sqlite_where=text(HOLDS_SLOT_SQL),
            postgresql_where=text(HOLDS_SLOT_SQL),
        ),
        Index(
            "uq_appointments_patient_department_day_holding",
            "patient_id",
            "department_id",
            "service_date",
            unique=True,
            sqlite_where=text(HOLDS_SLOT_SQL),
            postgresql_where=text(HOLDS_SLOT_SQL),
        ),
        # Residents list their own appointments by date.
        Index("ix_appointments_patient_id_start", "patient_id", "start"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    slot_id: Mapped[str] = mapped_column(ForeignKey("slots.id"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    department_id: Mapped[str] = mapped_column(ForeignKey("departments.id"))
    practitioner_role_id: Mapped[str | None] = mapped_column(ForeignKey("practitioner_roles.id"))
    location_id: Mapped[str] = mapped_column(ForeignKey("locations.id"))
    # FHIR appointmentstatus: booked, cancelled, noshow, fulfilled, ...
    status: Mapped[str] = mapped_column(String(24))
    # Copied from the slot: searches and rules work on the appointment alone.
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime] = mapped_column(UTCDateTime())
    # Local (+08:00) day of ``start``: one appointment per patient, department and day.
    service_date: Mapped[date] = mapped_column(Date)
    # Appointment.identifier: the client's idempotency key (fhir_contract.BOOKING_REQUEST).
    request_system: Mapped[str | None] = mapped_column(String(128))
    request_key: Mapped[str | None] = mapped_column(String(128))
    patient_instruction: Mapped[str] = mapped_column(Text)
    # Appointment.cancelationReason as FHIR JSON (a CodeableConcept).
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    status_changed: Mapped[datetime | None] = mapped_column(UTCDateTime())

    slot: Mapped[Slot] = relationship()
    patient: Mapped[Patient] = relationship()
    department: Mapped[Department] = relationship()
    practitioner_role: Mapped[PractitionerRole | None] = relationship()
    location: Mapped[Location] = relationship()


class DiagnosticReport(Base):
    """One ordered lab test or imaging exam of a patient (FHIR DiagnosticReport).

    What the test and its result lines are (names, units, LOINC, category, security labels)
    comes from the test dictionary (``reports/dictionary.py``), keyed by ``test_code``.
    """

    __tablename__ = "diagnostic_reports"
    __table_args__ = (
        # Residents list their own reports newest first; feeds read changes since an instant.
        Index("ix_diagnostic_reports_patient_id_effective", "patient_id", "effective"),
        Index("ix_diagnostic_reports_last_updated", "last_updated"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"))
    institution_id: Mapped[str] = mapped_column(ForeignKey("institutions.id"))
    # Code in urn:frontdoor:test, e.g. "CBC" or "XR-CHEST".
    test_code: Mapped[str] = mapped_column(String(32))
    # FHIR diagnostic-report-status: registered, final, amended, ...
    status: Mapped[str] = mapped_column(String(24))
    # Specimen taken or exam done.
    effective: Mapped[datetime] = mapped_column(UTCDateTime())
    # Released (set only in released statuses); moves with each amendment.
    issued: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When a pending report's results are expected.
    expected: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Imaging: 检查所见 (served as presentedForm) and the impression; lab: optional comment.
    findings: Mapped[str | None] = mapped_column(Text)
    conclusion: Mapped[str | None] = mapped_column(Text)
    # What an amendment changed and why.
    amendment_note: Mapped[str | None] = mapped_column(Text)
    # A pending report's results as the lab will release them (JSON, ``reports/content.py``);
    # never served, cleared on release.
    pending_content: Mapped[str | None] = mapped_column(Text)
    version_id: Mapped[int] = mapped_column(Integer)
    last_updated: Mapped[datetime] = mapped_column(UTCDateTime())

    patient: Mapped[Patient] = relationship()
    institution: Mapped[Institution] = relationship()
    results: Mapped[list[Observation]] = relationship(
        back_populates="report", order_by="Observation.position"
    )


class Observation(Base):
    """One result line of a released lab report (FHIR Observation)."""

    __tablename__ = "observations"
    __table_args__ = (UniqueConstraint("report_id", "code"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("diagnostic_reports.id"))
    # Line order within the report, as printed.
    position: Mapped[int] = mapped_column(Integer)
    # Code in urn:frontdoor:test, e.g. "HGB".
    code: Mapped[str] = mapped_column(String(32))
    # final | amended | preliminary
    status: Mapped[str] = mapped_column(String(24))
    # As the lab reports it, like a LIS does: a decimal ("6.6") for quantitative results,
    # text ("阴性", "2+") for qualitative ones; the dictionary says which.
    value: Mapped[str] = mapped_column(String(32))
    # The reference range printed with the result (sex-specific ranges already resolved).
    range_low: Mapped[str | None] = mapped_column(String(16))
    range_high: Mapped[str | None] = mapped_column(String(16))
    range_text: Mapped[str | None] = mapped_column(String(64))
    # Code in v3-ObservationInterpretation: N, H, L, A, HH, LL, AA.
    interpretation: Mapped[str] = mapped_column(String(4))
    issued: Mapped[datetime] = mapped_column(UTCDateTime())
    version_id: Mapped[int] = mapped_column(Integer)
    last_updated: Mapped[datetime] = mapped_column(UTCDateTime())

    report: Mapped[DiagnosticReport] = relationship(back_populates="results")
