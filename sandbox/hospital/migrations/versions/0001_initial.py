"""Initial schema: institutions, locations, departments, practitioners, roles, schedules, slots.

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


def upgrade() -> None:
    op.create_table(
        "institutions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("alias", sa.String(length=128), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("grade", sa.String(length=32), nullable=True),
        sa.Column("specialty", sa.String(length=32), nullable=True),
        sa.Column("address_line", sa.String(length=256), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("postal_code", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institutions")),
    )
    op.create_index(op.f("ix_institutions_district"), "institutions", ["district"], unique=False)
    op.create_index(op.f("ix_institutions_kind"), "institutions", ["kind"], unique=False)
    op.create_index(op.f("ix_institutions_name"), "institutions", ["name"], unique=False)

    op.create_table(
        "practitioners",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("family_name", sa.String(length=32), nullable=False),
        sa.Column("given_name", sa.String(length=32), nullable=False),
        sa.Column("gender", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioners")),
    )
    op.create_table(
        "locations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("address_line", sa.String(length=256), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("postal_code", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_locations_institution_id_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
    )
    op.create_index(
        op.f("ix_locations_institution_id"),
        "locations",
        ["institution_id"],
        unique=False,
    )

    op.create_table(
        "departments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("type_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("appointment_required", sa.Boolean(), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("available_days", sa.String(length=64), nullable=False),
        sa.Column("available_hours", sa.String(length=128), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_departments_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_departments_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
    )
    op.create_index(
        op.f("ix_departments_institution_id"),
        "departments",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_departments_location_id"), "departments", ["location_id"], unique=False
    )
    op.create_index(op.f("ix_departments_name"), "departments", ["name"], unique=False)
    op.create_index(op.f("ix_departments_type_code"), "departments", ["type_code"], unique=False)

    op.create_table(
        "practitioner_roles",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("practitioner_id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.String(length=64), nullable=False),
        sa.Column("title_code", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_practitioner_roles_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_practitioner_roles_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_practitioner_roles_practitioner_id_practitioners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_practitioner_roles")),
    )
    op.create_index(
        op.f("ix_practitioner_roles_department_id"),
        "practitioner_roles",
        ["department_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_practitioner_roles_institution_id"),
        "practitioner_roles",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_practitioner_roles_practitioner_id"),
        "practitioner_roles",
        ["practitioner_id"],
        unique=False,
    )

    op.create_table(
        "schedules",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.String(length=64), nullable=False),
        sa.Column("practitioner_role_id", sa.String(length=64), nullable=True),
        sa.Column("sessions", sa.Text(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("horizon_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("horizon_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_schedules_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_role_id"],
            ["practitioner_roles.id"],
            name=op.f("fk_schedules_practitioner_role_id_practitioner_roles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
    )
    op.create_index(
        op.f("ix_schedules_department_id"), "schedules", ["department_id"], unique=False
    )
    op.create_index(
        op.f("ix_schedules_practitioner_role_id"),
        "schedules",
        ["practitioner_role_id"],
        unique=False,
    )

    op.create_table(
        "slots",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("schedule_id", sa.String(length=64), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_slots_schedule_id_schedules"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slots")),
    )
    op.create_index("ix_slots_schedule_id_start", "slots", ["schedule_id", "start"], unique=True)
    op.create_index("ix_slots_start", "slots", ["start"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_slots_start", table_name="slots")
    op.drop_index("ix_slots_schedule_id_start", table_name="slots")

    op.drop_table("slots")
    op.drop_index(op.f("ix_schedules_practitioner_role_id"), table_name="schedules")
    op.drop_index(op.f("ix_schedules_department_id"), table_name="schedules")

    op.drop_table("schedules")
    op.drop_index(op.f("ix_practitioner_roles_practitioner_id"), table_name="practitioner_roles")
    op.drop_index(op.f("ix_practitioner_roles_institution_id"), table_name="practitioner_roles")
    op.drop_index(op.f("ix_practitioner_roles_department_id"), table_name="practitioner_roles")

    op.drop_table("practitioner_roles")
    op.drop_index(op.f("ix_departments_type_code"), table_name="departments")
    op.drop_index(op.f("ix_departments_name"), table_name="departments")
    op.drop_index(op.f("ix_departments_location_id"), table_name="departments")
    op.drop_index(op.f("ix_departments_institution_id"), table_name="departments")

    op.drop_table("departments")
    op.drop_index(op.f("ix_locations_institution_id"), table_name="locations")

    op.drop_table("locations")
    op.drop_table("practitioners")
    op.drop_index(op.f("ix_institutions_name"), table_name="institutions")
    op.drop_index(op.f("ix_institutions_kind"), table_name="institutions")
    op.drop_index(op.f("ix_institutions_district"), table_name="institutions")

    op.drop_table("institutions")
