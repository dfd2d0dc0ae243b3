"""Booking: patients and appointments, with database-enforced "no double booking".

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An appointment holds its slot unless it is cancelled or entered in error (models.HOLDS_SLOT_SQL).
HOLDS_SLOT = sa.text("status NOT IN ('cancelled', 'entered-in-error')")


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("identifier_system", sa.String(length=128), nullable=False),
        sa.Column("identifier_value", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("gender", sa.String(length=16), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint(
            "identifier_system",
            "identifier_value",
            name=op.f("uq_patients_identifier_system"),
        ),
    )

    op.create_table(
        "appointments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("slot_id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.String(length=64), nullable=False),
        sa.Column("practitioner_role_id", sa.String(length=64), nullable=True),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("request_system", sa.String(length=128), nullable=True),
        sa.Column("request_key", sa.String(length=128), nullable=True),
        sa.Column("patient_instruction", sa.Text(), nullable=False),
        sa.Column("cancellation_reason", sa.Text(), nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_appointments_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_appointments_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_appointments_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_role_id"],
            ["practitioner_roles.id"],
            name=op.f("fk_appointments_practitioner_role_id_practitioner_roles"),
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["slots.id"],
            name=op.f("fk_appointments_slot_id_slots"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint(
            "request_system",
            "request_key",
            name=op.f("uq_appointments_request_system"),
        ),
    )
    op.create_index(op.f("ix_appointments_slot_id"), "appointments", ["slot_id"], unique=False)
    op.create_index(
        "ix_appointments_patient_id_start",
        "appointments",
        ["patient_id", "start"],
        unique=False,
    )
    op.create_index(
        "uq_appointments_slot_id_holding",
        "appointments",
        ["slot_id"],
        unique=True,
        sqlite_where=HOLDS_SLOT,
        postgresql_where=HOLDS_SLOT,
    )
    op.create_index(
        "uq_appointments_patient_department_day_holding",
        "appointments",
        ["patient_id", "department_id", "service_date"],
        unique=True,
        sqlite_where=HOLDS_SLOT,
        postgresql_where=HOLDS_SLOT,
    )


def downgrade() -> None:
    op.drop_index("uq_appointments_patient_department_day_holding", table_name="appointments")
    op.drop_index("uq_appointments_slot_id_holding", table_name="appointments")
    op.drop_index("ix_appointments_patient_id_start", table_name="appointments")
    op.drop_index(op.f("ix_appointments_slot_id"), table_name="appointments")
    op.drop_table("appointments")
    op.drop_table("patients")
