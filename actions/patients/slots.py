"""Names shared by the patient actions and `bot/domain/patients.yml`: slots, forms, outcomes."""

from __future__ import annotations

from enum import StrEnum

BINDING_FORM = "patient_form"
REMOVAL_FORM = "patient_removal_form"
BOOKING_FORM = "booking_form"

# Set true by the booking actions before they run the binding form for a user with no patient.
RESUME_BOOKING = "resume_booking"
# empty / some / full: whether a patient can be added or removed (rules branch on it).
PATIENTS_ON_FILE = "patients_on_file"

CONSENT = "patient_consent"
RELATION = "patient_relation"
NAME = "patient_name"
DOCUMENT = "patient_document"  # a vault token, never the number
PHONE = "patient_phone"  # a vault token, never the number
CODE = "patient_code"  # "confirmed" once the code bound the patient; codes are not kept
# The four answers a code is sent for; changing any of them needs a new code.
ANSWERS = (RELATION, NAME, DOCUMENT, PHONE)
# True while a code sent for the current answers may still confirm them.
CODE_SENT = "patient_code_sent"
OUTCOME = "patient_binding_outcome"
BOUND_PATIENT = "bound_patient_id"

TO_REMOVE = "patient_to_remove"
REMOVAL_CONFIRMED = "patient_removal_confirmed"

# Helper slots of the binding form, cleared with the form's own slots.
BINDING_HELPERS = (CODE_SENT, OUTCOME, BOUND_PATIENT)

# Entities of button payloads: /inform{"patient_id": "3"},
# /inform{"verification_request": "resend"}.
PATIENT_ID_ENTITY = "patient_id"
RELATION_ENTITY = "relation"
VERIFICATION_REQUEST_ENTITY = "verification_request"
RESEND = "resend"

# Consent to processing health data (PIPL art. 29): the text is the response below; bump the
# version whenever that text changes, so that everybody is asked again.
CONSENT_VERSION = "v1"
CONSENT_RESPONSE = "utter_ask_patient_consent"


class Outcome(StrEnum):
    BOUND = "bound"
    REFUSED = "refused"  # consent refused, or the binding refused (full account, duplicate, …)


class PatientsOnFile(StrEnum):
    EMPTY = "empty"
    SOME = "some"
    FULL = "full"
