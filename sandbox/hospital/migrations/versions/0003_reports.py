"""Reports: lab and imaging reports (DiagnosticReport) and their result lines (Observation).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "diagnostic_reports",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=False),
        sa.Column("test_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("effective", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expected", sa.DateTime(timezone=True), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.Column("amendment_note", sa.Text(), nullable=True),
        sa.Column("pending_content", sa.Text(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institutions.id"],
            name=op.f("fk_diagnostic_reports_institution_id_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_diagnostic_reports_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_diagnostic_reports")),
    )
    op.create_index(
        "ix_diagnostic_reports_patient_id_effective",
        "diagnostic_reports",
        ["patient_id", "effective"],
        unique=False,
    )
    op.create_index(
        "ix_diagnostic_reports_last_updated",
        "diagnostic_reports",
        ["last_updated"],
        unique=False,
    )

    op.create_table(
        "observations",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("value", sa.String(length=32), nullable=False),
        sa.Column("range_low", sa.String(length=16), nullable=True),
        sa.Column("range_high", sa.String(length=16), nullable=True),
        sa.Column("range_text", sa.String(length=64), nullable=True),
        sa.Column("interpretation", sa.String(length=4), nullable=False),
        sa.Column("issued", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("last_updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["diagnostic_reports.id"],
            name=op.f("fk_observations_report_id_diagnostic_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
        # Also serves "the results of a report" lookups (report_id is its first column).
        sa.UniqueConstraint("report_id", "code", name=op.f("uq_observations_report_id")),
    )


def downgrade() -> None:
    op.drop_table("observations")
    op.drop_index("ix_diagnostic_reports_last_updated", table_name="diagnostic_reports")
    op.drop_index("ix_diagnostic_reports_patient_id_effective", table_name="diagnostic_reports")
    op.drop_table("diagnostic_reports")
