"""Whose reports a user may read: only the patients they bound and verified themselves.

Everything that reaches a hospital's report API goes through here, so a refusal is always
audited and the hospital's patient id is always the one frontdoor holds for that binding.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from actions.hospital_identity import IdentityMismatch, link_hospital_record
from actions.services import patient_services, report_records
from patients.report_records import AccessAction
from patients.service import PatientView

logger = logging.getLogger(__name__)


async def hospital_patient_id(openid: str, patient: PatientView) -> str | None:
    """`link_hospital_record`, with a mismatch refused and audited as a report lookup."""
    try:
        return await link_hospital_record(openid, patient)
    except IdentityMismatch:
        await refuse(openid, "identity_mismatch", patient_id=patient.id)
        raise


async def owner_of(
    openid: str, patients: Sequence[PatientView], his_patient_id: str
) -> PatientView | None:
    """The user's patient whose hospital id this is, or None (someone else's report)."""
    for patient in patients:
        if patient.his_patient_id == his_patient_id:
            return patient
    for patient in patients:
        if not patient.his_patient_id and await hospital_patient_id(openid, patient) == (
            his_patient_id
        ):
            return patient
    return None


async def refuse(openid: str, reason: str, **detail: str | int) -> None:
    """Record an attempt on a patient or report that is not the user's (全程留痕)."""
    records = report_records()
    account_id = await patient_services().book.account_id(openid)
    logger.warning("report lookup refused: %s", reason)
    await records.record_access(
        openid,
        AccessAction.REFUSED,
        account_id=account_id,
        detail={"reason": reason, **detail},
    )


async def record(
    openid: str,
    action: AccessAction,
    patient: PatientView,
    his_patient_id: str,
    report_id: str | None = None,
    **detail: str | int,
) -> None:
    account_id = await patient_services().book.account_id(openid)
    await report_records().record_access(
        openid,
        action,
        account_id=account_id,
        patient_id=patient.id,
        his_patient_id=his_patient_id,
        report_id=report_id,
        detail=detail,
    )
