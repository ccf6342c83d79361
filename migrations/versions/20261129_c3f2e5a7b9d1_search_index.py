"""Chinese search index (issue 8)

Revision ID: c3f2e5a7b9d1
Revises: b2e1d4f6a8c0
Create Date: 2026-11-29 12:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'c3f2e5a7b9d1'
down_revision = 'b2e1d4f6a8c0'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
