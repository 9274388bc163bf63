"""notification fence: a fencing token bumped at every claim, checked at renew and record

Revision ID: 0008_notification_fence
Revises: 0007_sign_in_hardening
Create Date: 2026-12-03 13:30:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0008_notification_fence'
down_revision = '0007_sign_in_hardening'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('fence', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('notifications') as batch:
        batch.drop_column('fence')
