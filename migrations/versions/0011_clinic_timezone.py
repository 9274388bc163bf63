"""clinic time zone: the dashboard shows times in the clinic's own zone

Revision ID: 0011_clinic_timezone
Revises: 0010_check_in_idempotency
Create Date: 2026-12-03 14:40:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0011_clinic_timezone'
down_revision = '0010_check_in_idempotency'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clinics') as batch:
        batch.add_column(
            sa.Column('timezone', sa.String(length=64), server_default='UTC', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('clinics') as batch:
        batch.drop_column('timezone')
