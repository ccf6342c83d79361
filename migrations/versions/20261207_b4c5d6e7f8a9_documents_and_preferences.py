"""official documents and remembered preferences

- users remember their text size (normal, large, larger) and each list's sort and filters;
- document_templates: the committee's own Word template for a kind of document, uploaded by the
  admin in place of the shipped default;
- exports: long documents (the compilation, a year's document set) built in the background,
  with their progress and the file when done.

Revision ID: b4c5d6e7f8a9
Revises: a3b4c5d6e7f8
Create Date: 2026-12-07 00:00:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b4c5d6e7f8a9"
down_revision = "a3b4c5d6e7f8"
branch_labels = None
depends_on = None


def upgrade():
    # plain ADD COLUMN: SQLite adds a column with a default in place, where a batch would copy
    # the users table and break the references to it
    op.add_column(
        "users", sa.Column("text_size", sa.String(8), nullable=False, server_default="normal")
    )
    op.add_column("users", sa.Column("list_preferences", sa.JSON(), nullable=True))
    op.create_table(
        "document_templates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False, unique=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("file_name", sa.String(255), nullable=True),
        sa.Column("file_path", sa.String(500), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_exports_state", "exports", ["state"])
    op.create_index("ix_exports_requested_by_id", "exports", ["requested_by_id"])


def downgrade():
    op.drop_index("ix_exports_requested_by_id", "exports")
    op.drop_index("ix_exports_state", "exports")
    op.drop_table("exports")
    op.drop_table("document_templates")
    # SQLite 3.35 and later drop a column in place, without copying the table
    op.drop_column("users", "list_preferences")
    op.drop_column("users", "text_size")
