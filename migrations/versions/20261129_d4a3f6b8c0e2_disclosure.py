"""public disclosure portal

Revision ID: d4a3f6b8c0e2
Revises: c3f2e5a7b9d1
Create Date: 2026-11-29 12:00:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "d4a3f6b8c0e2"
down_revision = "c3f2e5a7b9d1"
branch_labels = None
depends_on = None


def upgrade():
    # the public portal finds published replies by their delivery time
    with op.batch_alter_table("replies") as batch:
        batch.create_index("ix_replies_delivered_at", ["delivered_at"])


def downgrade():
    with op.batch_alter_table("replies") as batch:
        batch.drop_index("ix_replies_delivered_at")
