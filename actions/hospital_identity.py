"""Is the hospital's patient the person the user bound? Checked before frontdoor links them.

Binding proves the user holds the phone they typed, not that the ID number is theirs to use: a
stranger could type someone else's ID number. The hospital's record (建档) must therefore carry
the same name (and birth date, when both sides know it) before its Patient id is stored; else
booking would act on, and report lookup would show, another person's records.
"""

from __future__ import annotations

import logging
import unicodedata

from actions.services import his_client, patient_services
from integrations.his.fhir_mapping import IDENTITY_SYSTEMS
from integrations.his.models import Gender, HospitalPatient, IdentityDocument, PatientRegistration
from patients.service import PatientIdentity, PatientView

logger = logging.getLogger(__name__)


# The HIS contract knows three identifier systems; residence permits for Hong Kong, Macau and
# Taiwan residents carry an 18-digit number in the resident-ID format, other documents are
# registered like passports.
_DOCUMENTS = {
    "resident_id": IdentityDocument.RESIDENT_ID,
    "residence_permit": IdentityDocument.RESIDENT_ID,
    "hk_macau_permit": IdentityDocument.HK_MACAU_PERMIT,
}
_GENDERS = {"male": Gender.MALE, "female": Gender.FEMALE}


def registration_for(identity: PatientIdentity) -> PatientRegistration:
    return PatientRegistration(
        document=_DOCUMENTS.get(str(identity.document_kind), IdentityDocument.PASSPORT),
        document_number=identity.document_number,
        name=identity.name,
        gender=_GENDERS.get(str(identity.sex)) if identity.sex else None,
        birth_date=identity.birth_date,
        phone=identity.phone_e164,
    )


class IdentityMismatch(Exception):
    """The hospital holds this ID document under another name or birth date."""


def same_person(record: HospitalPatient, identity: PatientIdentity) -> bool:
    if record.name is None or _name_key(record.name) != _name_key(identity.name):
        return False
    known_both = record.birth_date is not None and identity.birth_date is not None
    return not known_both or record.birth_date == identity.birth_date


async def check_hospital_patient(his_patient_id: str, identity: PatientIdentity) -> None:
    """Raise `IdentityMismatch` unless the hospital's patient is the bound person."""
    record = await his_client().read_patient(his_patient_id)
    if not same_person(record, identity):
        # Neither name is logged: the hospital id is enough for staff to look into it.
        logger.warning("hospital patient %s does not match the bound identity", his_patient_id)
        raise IdentityMismatch(his_patient_id)


def _name_key(name: str) -> str:
    """Names compare after NFKC (full-width letters), without spaces or the middle dot."""
    folded = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "·•.").casefold()


async def link_hospital_record(openid: str, patient: PatientView) -> str | None:
    """The hospital's id for the patient: known already, or found (never created) by the
    identity document and checked; None when the hospital has no record of them. Raises
    `IdentityMismatch` when it holds that document under another name."""
    if patient.his_patient_id:
        return patient.his_patient_id
    book = patient_services().book
    identity = await book.identity_for_registration(openid, patient.id)
    registration = registration_for(identity)
    found = await his_client().find_patient(
        IDENTITY_SYSTEMS[registration.document], registration.document_number
    )
    if found is not None:
        await check_hospital_patient(found, identity)
        await book.set_his_patient_id(openid, patient.id, found)
    return found
