"""order, parcel and wave money columns are 64-bit on PostgreSQL

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 10:00:00
"""
from __future__ import annotations

from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# an order's amounts (intake takes up to 999,999,999.99 CNY), its lines' prices, its parcels'
# shipping and tax, and a wave's costs (sums over its parcels, taxes included): 32 bits
# overflowed at 21.5 million CNY
_COLUMNS = {
    'orders': ('goods_fen', 'freight_fen', 'insurance_fen', 'discount_fen', 'total_fen',
               'tax_fen', 'paid_fen'),
    'order_line': ('unit_price_fen',),
    'parcel': ('shipping_fen', 'tax_fen'),
    'wave': ('objective_fen', 'lower_bound_fen', 'baseline_fen'),
}


def _retype(type_: str) -> None:
    if op.get_context().dialect.name == 'sqlite':
        # INTEGER already holds 64 bits there (inventory.tables.MONEY); a rebuild would drop
        # `orders` under its lines and parcels, which the enforced foreign keys refuse
        return
    for table, columns in _COLUMNS.items():
        # one statement per table, so PostgreSQL rewrites each table once, not once per column
        op.execute(f'ALTER TABLE {table} '
                   + ', '.join(f'ALTER COLUMN {column} TYPE {type_}' for column in columns))


def upgrade() -> None:
    _retype('BIGINT')


def downgrade() -> None:
    _retype('INTEGER')  # refused by PostgreSQL if a value no longer fits
