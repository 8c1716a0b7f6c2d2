"""webhook events carry their chat until answered: a chat's waiting events are answered together, in order

Revision ID: 5b2f0c6e8a41
Revises: 33b6d65843e6
Create Date: 2026-11-22 16:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b2f0c6e8a41'
down_revision = '33b6d65843e6'
branch_labels = None
depends_on = None


def upgrade():
    # Events recorded before this have no chat: they are answered by id, as before.
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chat', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_webhook_events_chat'), ['chat'], unique=False)


def downgrade():
    with op.batch_alter_table('webhook_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_events_chat'))
        batch_op.drop_column('chat')
