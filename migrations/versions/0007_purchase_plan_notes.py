"""purchase plans keep notes on the SKUs they could not buy at all

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plans made before had no such notes: an empty list, not NULL
    op.add_column('purchase_plan',
                  sa.Column('notes', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    op.drop_column('purchase_plan', 'notes')
