"""safety audit: resting vital signs on check-ins, the clinician's decision on a red flag,
the rules that shaped each session

Revision ID: 0006_safety_audit
Revises: 0005_lighter_sessions
Create Date: 2026-12-03 11:00:00

"""
from alembic import op
import sqlalchemy as sa

import backend.models.base

# revision identifiers, used by Alembic.
revision = '0006_safety_audit'
down_revision = '0005_lighter_sessions'
branch_labels = None
depends_on = None

VITALS = ('resting_hr', 'systolic_bp', 'diastolic_bp', 'spo2', 'glucose')


def upgrade():
    with op.batch_alter_table('check_ins') as batch:
        for name in VITALS:
            batch.add_column(sa.Column(name, sa.Float(), nullable=True))
    with op.batch_alter_table('exercise_sessions') as batch:
        batch.add_column(sa.Column('reasons', sa.JSON(), nullable=True))
    with op.batch_alter_table('alerts') as batch:
        batch.add_column(sa.Column('decision', sa.String(length=20), nullable=True))
        batch.add_column(
            sa.Column('decided_at', backend.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    # Alerts acknowledged before decisions existed were cleared to resume.
    op.execute("UPDATE alerts SET decision = 'resume', decided_at = acknowledged_at "
               "WHERE acknowledged_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('exercise_sessions') as batch:
        batch.drop_column('reasons')
    with op.batch_alter_table('alerts') as batch:
        batch.drop_column('decided_at')
        batch.drop_column('decision')
    with op.batch_alter_table('check_ins') as batch:
        for name in reversed(VITALS):
            batch.drop_column(name)
