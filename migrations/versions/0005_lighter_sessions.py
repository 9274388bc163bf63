"""adaptations: the coach's lighter session at the chosen level

Revision ID: 0005_lighter_sessions
Revises: 0004_notifications
Create Date: 2026-12-02 14:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_lighter_sessions'
down_revision = '0004_notifications'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('adaptations') as batch:
        batch.add_column(
            sa.Column('lighter', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('adaptations') as batch:
        batch.drop_column('lighter')
