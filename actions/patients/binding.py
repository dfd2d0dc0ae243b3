"""Validation of `patient_form`: binding a patient (就诊人) with consent and an SMS code.

The form asks, in order: consent (only while this account has not agreed to the current text
version), relation, name, ID document, phone, then the 6-digit code. Every slot has a custom
mapping, read here from the latest message, so that:
- ID and phone numbers arrive as vault tokens; the slots keep the token, never the number, and
  the number is only resolved to be checked and sent to `PatientBook`;
- a relation, an ID token or a phone token said at any point (「帮我妈绑定」 when the form starts,
  a new phone number at the code step) fills or corrects that answer;
- stop, emergency and the digression intents are left to the rules (`tracking.NOT_AN_ANSWER`).

Once relation, name, document and phone are all valid and one of them changed, the code is
texted (`sending.text_code`); the form ends when the code confirms the binding, or when the
binding cannot happen (`Outcome.REFUSED`). `action_finish_patient_binding` runs next.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.patients import parsing, replies, tracking
from actions.patients.sending import SlotUpdates, text_code
from actions.patients.slots import (
    ANSWERS,
    BINDING_FORM,
    BOUND_PATIENT,
    CODE,
    CODE_SENT,
    CONSENT,
    CONSENT_RESPONSE,
    CONSENT_VERSION,
    DOCUMENT,
    NAME,
    OUTCOME,
    PHONE,
    RELATION,
    RELATION_ENTITY,
    RESEND,
    VERIFICATION_REQUEST_ENTITY,
    Outcome,
)
from actions.services import patient_services
from patients.errors import BindingRefused, CodeRejected, ErrorReason, PatientsError
from patients.identity import (
    IdentityError,
    IdentityErrorReason,
    PhoneError,
    parse_identity,
    parse_phone,
)
from patients.redaction import SensitiveKind
from patients.relations import Relation, parse_relation

DomainDict = dict[str, Any]
Events = list[dict[str, Any]]

CONFIRMED = "confirmed"
_UNCLEAR = "unclear"


def consent_text(domain: DomainDict) -> str:
    """The consent text exactly as the resident saw it: the first variant of the response."""
    variants = domain.get("responses", {}).get(CONSENT_RESPONSE) or []
    text = variants[0].get("text") if variants and isinstance(variants[0], dict) else None
    if not isinstance(text, str) or not text:
        # Recording consent to an unknown text would be worthless as evidence.
        raise RuntimeError(f"the domain has no text for {CONSENT_RESPONSE}")
    return text


class ValidatePatientForm(FormValidationAction):
    def name(self) -> str:
        return f"validate_{BINDING_FORM}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Events:
        # FormValidationAction.run, with the code texted between validation and choosing the
        # next question (texting may empty an answer or end the form).
        tracker.add_slots(await self.get_extraction_events(dispatcher, tracker, domain))
        events: Events = await self.get_validation_events(dispatcher, tracker, domain)
        tracker.add_slots(events)
        if self._answers_changed(events) and self._ready_to_text(tracker):
            texted = _slot_events(await text_code(dispatcher, tracker, fresh=True))
            tracker.add_slots(texted)
            events += texted
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        if next_slot:
            events.append(next_slot)
        return events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(OUTCOME):
            return []  # bound or refused: nothing more to ask
        user = tracking.openid(tracker)
        if await patient_services().book.consent_given(user, CONSENT_VERSION):
            return [slot for slot in domain_slots if slot != CONSENT]
        return list(domain_slots)

    # --- extraction: what in the latest message answers each slot ---------------------------

    async def extract_patient_consent(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        if not tracking.asked(tracker, CONSENT) or not tracking.is_answer(tracker):
            return {}
        intent = tracking.latest_intent(tracker)
        return {CONSENT: {"affirm": True, "deny": False}.get(intent or "", _UNCLEAR)}

    async def extract_patient_relation(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        value = tracking.latest_entity(tracker, RELATION_ENTITY)
        if value is None and tracking.asked(tracker, RELATION):
            value = tracking.answer_text(tracker) or None
        return _changed(tracker, RELATION, value)

    async def extract_patient_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        text = tracking.answer_text(tracker)
        if not text:
            return {}
        # 「是给我老婆」 at the name question corrects the relation; 「我老婆叫…」 still names her.
        names_relation = tracking.latest_entity(tracker, RELATION_ENTITY) is not None
        asked = tracking.asked(tracker, NAME) and not names_relation
        value = parsing.name_answer(text, asked=asked)
        refused = value is not None and isinstance(
            parsing.check_patient_name(value), parsing.NameProblem
        )
        if not asked and refused:
            return {}  # not asked for and not a name: say nothing about it
        return _changed(tracker, NAME, value)

    async def extract_patient_document(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        text = tracking.answer_text(tracker)
        value = parsing.document_answer(text, asked=tracking.asked(tracker, DOCUMENT))
        return _changed(tracker, DOCUMENT, value) if text else {}

    async def extract_patient_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        text = tracking.answer_text(tracker)
        value = parsing.phone_answer(
            text,
            asked=tracking.asked(tracker, PHONE),
            document_asked=tracking.asked(tracker, DOCUMENT),
        )
        return _changed(tracker, PHONE, value) if text else {}

    async def extract_patient_code(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        if not tracking.asked(tracker, CODE):
            return {}
        if tracking.latest_entity(tracker, VERIFICATION_REQUEST_ENTITY) == RESEND:
            return {CODE: RESEND}
        text = tracking.answer_text(tracker)
        return {CODE: text} if text else {}

    # --- validation --------------------------------------------------------------------------

    async def validate_patient_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        if value is True:
            text = consent_text(domain)
            await patient_services().book.record_consent(
                tracking.openid(tracker), CONSENT_VERSION, text
            )
            return {CONSENT: True}
        if value is False:
            # Nothing is stored: the resident said no before giving any personal data.
            dispatcher.utter_message(response="utter_patient_consent_refused")
            return {CONSENT: False, OUTCOME: Outcome.REFUSED.value}
        dispatcher.utter_message(response="utter_patient_consent_unclear")
        return {CONSENT: None}

    async def validate_patient_relation(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        relation = parse_relation(str(value))
        if relation is None:
            dispatcher.utter_message(response="utter_patient_relation_unclear")
            return {RELATION: None}
        if relation is Relation.SELF:
            patients = await patient_services().book.list_patients(tracking.openid(tracker))
            if any(patient.relation is Relation.SELF for patient in patients):
                error = BindingRefused(ErrorReason.SELF_ALREADY_BOUND)
                dispatcher.utter_message(response=replies.book_error(error)[0])
                return {RELATION: None}
        return {RELATION: relation.value, CODE_SENT: None}

    async def validate_patient_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        name = parsing.check_patient_name(str(value))
        if isinstance(name, parsing.NameProblem):
            dispatcher.utter_message(response=replies.name_problem(name))
            return {NAME: None}
        return {NAME: name, CODE_SENT: None}

    async def validate_patient_document(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        answer = str(value)
        if parsing.token_kind(answer) == parsing.PHONE_TOKEN:
            dispatcher.utter_message(
                response=replies.document_problem(IdentityErrorReason.LOOKS_LIKE_PHONE)
            )
            return {DOCUMENT: None}
        number = await _resolve(dispatcher, tracker, answer)
        if number is None:
            return {DOCUMENT: None}
        try:
            parse_identity(number)
        except IdentityError as error:
            dispatcher.utter_message(response=replies.document_problem(error.reason))
            return {DOCUMENT: None}
        token = await _as_token(tracker, answer, number, "id_document")
        return {DOCUMENT: token, CODE_SENT: None}

    async def validate_patient_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        answer = str(value)
        number = await _resolve(dispatcher, tracker, answer)
        if number is None:
            return {PHONE: None}
        try:
            parse_phone(number)
        except PhoneError as error:
            dispatcher.utter_message(response=replies.phone_problem(error.reason))
            return {PHONE: None}
        token = await _as_token(tracker, answer, number, "phone")
        return {PHONE: token, CODE_SENT: None}

    async def validate_patient_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotUpdates:
        answer = str(value)
        sent = bool(tracker.get_slot(CODE_SENT))
        if answer == RESEND or parsing.asks_for_resend(answer):
            return {CODE: None, **await text_code(dispatcher, tracker, fresh=not sent)}
        code = parsing.verification_code(answer)
        if code is None:
            if parsing.tokens(answer):
                return {CODE: None}  # a new ID or phone number, taken by its own slot
            error = CodeRejected(ErrorReason.MALFORMED_CODE, 0)
            dispatcher.utter_message(response=replies.book_error(error)[0])
            return {CODE: None}
        if not sent:
            # A code typed now could only match a binding made for earlier answers.
            dispatcher.utter_message(response="utter_patient_code_not_sent")
            return {CODE: None}
        try:
            patient = await patient_services().book.confirm_binding(tracking.openid(tracker), code)
        except PatientsError as error:
            return {CODE: None, **_code_refused(dispatcher, error)}
        return {CODE: CONFIRMED, OUTCOME: Outcome.BOUND.value, BOUND_PATIENT: str(patient.id)}

    @staticmethod
    def _answers_changed(events: Events) -> bool:
        return any(
            event.get("name") in ANSWERS and event.get("value") is not None for event in events
        )

    @staticmethod
    def _ready_to_text(tracker: Tracker) -> bool:
        return (
            all(tracker.get_slot(slot) for slot in ANSWERS)
            and not tracker.get_slot(CODE_SENT)
            and not tracker.get_slot(OUTCOME)
        )


def _changed(tracker: Tracker, slot: str, value: str | None) -> SlotUpdates:
    """A candidate only when it differs from the answer already given: the same relation said
    again must not void a code already sent."""
    if value is None or value == tracker.get_slot(slot):
        return {}
    return {slot: value}


def _slot_events(updates: SlotUpdates) -> Events:
    return [SlotSet(slot, value) for slot, value in updates.items()]


async def _resolve(dispatcher: CollectingDispatcher, tracker: Tracker, answer: str) -> str | None:
    """The number behind a token (or the answer itself when it was too short to be redacted)."""
    if not parsing.is_token(answer):
        return answer
    number = await patient_services().vault.resolve(tracking.openid(tracker), answer)
    if number is None:
        dispatcher.utter_message(response="utter_patient_number_expired")
    return number


async def _as_token(tracker: Tracker, answer: str, number: str, kind: SensitiveKind) -> str:
    """The token to keep in the slot: the resident's own, or a new one for a number that was
    not redacted (a slot never holds a number)."""
    if parsing.is_token(answer):
        return answer.strip()
    return await patient_services().vault.put(tracking.openid(tracker), kind, number)


def _code_refused(dispatcher: CollectingDispatcher, error: PatientsError) -> SlotUpdates:
    response, params = replies.book_error(error)
    dispatcher.utter_message(response=response, **params)
    reason = error.reason
    if reason in (ErrorReason.TOO_MANY_PATIENTS, ErrorReason.DUPLICATE_DOCUMENT):
        return {OUTCOME: Outcome.REFUSED.value}
    if reason is ErrorReason.SELF_ALREADY_BOUND:
        return {RELATION: None, CODE_SENT: None}
    if reason in (
        ErrorReason.TOO_MANY_ATTEMPTS,
        ErrorReason.BINDING_EXPIRED,
        ErrorReason.NO_PENDING_BINDING,
    ):
        return {CODE_SENT: None}  # nothing waits any more: 「重新发送」 starts afresh
    return {}  # a wrong or expired code: the binding still waits
