"""The first ledger schema: runs, their forecasts per model and issue, questions and their
resolutions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("title", sa.String(500), nullable=False, index=True),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("scenario_yaml", sa.Text, nullable=False),
        sa.Column("scenario_hash", sa.String(64), nullable=False),
        sa.Column("models", sa.JSON, nullable=False),
        sa.Column("thresholds", sa.JSON, nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("draws", sa.Integer, nullable=False),
        sa.Column("accord_version", sa.String(40), nullable=False),
    )
    op.create_table(
        "forecasts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("issue", sa.String(200), nullable=False),
        sa.Column("point", sa.Float),
        sa.Column("mean", sa.Float),
        sa.Column("q05", sa.Float),
        sa.Column("q10", sa.Float),
        sa.Column("q50", sa.Float),
        sa.Column("q90", sa.Float),
        sa.Column("q95", sa.Float),
        sa.Column("draws", sa.LargeBinary),
        sa.UniqueConstraint("run_id", "model", "issue"),
    )
    op.create_index("ix_forecasts_run_issue", "forecasts", ["run_id", "issue"])
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("analyst", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("scenario", sa.String(500), nullable=False, index=True),
        sa.Column("issue", sa.String(200), nullable=False),
        sa.Column("op", sa.String(2)),
        sa.Column("threshold", sa.Float),
        sa.Column("scale_low", sa.Float, nullable=False),
        sa.Column("scale_high", sa.Float, nullable=False),
        sa.Column("deadline", sa.Date),
        sa.Column("criteria", sa.Text, nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL")),
    )
    op.create_table(
        "resolutions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("question_id", sa.Integer,
                  sa.ForeignKey("questions.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("value", sa.Float),
        sa.Column("event", sa.Boolean),
        sa.Column("resolved_on", sa.Date, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("quote", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("analyst", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    for table in ("resolutions", "questions", "forecasts", "runs"):
        op.drop_table(table)
