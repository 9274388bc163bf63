"""sign-in hardening: server-side dashboard sessions, held enrolments

Revision ID: 0007_sign_in_hardening
Revises: 0006_safety_audit
Create Date: 2026-12-03 13:40:00

"""
from alembic import op
import sqlalchemy as sa

import backend.models.base

# revision identifiers, used by Alembic.
revision = '0007_sign_in_hardening'
down_revision = '0006_safety_audit'
branch_labels = None
depends_on = None

UTC = backend.models.base.UTCDateTime(timezone=True)


def upgrade():
    op.create_table(
        'dashboard_sessions',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.Column('last_seen_at', UTC, nullable=False),
        sa.Column('idle_expires_at', UTC, nullable=False),
        sa.Column('expires_at', UTC, nullable=False),
        sa.Column('user_agent', sa.String(length=120), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('revoked_at', UTC, nullable=True),
        sa.Column('revoked_reason', sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index(
        op.f('ix_dashboard_sessions_user_id'), 'dashboard_sessions', ['user_id'], unique=False
    )
    op.create_table(
        'held_enrolments',
        sa.Column('user_id', sa.String(length=32), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('created_at', UTC, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade():
    op.drop_table('held_enrolments')
    op.drop_index(op.f('ix_dashboard_sessions_user_id'), table_name='dashboard_sessions')
    op.drop_table('dashboard_sessions')
