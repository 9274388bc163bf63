"""observations: raw wearable points (partitioned by month on PostgreSQL, BRIN on time) and
their day and session summaries

Revision ID: 0014_observations
Revises: 0013_outcomes_questionnaire
Create Date: 2026-12-04 19:40:00

"""
from alembic import op
import sqlalchemy as sa

from backend.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0014_observations'
down_revision = '0013_outcomes_questionnaire'
branch_labels = None
depends_on = None

PARTITIONS = 'observation_partitions'


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        # The month partitions live apart from the app's tables; services.observations
        # makes them as uploads and the nightly prune need them.
        op.execute(f'CREATE SCHEMA IF NOT EXISTS {PARTITIONS}')
    op.create_table(
        'observation_points',
        sa.Column('patient_id', sa.String(length=32), nullable=False),
        sa.Column('started_at', UTCDateTime(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('device', sa.String(length=64), nullable=False),
        sa.Column('ended_at', UTCDateTime(), nullable=True),
        sa.Column('value', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint(
            'patient_id', 'started_at', 'kind', 'device', name='pk_observation_points'
        ),
        postgresql_partition_by='RANGE (started_at)',
    )
    op.create_index(
        'ix_observation_points_time_brin',
        'observation_points',
        ['started_at'],
        postgresql_using='brin',
    )
    op.create_table(
        'observation_days',
        sa.Column('patient_id', sa.String(length=32), nullable=False),
        sa.Column('local_date', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('minimum', sa.Float(), nullable=True),
        sa.Column('maximum', sa.Float(), nullable=True),
        sa.Column('mean', sa.Float(), nullable=True),
        sa.Column('total', sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('patient_id', 'local_date', 'kind', name='pk_observation_days'),
    )
    op.create_table(
        'session_streams',
        sa.Column('session_id', sa.String(length=32), nullable=False),
        sa.Column('patient_id', sa.String(length=32), nullable=False),
        sa.Column('started_at', UTCDateTime(), nullable=False),
        sa.Column('ended_at', UTCDateTime(), nullable=False),
        sa.Column('summaries', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['exercise_sessions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('session_id'),
    )
    op.create_index('ix_session_streams_patient_id', 'session_streams', ['patient_id'])


def downgrade():
    op.drop_index('ix_session_streams_patient_id', table_name='session_streams')
    op.drop_table('session_streams')
    op.drop_table('observation_days')
    op.drop_index('ix_observation_points_time_brin', table_name='observation_points')
    op.drop_table('observation_points')  # drops its partitions with it
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP SCHEMA IF EXISTS {PARTITIONS} CASCADE')
