"""Calibrated predictive quantiles beside the input quantiles (shared/DESIGN.md, "Predictive
intervals that mean what they say"): per forecast p05..p95 and the predictive draws, per run
the calibration each model used (method, corpus, size, date). Earlier records keep NULL
there: they had none.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

PREDICTIVE = ("p05", "p10", "p50", "p90", "p95")


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("calibration", sa.JSON))
    with op.batch_alter_table("forecasts") as batch:
        for name in PREDICTIVE:
            batch.add_column(sa.Column(name, sa.Float))
        batch.add_column(sa.Column("predictive_draws", sa.LargeBinary))


def downgrade() -> None:
    with op.batch_alter_table("forecasts") as batch:
        batch.drop_column("predictive_draws")
        for name in PREDICTIVE:
            batch.drop_column(name)
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("calibration")
