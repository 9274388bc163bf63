"""zone hold: a time-zone change never hands a patient a day not yet started, or one lived

Revision ID: 0009_zone_hold
Revises: 0008_notification_fence
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa

import backend.models.base

# revision identifiers, used by Alembic.
revision = '0009_zone_hold'
down_revision = '0008_notification_fence'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patients') as batch:
        batch.add_column(sa.Column('zone_hold_floor', sa.Date(), nullable=True))
        batch.add_column(
            sa.Column('zone_hold_until', backend.models.base.UTCDateTime(timezone=True),
                      nullable=True)
        )
        batch.add_column(sa.Column('zone_hold_cap_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('patients') as batch:
        batch.drop_column('zone_hold_cap_zone')
        batch.drop_column('zone_hold_until')
        batch.drop_column('zone_hold_floor')
