"""Is the hospital's patient the person the user bound? Checked before frontdoor links them.

Binding proves the user holds the phone they typed, not that the ID number is theirs to use: a
stranger could type someone else's ID number. The hospital's record (建档) must therefore carry
the same name (and birth date, when both sides know it) before its Patient id is stored; else
booking would act on, and report lookup would show, another person's records.
"""

from __future__ import annotations

import logging
import unicodedata

from actions.services import his_client
from integrations.his.models import HospitalPatient
from patients.service import PatientIdentity

logger = logging.getLogger(__name__)


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
