"""a purchase plan keeps the review period it was proposed for

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 18:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a buyer's edit works the line's figures out again over the same cover window; plans
    # made before were proposed with the default week
    op.add_column('purchase_plan', sa.Column('review_days', sa.Integer(), nullable=False,
                                             server_default='7'))


def downgrade() -> None:
    op.drop_column('purchase_plan', 'review_days')
