"""The FHIR contract between frontdoor and hospitals: code systems, identifier systems, extension
URLs and display texts (the sandbox hospital serves them; the HIS client relies on them)."""

from __future__ import annotations

ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
INSTITUTION_KIND = "urn:frontdoor:institution-kind"
DEPARTMENT = "urn:frontdoor:department"
PRACTITIONER_TITLE = "urn:frontdoor:practitioner-title"
INSTITUTION_GRADE_EXTENSION = "urn:frontdoor:institution-grade"
INSTITUTION_SPECIALTY_EXTENSION = "urn:frontdoor:institution-specialty"

INSTITUTION_KIND_DISPLAY = {
    "hospital": "医院",
    "community-health-centre": "社区卫生服务中心",
}
FHIR_VERSION = "4.0.1"

# Patient identifiers (建档). The HIS client reuses these constants: they are the contract.
RESIDENT_ID = "urn:frontdoor:resident-id"  # 居民身份证 (GB 11643, 18 characters)
HK_MACAU_PERMIT = "urn:frontdoor:hk-macau-permit"  # 港澳居民来往内地通行证
PASSPORT = "urn:frontdoor:passport"  # 护照
PATIENT_IDENTIFIER_SYSTEMS = (RESIDENT_ID, HK_MACAU_PERMIT, PASSPORT)

# Appointment.identifier carrying the client's idempotency key; a repeated conditional create
# (If-None-Exist: identifier=<BOOKING_REQUEST>|<key>) returns the appointment made the first time.
BOOKING_REQUEST = "urn:frontdoor:booking-request"

# OperationOutcome.issue.details.coding of refused bookings and cancellations (HTTP 422).
BUSINESS_RULE = "urn:frontdoor:business-rule"
# Extension on such an issue (valueDate): the first day booking is possible, for
# "patient-blocked" (booking reopens) and "outside-booking-window" (the slot opens).
BOOKABLE_FROM_EXTENSION = "urn:frontdoor:bookable-from"

# Codes in BUSINESS_RULE.
RULE_UNKNOWN_SLOT = "unknown-slot"
RULE_UNKNOWN_PATIENT = "unknown-patient"
RULE_SLOT_NOT_BOOKABLE = "slot-not-bookable"
RULE_SLOT_IN_PAST = "slot-in-past"
RULE_OUTSIDE_BOOKING_WINDOW = "outside-booking-window"
RULE_PATIENT_BLOCKED = "patient-blocked"
RULE_DUPLICATE_DEPARTMENT_DAY = "duplicate-department-day"
RULE_TOO_LATE_TO_CANCEL = "too-late-to-cancel"
RULE_INVALID_STATUS_TRANSITION = "invalid-status-transition"
RULE_APPOINTMENT_NOT_STARTED = "appointment-not-started"
RULE_UNSUPPORTED_CHANGE = "unsupported-change"

# http://hl7.org/fhir/R4/valueset-appointment-cancellation-reason.html ("pat": the patient).
CANCELLATION_REASON = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"

# --- Reports (DiagnosticReport + Observation) -------------------------------------------------
# The district's shared test dictionary (检验检查项目字典): every DiagnosticReport.code and
# Observation.code carries one coding in this system (codes such as "CBC", "HGB", "XR-CHEST"),
# beside LOINC where the hospital maps it; the Chinese name is in `code.text`. frontdoor's
# glossary and sensitive-report list are keyed by these codes.
TEST_CODE = "urn:frontdoor:test"
LOINC = "http://loinc.org"
# DiagnosticReport.category: LAB (检验) or RAD (检查/影像), from HL7 v2 table 0074.
REPORT_CATEGORY = "http://terminology.hl7.org/CodeSystem/v2-0074"
# Observation.interpretation: N, H, L, A, HH, LL, AA (HH/LL/AA are critical values, 危急值).
OBSERVATION_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
CRITICAL_INTERPRETATIONS = ("HH", "LL", "AA")
# meta.security labels of sensitive reports (HIV, PSY, GDIS = genetic, SDV, ETH, STD ...).
SECURITY_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
# meta.security confidentiality of restricted reports: R (restricted) or V (very restricted).
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
# Extension (valueDateTime) on a DiagnosticReport not yet final: when results are expected.
REPORT_EXPECTED_EXTENSION = "urn:frontdoor:report-expected-at"
# Extension (valueString) on an amended DiagnosticReport: what was changed and why.
REPORT_AMENDMENT_EXTENSION = "urn:frontdoor:report-amendment"
# Statuses in which a report has results a resident may read.
REPORT_RELEASED_STATUSES = ("final", "amended", "corrected", "appended")
REPORT_PENDING_STATUSES = ("registered", "partial", "preliminary")
