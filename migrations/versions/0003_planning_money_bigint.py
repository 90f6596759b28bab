"""planning money columns are 64-bit

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 18:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# a plan's budget, spend and margin, a line's margin and an order's total: sums of many units,
# which overflowed 32 bits above 21.5 million CNY
_COLUMNS = {
    'purchase_plan': ('budget_fen', 'spent_fen', 'expected_margin_fen'),
    'purchase_plan_line': ('expected_margin_fen',),
    'purchase_order': ('total_fen',),
}


def _retype(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> None:
    if op.get_context().dialect.name == 'sqlite':
        # INTEGER already holds 64 bits there (inventory.tables.MONEY); the rebuild dropped
        # purchase_plan under its lines and orders, which the enforced foreign keys refuse
        return
    for table, columns in _COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, existing_type=old, type_=new,
                                   existing_nullable=False)


def upgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())


def downgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer())
