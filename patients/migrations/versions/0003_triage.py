"""Triage: the trail of triage answers (department, level, red flags; never the words).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-08
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
        "triage_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=24), nullable=False),
        sa.Column("followup_questions", sa.Integer(), nullable=True),
        sa.Column("booking_offered", sa.Boolean(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_events")),
    )
    for column in ("account_id", "patient_id", "occurred_at"):
        op.create_index(op.f(f"ix_triage_events_{column}"), "triage_events", [column])
    op.create_table(
        "triage_red_flags",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["triage_events.id"],
            name=op.f("fk_triage_red_flags_event_id_triage_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "position", name=op.f("pk_triage_red_flags")),
    )
    op.create_index(op.f("ix_triage_red_flags_flag"), "triage_red_flags", ["flag"])


def downgrade() -> None:
    op.drop_table("triage_red_flags")
    op.drop_table("triage_events")
