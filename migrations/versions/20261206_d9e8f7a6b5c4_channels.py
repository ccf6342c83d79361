"""channels: a WeChat Work user id per person, and deliveries on any registered channel

A person's WeChat Work (企业微信) user id is where the WeChat Work channel reaches them. The
list of channels lives in the code (proposals/notifications/channels), so a new channel such as
政务钉钉 needs no migration: the check on deliveries.channel goes.

Revision ID: d9e8f7a6b5c4
Revises: c8d7e6f5a4b3
Create Date: 2026-12-06 19:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d9e8f7a6b5c4"
down_revision = "c8d7e6f5a4b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("wecom_userid", sa.String(length=64), nullable=True))
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(op.f("ck_deliveries_channel"), type_="check")


def downgrade():
    op.execute("DELETE FROM deliveries WHERE channel NOT IN ('email', 'sms')")
    with op.batch_alter_table("deliveries") as batch:
        batch.create_check_constraint(
            op.f("ck_deliveries_channel"), sa.text("channel IN ('email', 'sms')")
        )
    with op.batch_alter_table("users") as batch:
        batch.drop_column("wecom_userid")
