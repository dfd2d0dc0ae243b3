"""Texting the one-time code that confirms a binding, and what each refusal means for the form.

`text_code` returns the slot updates for the binding form: a refused answer is emptied so the
form asks for it again, a refused binding ends the form (`Outcome.REFUSED`).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.patients import replies
from actions.patients.parsing import NameProblem
from actions.patients.slots import (
    ANSWERS,
    CODE_SENT,
    CONSENT,
    DOCUMENT,
    NAME,
    OUTCOME,
    PHONE,
    RELATION,
    Outcome,
)
from actions.patients.tracking import openid
from actions.services import patient_services
from patients.drafts import PatientDraft
from patients.errors import (
    BindingRefused,
    ErrorReason,
    InvalidDraft,
    NoPendingBinding,
    PatientsError,
    SendRefused,
    SMSNotSent,
)
from patients.identity import IdentityErrorReason, PhoneErrorReason
from patients.service import BindingPolicy, BindingStarted

SlotUpdates = dict[str, Any]

# What the SMS itself says (PatientBook words it from its policy's code_ttl the same way);
# `BindingStarted` carries the expiry time but not on which clock, so it is not recomputed.
CODE_MINUTES = max(1, int(BindingPolicy().code_ttl.total_seconds() // 60))

# Refusals that end the binding: nothing the resident can answer differently fixes them.
_ENDING = frozenset(
    {ErrorReason.TOO_MANY_PATIENTS, ErrorReason.DUPLICATE_DOCUMENT, ErrorReason.TOO_MANY_CODES}
)
# Refusals that make one answer wrong: it is emptied and asked again.
_EMPTIED: dict[ErrorReason, str] = {
    ErrorReason.CONSENT_REQUIRED: CONSENT,
    ErrorReason.SELF_ALREADY_BOUND: RELATION,
    ErrorReason.SMS_REJECTED: PHONE,
}


async def text_code(
    dispatcher: CollectingDispatcher, tracker: Tracker, *, fresh: bool
) -> SlotUpdates:
    """Send a code: for the form's current answers (`fresh`), or again for the binding already
    waiting, falling back to a fresh one when nothing waits any more."""
    book = patient_services().book
    user = openid(tracker)
    try:
        started: BindingStarted | None = None
        if not fresh:
            try:
                started = await book.resend_code(user)
            except NoPendingBinding:
                fresh = True
        if started is None:
            draft = await _draft(dispatcher, tracker)
            if isinstance(draft, dict):
                return draft
            started = await book.start_binding(user, draft)
    except InvalidDraft as error:
        return _invalid_answer(dispatcher, error)
    except PatientsError as error:
        return _refused(dispatcher, error, fresh=fresh)
    dispatcher.utter_message(
        response="utter_patient_code_sent",
        masked_phone=started.masked_phone,
        minutes=CODE_MINUTES,
    )
    return {CODE_SENT: True}


async def _draft(dispatcher: CollectingDispatcher, tracker: Tracker) -> PatientDraft | SlotUpdates:
    """The draft from the form's slots; the numbers come from the vault (tokens expire)."""
    if not all(tracker.get_slot(slot) for slot in ANSWERS):
        return {}  # an answer was just refused: the form asks for it before any code
    vault = patient_services().vault
    user = openid(tracker)
    numbers: dict[str, str] = {}
    for slot in (DOCUMENT, PHONE):
        value = await vault.resolve(user, str(tracker.get_slot(slot) or ""))
        if value is None:
            dispatcher.utter_message(response="utter_patient_number_expired")
            return {slot: None, CODE_SENT: None}
        numbers[slot] = value
    return PatientDraft(
        name=str(tracker.get_slot(NAME)),
        relation=str(tracker.get_slot(RELATION)),
        document_text=numbers[DOCUMENT],
        phone_text=numbers[PHONE],
    )


def _invalid_answer(dispatcher: CollectingDispatcher, error: InvalidDraft) -> SlotUpdates:
    # The form validated every answer already; this only happens if the rules changed since.
    detail = error.detail
    if isinstance(detail, IdentityErrorReason):
        dispatcher.utter_message(response=replies.document_problem(detail))
        return {DOCUMENT: None, CODE_SENT: None}
    if isinstance(detail, PhoneErrorReason):
        dispatcher.utter_message(response=replies.phone_problem(detail))
        return {PHONE: None, CODE_SENT: None}
    if error.reason is ErrorReason.INVALID_NAME:
        problem = NameProblem(detail.value) if detail else NameProblem.EMPTY
        dispatcher.utter_message(response=replies.name_problem(problem))
        return {NAME: None, CODE_SENT: None}
    dispatcher.utter_message(response="utter_patient_relation_unclear")
    return {RELATION: None, CODE_SENT: None}


def _refused(dispatcher: CollectingDispatcher, error: PatientsError, *, fresh: bool) -> SlotUpdates:
    response, params = replies.book_error(error)
    dispatcher.utter_message(response=response, **params)
    if error.reason in _ENDING:
        return {OUTCOME: Outcome.REFUSED.value}
    if error.reason in _EMPTIED:
        return {_EMPTIED[error.reason]: None, CODE_SENT: None}
    if isinstance(error, SMSNotSent):
        # Rate-limited or unavailable: the binding still waits and a resend may reach it.
        return {CODE_SENT: True}
    if isinstance(error, SendRefused | BindingRefused) and fresh:
        # Nothing was sent for these answers; an older waiting binding must not be resent.
        return {CODE_SENT: None}
    return {}
