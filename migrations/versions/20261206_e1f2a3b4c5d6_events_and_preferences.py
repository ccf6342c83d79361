"""events and preferences: notifications made with an action, and each person's channels

An event (proposal filed, reply delivered …) is a notification without a deadline, with a
short text for SMS; each person's choice of channels per kind, SMS quiet period and daily
digest is a row of notification_preferences.

Revision ID: e1f2a3b4c5d6
Revises: d9e8f7a6b5c4
Create Date: 2026-12-06 20:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e1f2a3b4c5d6"
down_revision = "d9e8f7a6b5c4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("deadline", existing_type=sa.Date(), nullable=True)
        batch.add_column(sa.Column("short_text", sa.String(length=200), nullable=True))
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("sms_quiet_start", sa.String(length=5), nullable=True),
        sa.Column("sms_quiet_end", sa.String(length=5), nullable=True),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preferences")),
    )


def downgrade():
    op.drop_table("notification_preferences")
    op.execute("DELETE FROM notifications WHERE deadline IS NULL")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("short_text")
        batch.alter_column("deadline", existing_type=sa.Date(), nullable=False)
