"""forecast runs keep notes on the export faults they worked around

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 17:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # runs made before had no such notes: an empty list, not NULL
    op.add_column('forecast_run',
                  sa.Column('notes', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    op.drop_column('forecast_run', 'notes')
