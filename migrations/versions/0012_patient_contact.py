"""patient contact: a phone number and the preferred way to reach the patient

Revision ID: 0012_patient_contact
Revises: 0011_clinic_timezone
Create Date: 2026-12-03 14:50:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0012_patient_contact'
down_revision = '0011_clinic_timezone'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patients') as batch:
        batch.add_column(sa.Column('phone', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('preferred_contact', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('patients') as batch:
        batch.drop_column('preferred_contact')
        batch.drop_column('phone')
