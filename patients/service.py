"""`PatientBook`: the patients (就诊人) of a WeChat user, as the dialogue uses them.

Binding asks for name, relation, ID document and phone, checks them, keeps the draft encrypted
and sends a one-time code by SMS; the code confirms the binding. Every query is filtered by the
caller's OpenID, so a user can only see or touch their own patients. Views show masked numbers;
only `identity_for_registration` decrypts, for registering with the hospital. Removal and
consent withdrawal hard-delete personal data (PIPL right to delete) and leave an audit row
without it. Errors are typed (`patients.errors`); wording belongs to the dialogue.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.privacy import mask_openid
from integrations.sms.errors import SMSError, SMSInvalidPhone, SMSRateLimited, SMSRejected
from patients.drafts import PatientDraft, ValidDraft, validate_draft
from patients.errors import (
    BindingRefused,
    CodeRejected,
    ErrorReason,
    NoPendingBinding,
    PatientNotFound,
    PatientsError,
    SendRefused,
    SMSNotSent,
)
from patients.identity import (
    CHINA_TZ,
    DOCUMENT_KIND_LABELS,
    DocumentKind,
    Sex,
    age_on,
    mask_id_number,
    mask_name,
    mask_phone,
)
from patients.models import Account, AuditEvent, Consent, Patient, VaultEntry, Verification
from patients.protection import Protector
from patients.relations import RELATION_LABELS, Relation

logger = logging.getLogger(__name__)

HEALTH_DATA_CONSENT = "health_data"
# Encryption purposes and blind-index purposes (see patients.protection).
NAME = "patients.name"
DOCUMENT = "patients.document_number"
PHONE = "patients.phone"
DRAFT = "patients.verification_draft"
SMS_CODE = "patients.sms_code"


class SMSSender(Protocol):
    """What `PatientBook` needs from SMS (`integrations.sms.client.SMSClient` fits).

    Raises `integrations.sms.errors.SMSError` subclasses when the message was not accepted.
    """

    async def send_verification_code(self, phone_e164: str, code: str, minutes: int) -> str: ...


@dataclass(frozen=True)
class BindingPolicy:
    max_patients: int = 5  # 粤健通 allows five family members per real-name account
    code_digits: int = 6
    code_ttl: timedelta = timedelta(minutes=5)
    max_attempts: int = 5
    resend_after: timedelta = timedelta(seconds=60)
    # How long an unconfirmed draft is kept at all, resends included.
    draft_ttl: timedelta = timedelta(minutes=30)
    # Codes one account may have sent in 24 hours (starts and resends): stops SMS bombing.
    max_codes_per_day: int = 10


@dataclass(frozen=True)
class PatientView:
    """A patient as lists and confirmations show them: nothing here is a full number."""

    id: int
    relation: Relation
    relation_label: str
    name: str
    masked_name: str  # prefer this in bot messages: they are stored in Rasa's tracker
    document_kind: DocumentKind
    document_label: str
    masked_document: str
    masked_phone: str
    birth_date: date | None
    age: int | None
    sex: Sex | None
    is_selected: bool
    his_patient_id: str | None


@dataclass(frozen=True)
class BindingStarted:
    masked_phone: str
    expires_at: datetime
    resend_at: datetime  # when `resend_code` will be allowed
    attempts: int  # codes the resident may try


@dataclass(frozen=True)
class PatientIdentity:
    """Decrypted identity, for registering the patient with the hospital only."""

    patient_id: int
    relation: Relation
    name: str
    document_kind: DocumentKind
    document_number: str
    phone_e164: str
    birth_date: date | None
    sex: Sex | None
    his_patient_id: str | None


def utc_now() -> datetime:
    return datetime.now(UTC)


_CODE_SEPARATORS = re.compile(r"[\s\-]+")


class PatientBook:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        protector: Protector,
        sms: SMSSender,
        *,
        clock: Callable[[], datetime] = utc_now,
        policy: BindingPolicy | None = None,
    ) -> None:
        self._sessions = sessions
        self._protector = protector
        self._sms = sms
        self._clock = clock
        self._policy = policy or BindingPolicy()

    # --- reading ----------------------------------------------------------------------------

    async def list_patients(self, openid: str) -> list[PatientView]:
        async with self._sessions() as session:
            account = await _find_account(session, openid)
            if account is None:
                return []
            rows = await session.scalars(
                select(Patient).where(Patient.account_id == account.id).order_by(Patient.id)
            )
            return [self._view(account, patient) for patient in rows]

    async def watchers_of(self, his_patient_id: str) -> list[tuple[str, PatientView]]:
        """Every account acting for the hospital's patient `his_patient_id`, with its view of
        that patient (family members may each have bound the same person)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(Account, Patient)
                .join(Patient, Patient.account_id == Account.id)
                .where(Patient.his_patient_id == his_patient_id)
                .order_by(Patient.id)
            )
            return [(account.openid, self._view(account, patient)) for account, patient in rows]

    async def account_id(self, openid: str) -> int | None:
        async with self._sessions() as session:
            account = await _find_account(session, openid)
            return account.id if account else None

    async def identity_for_registration(self, openid: str, patient_id: int) -> PatientIdentity:
        async with self._sessions.begin() as session:
            account, patient = await self._owned(session, openid, patient_id)
            context = str(account.id)
            identity = PatientIdentity(
                patient_id=patient.id,
                relation=Relation(patient.relation),
                name=self._protector.decrypt(
                    patient.name_ciphertext, purpose=NAME, context=context
                ),
                document_kind=DocumentKind(patient.document_kind),
                document_number=self._protector.decrypt(
                    patient.document_ciphertext, purpose=DOCUMENT, context=context
                ),
                phone_e164=self._protector.decrypt(
                    patient.phone_ciphertext, purpose=PHONE, context=context
                ),
                birth_date=patient.birth_date,
                sex=Sex(patient.sex) if patient.sex else None,
                his_patient_id=patient.his_patient_id,
            )
            # Every disclosure of decrypted identity is traceable (全程留痕).
            self._audit(session, account, "identity_disclosed", patient.id, purpose="registration")
        return identity

    # --- consent ----------------------------------------------------------------------------

    async def consent_given(self, openid: str, version: str) -> bool:
        async with self._sessions() as session:
            account = await _find_account(session, openid)
            if account is None:
                return False
            found = await session.scalar(
                _active_consents(account).where(Consent.text_version == version).limit(1)
            )
            return found is not None

    async def record_consent(self, openid: str, version: str, text: str) -> None:
        """Record that the user agreed to `text` (identified by `version`) just now."""
        digest = hashlib.sha256(text.encode()).hexdigest()
        now = self._clock()
        async with self._sessions.begin() as session:
            account = await self._account(session, openid)
            existing = await session.scalar(
                _active_consents(account)
                .where(Consent.text_version == version, Consent.text_sha256 == digest)
                .limit(1)
            )
            if existing is not None:
                return
            session.add(
                Consent(
                    account_id=account.id,
                    purpose=HEALTH_DATA_CONSENT,
                    text_version=version,
                    text_sha256=digest,
                    granted_at=now,
                )
            )
            self._audit(session, account, "consent_granted", version=version)

    async def withdraw_consent(self, openid: str) -> None:
        """Withdraw every active consent and delete what it covered (PIPL art. 47).

        Patients, pending bindings and vault entries of the account are hard-deleted; consent
        records stay, with their withdrawal time, as evidence.
        """
        now = self._clock()
        async with self._sessions.begin() as session:
            account = await _find_account(session, openid)
            if account is None:
                return
            for consent in await session.scalars(_active_consents(account)):
                consent.withdrawn_at = now
            removed = await self._delete_personal_data(session, account, now)
            self._audit(session, account, "consent_withdrawn", patients_deleted=removed)
        logger.info("consent withdrawn for %s; %d patients deleted", mask_openid(openid), removed)

    # --- binding ----------------------------------------------------------------------------

    async def start_binding(self, openid: str, draft: PatientDraft) -> BindingStarted:
        """Validate the draft and text a code to its phone; voids an earlier pending binding."""
        now = self._clock()
        valid = validate_draft(draft, today=now.astimezone(CHINA_TZ).date())
        policy = self._policy
        code = _new_code(policy.code_digits)
        async with self._sessions.begin() as session:
            account = await self._account(session, openid)
            if await session.scalar(_active_consents(account).limit(1)) is None:
                raise BindingRefused(ErrorReason.CONSENT_REQUIRED)
            await self._check_can_bind(session, account, valid)
            await self._check_send_budget(session, account, now)
            await self._void_pending(session, account, now)
            verification = Verification(
                account_id=account.id,
                draft_ciphertext=self._protector.encrypt(
                    valid.to_json(), purpose=DRAFT, context=str(account.id)
                ),
                phone_masked=mask_phone(valid.phone.e164),
                code_hash=self._code_hash(account, code),
                attempts=0,
                sends=1,
                created_at=now,
                sent_at=now,
                expires_at=now + policy.code_ttl,
            )
            session.add(verification)
            await session.flush()
            verification_id = verification.id
            self._audit(
                session,
                account,
                "binding_started",
                relation=valid.relation.value,
                document_kind=valid.document.kind.value,
            )
        await self._send_code(verification_id, valid.phone.e164, code)
        return self._started(verification)

    async def resend_code(self, openid: str) -> BindingStarted:
        """A new code for the pending binding (the old one stops working)."""
        now = self._clock()
        code = _new_code(self._policy.code_digits)
        async with self._sessions.begin() as session:
            account, verification = await self._pending(session, openid)
            valid: ValidDraft | None = None
            if now >= verification.created_at + self._policy.draft_ttl:
                self._void(verification, now)
            else:
                await self._check_send_budget(session, account, now)
                valid = self._draft(account, verification)
                verification.code_hash = self._code_hash(account, code)
                verification.attempts = 0  # a new code gets its own attempts
                verification.sends += 1
                verification.sent_at = now
                verification.expires_at = now + self._policy.code_ttl
        if valid is None:  # raised after the commit so that the void is saved
            raise NoPendingBinding(ErrorReason.BINDING_EXPIRED)
        await self._send_code(verification.id, valid.phone.e164, code)
        return self._started(verification)

    async def confirm_binding(self, openid: str, code: str) -> PatientView:
        """Check the code and bind the patient; the first patient becomes the selected one."""
        now = self._clock()
        policy = self._policy
        code = _CODE_SEPARATORS.sub("", unicodedata.normalize("NFKC", code))
        failure: PatientsError | None = None
        view: PatientView | None = None
        try:
            async with self._sessions.begin() as session:
                account, verification = await self._pending(session, openid)
                left = policy.max_attempts - verification.attempts
                if not (code.isascii() and code.isdigit() and len(code) == policy.code_digits):
                    raise CodeRejected(ErrorReason.MALFORMED_CODE, left)
                if now >= verification.created_at + policy.draft_ttl:
                    self._void(verification, now)
                    failure = NoPendingBinding(ErrorReason.BINDING_EXPIRED)
                elif now >= verification.expires_at:
                    raise CodeRejected(ErrorReason.CODE_EXPIRED, left)
                elif not self._code_matches(account, verification, code):
                    verification.attempts += 1
                    left -= 1
                    if left <= 0:
                        self._void(verification, now)
                        failure = CodeRejected(ErrorReason.TOO_MANY_ATTEMPTS, 0)
                    else:
                        failure = CodeRejected(ErrorReason.WRONG_CODE, left)
                else:
                    valid = self._draft(account, verification)
                    try:
                        await self._check_can_bind(session, account, valid)
                    except BindingRefused as refused:
                        self._void(verification, now)
                        failure = refused
                    else:
                        patient = self._new_patient(account, valid, now)
                        session.add(patient)
                        await session.flush()
                        verification.consumed_at = now
                        verification.draft_ciphertext = None
                        if account.selected_patient_id is None:
                            account.selected_patient_id = patient.id
                        self._audit(
                            session,
                            account,
                            "patient_bound",
                            patient.id,
                            relation=valid.relation.value,
                            document_kind=valid.document.kind.value,
                        )
                        view = self._view(account, patient, name=valid.name)
        except IntegrityError:
            # The same confirmation ran twice at once; the other one bound the patient.
            raise BindingRefused(ErrorReason.DUPLICATE_DOCUMENT) from None
        # Raised after the commit: used-up attempts and voided drafts must be saved.
        if failure is not None:
            raise failure
        assert view is not None
        logger.info("patient %d bound for %s", view.id, mask_openid(openid))
        return view

    # --- managing ---------------------------------------------------------------------------

    async def cancel_binding(self, openid: str) -> None:
        """The resident gave up (「算了」): the pending draft and its code are void at once, so
        the encrypted ID and phone number do not wait for the draft to expire."""
        now = self._clock()
        async with self._sessions.begin() as session:
            account = await _find_account(session, openid)
            if account is not None:
                await self._void_pending(session, account, now)

    async def select_patient(self, openid: str, patient_id: int) -> PatientView:
        async with self._sessions.begin() as session:
            account, patient = await self._owned(session, openid, patient_id)
            account.selected_patient_id = patient.id
            return self._view(account, patient)

    async def remove_patient(self, openid: str, patient_id: int) -> None:
        """Hard-delete the patient's personal data; the audit row keeps only ids and kinds."""
        async with self._sessions.begin() as session:
            account, patient = await self._owned(session, openid, patient_id)
            details = {"relation": patient.relation, "document_kind": patient.document_kind}
            await session.delete(patient)
            await session.flush()
            if account.selected_patient_id == patient_id:
                account.selected_patient_id = await session.scalar(
                    select(func.min(Patient.id)).where(Patient.account_id == account.id)
                )
            self._audit(session, account, "patient_removed", patient_id, **details)
        logger.info("patient %d removed for %s", patient_id, mask_openid(openid))

    async def set_his_patient_id(self, openid: str, patient_id: int, his_patient_id: str) -> None:
        async with self._sessions.begin() as session:
            account, patient = await self._owned(session, openid, patient_id)
            patient.his_patient_id = his_patient_id
            self._audit(session, account, "his_patient_linked", patient_id)

    # --- helpers ----------------------------------------------------------------------------

    async def _account(self, session: AsyncSession, openid: str) -> Account:
        """The account of `openid`, created on first use.

        Two first requests of one user racing would hit the unique OpenID; the gateway runs a
        user's turns one at a time, so that is not handled beyond the constraint.
        """
        account = await _find_account(session, openid)
        if account is None:
            account = Account(openid=openid, created_at=self._clock())
            session.add(account)
            await session.flush()
        return account

    async def _owned(
        self, session: AsyncSession, openid: str, patient_id: int
    ) -> tuple[Account, Patient]:
        account = await _find_account(session, openid)
        if account is None:
            raise PatientNotFound()
        patient = await session.scalar(
            select(Patient).where(Patient.id == patient_id, Patient.account_id == account.id)
        )
        if patient is None:
            raise PatientNotFound()
        return account, patient

    async def _pending(self, session: AsyncSession, openid: str) -> tuple[Account, Verification]:
        account = await _find_account(session, openid)
        verification = None
        if account is not None:
            verification = await session.scalar(
                select(Verification)
                .where(
                    Verification.account_id == account.id,
                    Verification.consumed_at.is_(None),
                    Verification.voided_at.is_(None),
                )
                .order_by(Verification.id.desc())
                .limit(1)
                # PostgreSQL: two confirmations at once must not both see the same attempts.
                .with_for_update()
            )
        if account is None or verification is None:
            raise NoPendingBinding(ErrorReason.NO_PENDING_BINDING)
        return account, verification

    async def _check_can_bind(
        self, session: AsyncSession, account: Account, valid: ValidDraft
    ) -> None:
        patients = list(
            await session.scalars(select(Patient).where(Patient.account_id == account.id))
        )
        key = document_key(valid.document.kind, valid.document.number)
        indexes = set(self._protector.blind_indexes(key, purpose=DOCUMENT))
        if any(p.document_index in indexes for p in patients):
            raise BindingRefused(ErrorReason.DUPLICATE_DOCUMENT)
        if len(patients) >= self._policy.max_patients:
            raise BindingRefused(ErrorReason.TOO_MANY_PATIENTS)
        if valid.relation is Relation.SELF and any(p.relation == Relation.SELF for p in patients):
            raise BindingRefused(ErrorReason.SELF_ALREADY_BOUND)

    async def _check_send_budget(
        self, session: AsyncSession, account: Account, now: datetime
    ) -> None:
        recent = (
            select(Verification)
            .where(Verification.account_id == account.id)
            .where(Verification.created_at > now - timedelta(days=1))
        )
        rows = list(await session.scalars(recent))
        latest = max((v.sent_at for v in rows if v.sent_at is not None), default=None)
        if latest is not None and now < latest + self._policy.resend_after:
            wait = (latest + self._policy.resend_after - now).total_seconds()
            raise SendRefused(ErrorReason.RESEND_TOO_SOON, math.ceil(wait))
        if sum(v.sends for v in rows) >= self._policy.max_codes_per_day:
            raise SendRefused(ErrorReason.TOO_MANY_CODES, None)

    async def _void_pending(self, session: AsyncSession, account: Account, now: datetime) -> None:
        pending = await session.scalars(
            select(Verification).where(
                Verification.account_id == account.id,
                Verification.consumed_at.is_(None),
                Verification.voided_at.is_(None),
            )
        )
        for verification in pending:
            self._void(verification, now)

    @staticmethod
    def _void(verification: Verification, now: datetime) -> None:
        verification.voided_at = now
        verification.draft_ciphertext = None

    async def _send_code(self, verification_id: int, phone_e164: str, code: str) -> None:
        minutes = max(1, int(self._policy.code_ttl.total_seconds() // 60))
        try:
            await self._sms.send_verification_code(phone_e164, code, minutes)
        except SMSRateLimited as error:
            retry = math.ceil(error.retry_after) if error.retry_after is not None else None
            raise SMSNotSent(ErrorReason.SMS_RATE_LIMITED, retry) from None
        except (SMSInvalidPhone, SMSRejected) as error:
            # The gateway will never deliver this one: drop the draft rather than keep it.
            async with self._sessions.begin() as session:
                verification = await session.get(Verification, verification_id)
                if verification is not None:
                    self._void(verification, self._clock())
            logger.warning("SMS gateway rejected a verification code: %s", error.code)
            raise SMSNotSent(ErrorReason.SMS_REJECTED) from None
        except SMSError as error:
            logger.warning("SMS gateway failed for a verification code: %s", error.code)
            raise SMSNotSent(ErrorReason.SMS_UNAVAILABLE) from None

    def _started(self, verification: Verification) -> BindingStarted:
        assert verification.sent_at is not None
        return BindingStarted(
            masked_phone=verification.phone_masked,
            expires_at=verification.expires_at,
            resend_at=verification.sent_at + self._policy.resend_after,
            attempts=self._policy.max_attempts - verification.attempts,
        )

    def _draft(self, account: Account, verification: Verification) -> ValidDraft:
        assert verification.draft_ciphertext is not None  # pending drafts are never wiped
        plain = self._protector.decrypt(
            verification.draft_ciphertext, purpose=DRAFT, context=str(account.id)
        )
        return ValidDraft.from_json(plain)

    def _code_hash(self, account: Account, code: str) -> str:
        # Keyed: a leaked table does not let anyone try the million codes offline.
        return self._protector.blind_index(code, purpose=f"{SMS_CODE}:{account.id}")

    def _code_matches(self, account: Account, verification: Verification, code: str) -> bool:
        candidates = self._protector.blind_indexes(code, purpose=f"{SMS_CODE}:{account.id}")
        return any(secrets.compare_digest(c, verification.code_hash) for c in candidates)

    def _new_patient(self, account: Account, valid: ValidDraft, now: datetime) -> Patient:
        protect, context = self._protector, str(account.id)
        document = valid.document
        return Patient(
            account_id=account.id,
            relation=valid.relation.value,
            name_ciphertext=protect.encrypt(valid.name, purpose=NAME, context=context),
            document_kind=document.kind.value,
            document_ciphertext=protect.encrypt(document.number, purpose=DOCUMENT, context=context),
            document_index=protect.blind_index(
                document_key(document.kind, document.number), purpose=DOCUMENT
            ),
            document_masked=mask_id_number(document.number),
            birth_date=document.birth_date,
            sex=document.sex.value if document.sex else None,
            phone_ciphertext=protect.encrypt(valid.phone.e164, purpose=PHONE, context=context),
            phone_index=protect.blind_index(valid.phone.e164, purpose=PHONE),
            phone_masked=mask_phone(valid.phone.e164),
            created_at=now,
            verified_at=now,
        )

    def _view(self, account: Account, patient: Patient, *, name: str | None = None) -> PatientView:
        if name is None:
            name = self._protector.decrypt(
                patient.name_ciphertext, purpose=NAME, context=str(account.id)
            )
        relation = Relation(patient.relation)
        kind = DocumentKind(patient.document_kind)
        today = self._clock().astimezone(CHINA_TZ).date()
        return PatientView(
            id=patient.id,
            relation=relation,
            relation_label=RELATION_LABELS[relation],
            name=name,
            masked_name=mask_name(name),
            document_kind=kind,
            document_label=DOCUMENT_KIND_LABELS[kind],
            masked_document=patient.document_masked,
            masked_phone=patient.phone_masked,
            birth_date=patient.birth_date,
            age=age_on(patient.birth_date, today) if patient.birth_date else None,
            sex=Sex(patient.sex) if patient.sex else None,
            is_selected=account.selected_patient_id == patient.id,
            his_patient_id=patient.his_patient_id,
        )

    async def _delete_personal_data(
        self, session: AsyncSession, account: Account, now: datetime
    ) -> int:
        patients = list(
            await session.scalars(select(Patient.id).where(Patient.account_id == account.id))
        )
        await session.execute(delete(Patient).where(Patient.account_id == account.id))
        await session.execute(delete(VaultEntry).where(VaultEntry.openid == account.openid))
        await self._void_pending(session, account, now)
        account.selected_patient_id = None
        return len(patients)

    def _audit(
        self,
        session: AsyncSession,
        account: Account,
        action: str,
        patient_id: int | None = None,
        **detail: str | int,
    ) -> None:
        session.add(
            AuditEvent(
                account_id=account.id,
                patient_id=patient_id,
                action=action,
                detail=json.dumps(detail, sort_keys=True),
                occurred_at=self._clock(),
            )
        )


async def _find_account(session: AsyncSession, openid: str) -> Account | None:
    return await session.scalar(select(Account).where(Account.openid == openid))


def _active_consents(account: Account) -> Select[Consent]:
    return select(Consent).where(
        Consent.account_id == account.id,
        Consent.purpose == HEALTH_DATA_CONSENT,
        Consent.withdrawn_at.is_(None),
    )


def document_key(kind: str, number: str) -> str:
    """What the document blind index is computed over: the kind and the normalised number.

    The kind is part of it: an 8-digit Taiwan permit may equal some other document's number.
    """
    return f"{kind}:{number}"


def _new_code(digits: int) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"
