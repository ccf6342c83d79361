"""Chinese search index

Revision ID: c3f2e5a7b9d1
Revises: b2e1d4f6a8c0
Create Date: 2026-11-29 12:00:00

The index tables of proposals/search/, filled once here from the existing proposals (later the
session events keep them in step; `flask search reindex` rebuilds them at any time).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3f2e5a7b9d1"
down_revision = "b2e1d4f6a8c0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_documents",
        sa.Column("proposal_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("length", sa.Float(), nullable=False),
        sa.Column("indexed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_search_documents_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_search_documents")),
    )
    op.create_table(
        "search_postings",
        sa.Column("term", sa.String(length=40), nullable=False),
        sa.Column("proposal_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tf", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_search_postings_proposal_id_proposals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "proposal_id", name=op.f("pk_search_postings")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_postings_proposal_id", "search_postings", ["proposal_id"])
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM proposals")).scalar():
        from proposals.search.indexer import reindex_all

        reindex_all(bind)


def downgrade():
    op.drop_index("ix_search_postings_proposal_id", table_name="search_postings")
    op.drop_table("search_postings")
    op.drop_table("search_documents")
