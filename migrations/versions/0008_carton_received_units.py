"""a receipt records what each carton held, so a short or missing carton can be claimed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('carton', sa.Column('received_qty', sa.Integer(), nullable=True))
    op.add_column('inbound_transfer', sa.Column('received_units', sa.Integer(), nullable=True))
    op.add_column('inbound_transfer', sa.Column('short_units', sa.Integer(), nullable=True))
    # every receipt before this one booked each carton in full
    op.execute("UPDATE carton SET received_qty = qty WHERE transfer_id IN "
               "(SELECT id FROM inbound_transfer WHERE status = 'received')")
    op.execute("UPDATE inbound_transfer SET short_units = 0, received_units = COALESCE("
               "(SELECT SUM(c.qty) FROM carton c WHERE c.transfer_id = inbound_transfer.id), 0)"
               " WHERE status = 'received'")


def downgrade() -> None:
    op.drop_column('inbound_transfer', 'short_units')
    op.drop_column('inbound_transfer', 'received_units')
    op.drop_column('carton', 'received_qty')
