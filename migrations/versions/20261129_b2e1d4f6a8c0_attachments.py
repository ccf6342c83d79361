"""attachments on proposals and replies (issue 6)

Revision ID: b2e1d4f6a8c0
Revises: a1f0c3d5e7b9
Create Date: 2026-11-29 12:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'b2e1d4f6a8c0'
down_revision = 'a1f0c3d5e7b9'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
