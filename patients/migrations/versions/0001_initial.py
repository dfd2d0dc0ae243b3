"""Initial schema: accounts, patients, consents, verifications, PII vault, audit events.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "wechat_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("selected_patient_id", sa.Integer(), nullable=True),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wechat_accounts")),
        sa.UniqueConstraint("openid", name=op.f("uq_wechat_accounts_openid")),
    )
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("name_ciphertext", sa.Text(), nullable=False),
        sa.Column("document_kind", sa.String(length=32), nullable=False),
        sa.Column("document_ciphertext", sa.Text(), nullable=False),
        sa.Column("document_index", sa.String(length=64), nullable=False),
        sa.Column("document_masked", sa.String(length=32), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=8), nullable=True),
        sa.Column("phone_ciphertext", sa.Text(), nullable=False),
        sa.Column("phone_index", sa.String(length=64), nullable=False),
        sa.Column("phone_masked", sa.String(length=32), nullable=False),
        sa.Column("his_patient_id", sa.String(length=64), nullable=True),
        _timestamp("created_at"),
        _timestamp("verified_at"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["wechat_accounts.id"],
            name=op.f("fk_patients_account_id_wechat_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint(
            "account_id",
            "document_index",
            name=op.f("uq_patients_account_id_document_index"),
        ),
    )
    op.create_index(op.f("ix_patients_account_id"), "patients", ["account_id"])
    op.create_index(op.f("ix_patients_document_index"), "patients", ["document_index"])
    op.create_index(op.f("ix_patients_phone_index"), "patients", ["phone_index"])

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("text_version", sa.String(length=32), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        _timestamp("granted_at"),
        _timestamp("withdrawn_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["wechat_accounts.id"],
            name=op.f("fk_consents_account_id_wechat_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(op.f("ix_consents_account_id"), "consents", ["account_id"])

    op.create_table(
        "patient_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("draft_ciphertext", sa.Text(), nullable=True),
        sa.Column("phone_masked", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sends", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("sent_at", nullable=True),
        _timestamp("expires_at"),
        _timestamp("consumed_at", nullable=True),
        _timestamp("voided_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["wechat_accounts.id"],
            name=op.f("fk_patient_verifications_account_id_wechat_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_verifications")),
    )
    op.create_index(
        op.f("ix_patient_verifications_account_id"), "patient_verifications", ["account_id"]
    )
    op.create_index(
        op.f("ix_patient_verifications_created_at"), "patient_verifications", ["created_at"]
    )

    op.create_table(
        "pii_vault",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value_ciphertext", sa.Text(), nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pii_vault")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pii_vault_token_hash")),
    )
    op.create_index(op.f("ix_pii_vault_openid"), "pii_vault", ["openid"])
    op.create_index(op.f("ix_pii_vault_expires_at"), "pii_vault", ["expires_at"])

    op.create_table(
        "patient_audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=512), nullable=False),
        _timestamp("occurred_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_audit_events")),
    )
    op.create_index(
        op.f("ix_patient_audit_events_account_id"), "patient_audit_events", ["account_id"]
    )


def downgrade() -> None:
    # Indexes go with their tables; children before parents.
    for table in (
        "patient_audit_events",
        "pii_vault",
        "patient_verifications",
        "consents",
        "patients",
        "wechat_accounts",
    ):
        op.drop_table(table)
