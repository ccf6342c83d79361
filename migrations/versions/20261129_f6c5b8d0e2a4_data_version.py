"""data_version: the token behind the kept list totals

A list page counted every visible row on every request (the secretariat's list at 100,000
proposals: 5–7 ms on SQLite, 15–30 ms on PostgreSQL, the largest part of the page's SQL).
With this one-row table a worker keeps the totals it counted and counts again only after the
token changed (it is replaced after every committed change to the data).

Revision ID: f6c5b8d0e2a4
Revises: e5b4a7c9d1f3
Create Date: 2026-11-29 15:30:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f6c5b8d0e2a4"
down_revision = "e5b4a7c9d1f3"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "token": secrets.token_hex(16)}])


def downgrade():
    op.drop_table("data_version")
