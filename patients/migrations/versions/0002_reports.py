"""Reports: access trail, critical-value alerts, report-ready notices, subscriptions, cursors.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_index(op.f("ix_patients_his_patient_id"), "patients", ["his_patient_id"])
    op.create_table(
        "report_access_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("his_patient_id", sa.String(length=64), nullable=True),
        sa.Column("report_id", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=512), nullable=False),
        _timestamp("occurred_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_access_events")),
    )
    for column in ("account_id", "patient_id", "report_id", "occurred_at"):
        op.create_index(op.f(f"ix_report_access_events_{column}"), "report_access_events", [column])
    op.create_table(
        "critical_value_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("report_version", sa.String(length=32), nullable=False),
        sa.Column("his_patient_id", sa.String(length=64), nullable=False),
        sa.Column("institution_id", sa.String(length=64), nullable=True),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        _timestamp("created_at"),
        _timestamp("acknowledged_at", nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_critical_value_alerts")),
        sa.UniqueConstraint(
            "report_id",
            "report_version",
            name=op.f("uq_critical_value_alerts_report_id_report_version"),
        ),
    )
    op.create_index(
        op.f("ix_critical_value_alerts_his_patient_id"),
        "critical_value_alerts",
        ["his_patient_id"],
    )
    op.create_index(
        op.f("ix_critical_value_alerts_created_at"), "critical_value_alerts", ["created_at"]
    )
    op.create_table(
        "report_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(length=64), nullable=False),
        sa.Column("report_version", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=24), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_notifications")),
        sa.UniqueConstraint(
            "report_id",
            "report_version",
            "account_id",
            name=op.f("uq_report_notifications_report_id_report_version_account_id"),
        ),
    )
    op.create_index(
        op.f("ix_report_notifications_account_id"), "report_notifications", ["account_id"]
    )
    op.create_table(
        "notification_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("template_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_subscriptions")),
        sa.UniqueConstraint(
            "openid",
            "template_id",
            name=op.f("uq_notification_subscriptions_openid_template_id"),
        ),
    )
    op.create_table(
        "feed_cursors",
        sa.Column("name", sa.String(length=64), nullable=False),
        _timestamp("position"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_feed_cursors")),
    )


def downgrade() -> None:
    op.drop_table("feed_cursors")
    op.drop_table("notification_subscriptions")
    op.drop_table("report_notifications")
    op.drop_table("critical_value_alerts")
    op.drop_table("report_access_events")
    op.drop_index(op.f("ix_patients_his_patient_id"), table_name="patients")
