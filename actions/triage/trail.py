"""Writing each triage answer to the admins' trail (`patients.triage_records`): who (OpenID,
account, bound patient), what kind of answer, the department, the level, the red flags, how many
follow-up questions were answered and whether a booking was offered. Never the resident's words.

The trail must never cost the resident the answer: a failure or a slow database is logged
(without the OpenID, the words or the database's message, which would carry the row's values)
and the answer goes out as it was.
"""

from __future__ import annotations

import asyncio
import logging

from rasa_sdk import Tracker

from actions.services import patient_services, triage_records
from actions.triage.state import TriageState
from patients.triage_records import TriageKind
from triage.model import Level, TriageResult

logger = logging.getLogger(__name__)
# Far below Rasa's and WeChat's deadlines: the answer must not wait on the trail.
RECORD_TIMEOUT_SECONDS = 1.5
# What the general emergency answer (no red flag named) tells the resident: call 120 or go to
# the emergency department now. The engine's own result for those words says nothing of it.
GENERAL_EMERGENCY = ("emergency", Level.EMERGENCY_AMBULANCE)


async def record_answer(
    tracker: Tracker,
    kind: TriageKind,
    result: TriageResult,
    state: TriageState | None = None,
    *,
    booking_offered: bool = False,
) -> None:
    """Record the answer given for `result`; `state` is the triage it ended, if any.

    Never raises.
    """
    department, level = result.department, result.level
    if kind is TriageKind.EMERGENCY and not result.red_flags:
        department, level = GENERAL_EMERGENCY
    try:
        await asyncio.wait_for(
            _record(
                tracker.sender_id,
                kind,
                department=department,
                level=level.value,
                red_flags=result.red_flags,
                patient_id=_patient_number(state.patient_id) if state else None,
                followup_questions=len(state.answers) if state else None,
                booking_offered=booking_offered,
            ),
            timeout=RECORD_TIMEOUT_SECONDS,
        )
    except Exception as error:
        logger.error(
            "triage answer not recorded (%s, %s, %s): %s",
            kind.value,
            department,
            level.value,
            type(error).__name__,
        )


async def _record(
    openid: str,
    kind: TriageKind,
    *,
    department: str,
    level: str,
    red_flags: tuple[str, ...],
    patient_id: int | None,
    followup_questions: int | None,
    booking_offered: bool,
) -> None:
    account_id = await patient_services().book.account_id(openid)
    await triage_records().record(
        openid,
        kind,
        department=department,
        level=level,
        red_flags=red_flags,
        account_id=account_id,
        patient_id=patient_id,
        followup_questions=followup_questions,
        booking_offered=booking_offered,
    )


def _patient_number(slot_value: str | None) -> int | None:
    try:
        return int(slot_value) if slot_value else None
    except ValueError:
        return None
