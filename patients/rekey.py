"""Finishing a key rotation: re-encrypt stored values and recompute blind indexes.

Rotate by setting the new key as FRONTDOOR_DATA_KEY and the old one as
FRONTDOOR_DATA_KEY_PREVIOUS, restarting, and running `python -m patients rekey`; once it reports
nothing left to do, the previous key can be removed. Pending verifications and vault entries
live minutes, so they are left to expire instead.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from patients.models import Patient
from patients.protection import Protector
from patients.service import DOCUMENT, NAME, PHONE, document_key

_BATCH = 200


async def rekey_patients(sessions: async_sessionmaker[AsyncSession], protector: Protector) -> int:
    """Re-encrypt every patient not yet under the current key; returns how many changed."""
    changed = 0
    last_id = 0
    while True:
        async with sessions.begin() as session:
            batch = list(
                await session.scalars(
                    select(Patient).where(Patient.id > last_id).order_by(Patient.id).limit(_BATCH)
                )
            )
            for patient in batch:
                if _rekey(patient, protector):
                    changed += 1
        if len(batch) < _BATCH:
            return changed
        last_id = batch[-1].id


def _rekey(patient: Patient, protector: Protector) -> bool:
    fields = (patient.name_ciphertext, patient.document_ciphertext, patient.phone_ciphertext)
    if not any(protector.needs_rekey(value) for value in fields):
        return False
    context = str(patient.account_id)
    name = protector.decrypt(patient.name_ciphertext, purpose=NAME, context=context)
    number = protector.decrypt(patient.document_ciphertext, purpose=DOCUMENT, context=context)
    phone = protector.decrypt(patient.phone_ciphertext, purpose=PHONE, context=context)
    patient.name_ciphertext = protector.encrypt(name, purpose=NAME, context=context)
    patient.document_ciphertext = protector.encrypt(number, purpose=DOCUMENT, context=context)
    patient.phone_ciphertext = protector.encrypt(phone, purpose=PHONE, context=context)
    patient.document_index = protector.blind_index(
        document_key(patient.document_kind, number), purpose=DOCUMENT
    )
    patient.phone_index = protector.blind_index(phone, purpose=PHONE)
    return True
