"""outcomes: the weekly ESAS-r questionnaire a patient answers in the app

Revision ID: 0013_outcomes_questionnaire
Revises: 0012_patient_contact
Create Date: 2026-12-04 19:20:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0013_outcomes_questionnaire'
down_revision = '0012_patient_contact'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'questionnaire_responses',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('patient_id', sa.String(length=32), nullable=False),
        sa.Column('instrument', sa.String(length=20), nullable=False),
        sa.Column('version', sa.String(length=20), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('iso_year', sa.Integer(), nullable=False),
        sa.Column('iso_week', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('other_label', sa.String(length=100), nullable=True),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=100), nullable=True),
        sa.Column('request_hash', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'patient_id', 'instrument', 'iso_year', 'iso_week', name='uq_questionnaire_week'
        ),
        sa.UniqueConstraint('patient_id', 'idempotency_key', name='uq_questionnaire_idempotency'),
    )
    op.create_index(
        'ix_questionnaire_patient_day',
        'questionnaire_responses',
        ['patient_id', 'local_date'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_questionnaire_patient_day', table_name='questionnaire_responses')
    op.drop_table('questionnaire_responses')
