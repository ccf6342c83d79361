"""security: session epochs, audit log (issue 6)

Revision ID: a1f0c3d5e7b9
Revises: 08536d4a7d4b
Create Date: 2026-11-29 12:00:00

"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401


# revision identifiers, used by Alembic.
revision = 'a1f0c3d5e7b9'
down_revision = '08536d4a7d4b'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
