"""login_failures: the failed logins the login limits count when no Redis holds them

Every worker of the web server reads and writes the same rows, so the limits per account, per
address and per device hold whatever the number of workers. Only an HMAC of each key is stored.

Revision ID: c8d7e6f5a4b3
Revises: b7c6d5e4f3a2
Create Date: 2026-12-06 18:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c8d7e6f5a4b3"
down_revision = "b7c6d5e4f3a2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures") as batch:
        batch.create_index(
            "ix_login_failures_scope_key_created", ["scope", "key_hash", "created_at"], unique=False
        )
        batch.create_index(batch.f("ix_login_failures_created_at"), ["created_at"], unique=False)


def downgrade():
    with op.batch_alter_table("login_failures") as batch:
        batch.drop_index(batch.f("ix_login_failures_created_at"))
        batch.drop_index("ix_login_failures_scope_key_created")
    op.drop_table("login_failures")
