"""ORM schema of the patients package.

Raw ID numbers, phone numbers and names are never stored in clear: columns ending in
``_ciphertext`` hold `patients.protection` ciphertexts, ``_index`` columns blind indexes for
matching, ``_masked`` columns what may be shown. Audit rows carry no personal data at all.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names keep migrations identical across SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
BLIND_INDEX_LENGTH = 64  # hex of HMAC-SHA256


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetime stored in UTC.

    SQLite has no timezone type and compares datetimes as text, so values are normalised to
    naive UTC there; PostgreSQL keeps ``timestamptz``. Reads always return aware UTC values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Account(Base):
    """A WeChat user (by OpenID) who acts for up to five patients."""

    __tablename__ = "wechat_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    # No foreign key: it would make the two tables depend on each other; the service clears it
    # when the patient is removed.
    selected_patient_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Patient(Base):
    """A person the account books for (就诊人), verified by an SMS code to their phone."""

    __tablename__ = "patients"
    # One person once per account; other accounts (family members) may bind the same person.
    __table_args__ = (UniqueConstraint("account_id", "document_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("wechat_accounts.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = mapped_column(String(16))
    name_ciphertext: Mapped[str] = mapped_column(Text)
    document_kind: Mapped[str] = mapped_column(String(32))
    document_ciphertext: Mapped[str] = mapped_column(Text)
    document_index: Mapped[str] = mapped_column(String(BLIND_INDEX_LENGTH), index=True)
    document_masked: Mapped[str] = mapped_column(String(32))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(8))
    phone_ciphertext: Mapped[str] = mapped_column(Text)
    phone_index: Mapped[str] = mapped_column(String(BLIND_INDEX_LENGTH), index=True)
    phone_masked: Mapped[str] = mapped_column(String(32))
    # The hospital's Patient id, set by the booking code after registering the patient there.
    his_patient_id: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Consent(Base):
    """An explicit consent (PIPL: separate consent for sensitive data), kept as evidence."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("wechat_accounts.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(32))
    text_version: Mapped[str] = mapped_column(String(32))
    # Proves which wording was agreed to, even if the version label is reused by mistake.
    text_sha256: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Verification(Base):
    """A pending binding: the encrypted draft and the hash of the SMS code sent for it."""

    __tablename__ = "patient_verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("wechat_accounts.id", ondelete="CASCADE"), index=True
    )
    # Wiped (NULL) as soon as the binding is confirmed or abandoned: minimum retention.
    draft_ciphertext: Mapped[str | None] = mapped_column(Text)
    phone_masked: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(BLIND_INDEX_LENGTH))
    attempts: Mapped[int] = mapped_column(Integer)
    sends: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VaultEntry(Base):
    """A raw ID or phone number the gateway replaced by a token before the text reached Rasa."""

    __tablename__ = "pii_vault"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SHA-256 of the token: a leaked table does not give usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    openid: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value_ciphertext: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AuditEvent(Base):
    """What happened to whose patients, when (全程留痕); never names or numbers.

    No foreign keys: the trail must outlive the patient rows it describes.
    """

    __tablename__ = "patient_audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(Integer, index=True)
    patient_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    # JSON of non-identifying facts: relation, document kind, consent version.
    detail: Mapped[str] = mapped_column(String(512))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReportAccess(Base):
    """One reading of a hospital report through frontdoor, or a refused attempt (全程留痕).

    Admins query it by account, patient or report. No foreign keys: the trail outlives the rows.
    """

    __tablename__ = "report_access_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The OpenID is pseudonymous and needed to answer "who"; admin views mask it.
    openid: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    his_patient_id: Mapped[str | None] = mapped_column(String(64))
    report_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # list | view | withheld (sensitive) | refused | notified
    action: Mapped[str] = mapped_column(String(16))
    # Non-identifying facts: the reason of a refusal, the page shown, the test code.
    detail: Mapped[str] = mapped_column(String(512))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class CriticalValueAlert(Base):
    """A report with critical values (危急值) seen by frontdoor: staff must call the patient.

    The bot never interprets them; this row is the flag a clinician works from.
    """

    __tablename__ = "critical_value_alerts"
    __table_args__ = (UniqueConstraint("report_id", "report_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(String(64))
    report_version: Mapped[str] = mapped_column(String(32))
    his_patient_id: Mapped[str] = mapped_column(String(64), index=True)
    institution_id: Mapped[str | None] = mapped_column(String(64))
    # JSON list of {"code", "name", "value", "flag"} of the critical results only.
    items: Mapped[str] = mapped_column(Text)
    # chat (a resident opened it) | feed (the report-ready watcher saw it)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))


class ReportNotification(Base):
    """A "report ready" notice owed to one account for one report version: exactly once."""

    __tablename__ = "report_notifications"
    __table_args__ = (UniqueConstraint("report_id", "report_version", "account_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(String(64))
    report_version: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[int] = mapped_column(Integer, index=True)
    patient_id: Mapped[int] = mapped_column(Integer)
    # customer_service | subscribe | none (outside the window and not subscribed)
    channel: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NotificationSubscription(Base):
    """A user's answer to a subscribe-message prompt (订阅通知), as WeChat reported it."""

    __tablename__ = "notification_subscriptions"
    __table_args__ = (UniqueConstraint("openid", "template_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    openid: Mapped[str] = mapped_column(String(64))
    template_id: Mapped[str] = mapped_column(String(128))
    # accept | reject
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TriageEvent(Base):
    """One triage answer the bot gave: an emergency answer or a department with an urgency.

    Admins review what the bot routed. Never the resident's words nor the symptoms they typed:
    only the engine's codes (department, level, red-flag names). No foreign keys to accounts or
    patients: the trail outlives the rows.
    """

    __tablename__ = "triage_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The OpenID is pseudonymous and needed to answer "who"; admin views mask it.
    openid: Mapped[str] = mapped_column(String(64))
    # The bound patient the triage was about, when there was one.
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # emergency (the red-flag answer) | advice (a department, an urgency and the booking offer)
    kind: Mapped[str] = mapped_column(String(16))
    # A code of the triage catalogue (triage/data/departments.yml) and an engine level.
    department: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(24))
    # Follow-up questions answered before the answer; None when not known (an emergency
    # outside a triage).
    followup_questions: Mapped[int | None] = mapped_column(Integer)
    booking_offered: Mapped[bool] = mapped_column(Boolean)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class TriageRedFlag(Base):
    """A red flag an answer was given for, in the engine's order (most urgent first).

    A row per flag, so admins filter and count by flag in the database.
    """

    __tablename__ = "triage_red_flags"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("triage_events.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    flag: Mapped[str] = mapped_column(String(64), index=True)


class FeedCursor(Base):
    """Where a watcher of a hospital feed stopped (e.g. reports by lastUpdated)."""

    __tablename__ = "feed_cursors"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[datetime] = mapped_column(UTCDateTime)
