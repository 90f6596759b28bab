"""webhooks keep their own fan-out cursors

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_CURSORS = ('scanned_event_id', 'settled_event_id', 'checkpoint_event_id')


def upgrade() -> None:
    for name in _CURSORS:
        op.add_column('webhook', sa.Column(name, sa.Integer(), nullable=False,
                                           server_default='0'))
    op.add_column('webhook', sa.Column('checkpoint_at', sa.DateTime(timezone=True),
                                       nullable=True))
    # carry on from where the old cursor (the webhook's highest delivered event id) stood;
    # events it skipped before this migration are not looked for again
    op.execute('UPDATE webhook SET scanned_event_id = COALESCE('
               '(SELECT MAX(d.event_id) FROM webhook_delivery d WHERE d.webhook_id = webhook.id'
               ' AND d.event_id > webhook.start_after_event_id), start_after_event_id)')
    op.execute('UPDATE webhook SET settled_event_id = scanned_event_id, '
               'checkpoint_event_id = scanned_event_id')


def downgrade() -> None:
    op.drop_column('webhook', 'checkpoint_at')
    for name in reversed(_CURSORS):
        op.drop_column('webhook', name)
