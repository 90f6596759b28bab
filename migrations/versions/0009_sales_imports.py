"""sales rows remember their import, so each export covers only its own days

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 11:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sales_import',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('rows', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('id'))
    # rows imported before this stay NULL: taken together as one import, as they were
    op.add_column('sales_day', sa.Column('import_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_sales_day_import_id'), 'sales_day', ['import_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sales_day_import_id'), table_name='sales_day')
    op.drop_column('sales_day', 'import_id')
    op.drop_table('sales_import')
