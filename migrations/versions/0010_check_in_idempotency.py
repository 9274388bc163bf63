"""check-in idempotency: an offline check-in replayed by /me/sync is stored once

Revision ID: 0010_check_in_idempotency
Revises: 0009_zone_hold
Create Date: 2026-12-03 14:10:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0010_check_in_idempotency'
down_revision = '0009_zone_hold'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('check_ins') as batch:
        batch.add_column(sa.Column('idempotency_key', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            'uq_check_in_idempotency', ['patient_id', 'idempotency_key']
        )


def downgrade():
    with op.batch_alter_table('check_ins') as batch:
        batch.drop_constraint('uq_check_in_idempotency', type_='unique')
        batch.drop_column('request_hash')
        batch.drop_column('idempotency_key')
