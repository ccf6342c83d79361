"""kept statistics counts: marks, contributions, counts and the triggers that mark

The annual figures at 1,000,000 proposals took 3.6 s on PostgreSQL (a year's 100,000
proposals and 105,000 unit-items read on every request). proposals/stats/kept.py keeps them
as counts per period instead; this migration adds its three tables, the triggers that mark a
proposal whenever a row the figures read is written (whatever writes it), and two partial
indexes for the key proposals, which are still computed from the records:

- ix_proposals_key_submitted (submitted_at) WHERE is_key, ix_proposals_key_session
  (session_id) WHERE is_key: a period's key proposals (about 1 in 100). PostgreSQL at
  1,000,000 proposals, `SELECT id FROM proposals WHERE is_key AND submitted_at >= … AND
  submitted_at < …` (a year): before, "Index Scan using ix_proposals_submitted_at … Filter:
  is_key, Rows Removed by Filter: 98957", 119 ms; after, "Index Scan using
  ix_proposals_key_submitted", 1.5 ms. By session: "Index Scan using ix_proposals_session_id
  … Filter: is_key", 76 ms; after, "Index Scan using ix_proposals_key_session", 1.0 ms.
  SQLite at 100,000 (`is_key = 1`, the predicate SQLite matches): before, "SEARCH proposals
  USING INDEX ix_proposals_submitted_at_id (submitted_at>? AND submitted_at<?)", 13.8 ms, and
  "… USING INDEX ix_proposals_session_id (session_id=?)", 9.3 ms; after, "… USING INDEX
  ix_proposals_key_submitted (submitted_at>? AND submitted_at<?)", 0.15 ms, and "… USING
  INDEX ix_proposals_key_session (session_id=?)", 0.1 ms.
- ix_stats_contributions_latest (latest): max(latest), whether the counts can answer for a
  date: "Index Only Scan Backward using ix_stats_contributions_latest" (PostgreSQL).

Every proposal is marked, so the counts are built by the first folds (a statistics request
when there are few, else the periodic task or `flask stats fold`); until then the figures are
computed as before.

Revision ID: a8e7d0f2b4c6
Revises: f6c5b8d0e2a4
Create Date: 2026-11-29 22:30:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a8e7d0f2b4c6"
down_revision = "f6c5b8d0e2a4"
branch_labels = None
depends_on = None

# table → (how its rows find their proposal, the columns whose update marks, a condition)
PROPOSAL_COLUMNS = (
    "state",
    "submitted_at",
    "session_id",
    "kind",
    "category_id",
    "proposer_id",
    "filed_at",
    "not_filed_disposition",
)
MARKED = {
    "proposals": ("self", PROPOSAL_COLUMNS, None),
    "review_decisions": ("proposal", None, None),
    "history": ("proposal", None, "{row}.action = 'withdraw'"),
    "cosigners": ("proposal", None, None),
    "assignments": ("proposal", None, None),
    "replies": ("assignment", None, None),
    "extension_requests": ("assignment", None, None),
    "ratings": ("reply", None, None),
}
# a user whose sector, organisation type or standing as an active member changes: the
# proposals they proposed or co-signed (their counts depend on it)
USER_COLUMNS = ("role", "org_type", "active", "sector")
SOURCES = {
    "self": "SELECT {row}.id",
    "proposal": "SELECT {row}.proposal_id",
    "assignment": "SELECT a.proposal_id FROM assignments a WHERE a.id = {row}.assignment_id",
    "reply": (
        "SELECT a.proposal_id FROM replies r JOIN assignments a "
        "ON a.id = r.assignment_id WHERE r.id = {row}.reply_id"
    ),
    "user": (
        "SELECT p.id FROM proposals p WHERE p.proposer_id = {row}.id UNION "
        "SELECT c.proposal_id FROM cosigners c WHERE c.user_id = {row}.id"
    ),
}
ROWS = {"insert": ("NEW",), "update": ("NEW", "OLD"), "delete": ("OLD",)}


def trigger_statements(dialect):
    """CREATE statements of the marking triggers (and PostgreSQL's functions)."""
    out = []
    if dialect == "postgresql":
        for how, source in SOURCES.items():
            # an update marks by the new row and by the old one; a mark is a new row (no
            # lock another writer could wait for: stats/kept.py)
            body = [
                f"IF TG_OP IN ('{op_}', 'UPDATE') THEN INSERT INTO stats_dirty "
                f"(proposal_id) {source.format(row=row)}; END IF;"
                for op_, row in (("INSERT", "NEW"), ("DELETE", "OLD"))
            ]
            out.append(
                f"CREATE FUNCTION stats_mark_{how}() RETURNS trigger LANGUAGE plpgsql "
                f"AS $$ BEGIN {' '.join(body)} RETURN NULL; END $$"
            )
    distinct = " IS DISTINCT FROM " if dialect == "postgresql" else " IS NOT "
    changed = " OR ".join(f"OLD.{c}{distinct}NEW.{c}" for c in USER_COLUMNS)
    if dialect == "postgresql":
        out.append(
            f"CREATE TRIGGER stats_mark_users_update AFTER UPDATE OF "
            f"{', '.join(USER_COLUMNS)} ON users FOR EACH ROW WHEN ({changed}) "
            "EXECUTE FUNCTION stats_mark_user()"
        )
    else:
        out.append(
            f"CREATE TRIGGER stats_mark_users_update AFTER UPDATE OF "
            f"{', '.join(USER_COLUMNS)} ON users FOR EACH ROW WHEN {changed} BEGIN "
            f"INSERT INTO stats_dirty (proposal_id) "
            f"{SOURCES['user'].format(row='NEW')}; END"
        )
    for table, (how, columns, condition) in MARKED.items():
        for event, rows in ROWS.items():
            name = f"stats_mark_{table}_{event}"
            of = f" OF {', '.join(columns)}" if event == "update" and columns else ""
            when = ""
            if condition:
                when = " WHEN " + " OR ".join(condition.format(row=r) for r in rows)
            if dialect == "postgresql":
                when = f" WHEN ({when[6:]})" if when else ""
                out.append(
                    f"CREATE TRIGGER {name} AFTER {event.upper()}{of} ON {table} "
                    f"FOR EACH ROW{when} EXECUTE FUNCTION stats_mark_{how}()"
                )
            else:
                body = " ".join(
                    f"INSERT INTO stats_dirty (proposal_id) {SOURCES[how].format(row=r)};"
                    for r in rows
                )
                out.append(
                    f"CREATE TRIGGER {name} AFTER {event.upper()}{of} ON {table} "
                    f"FOR EACH ROW{when} BEGIN {body} END"
                )
    return out


def upgrade():
    op.create_table(
        "stats_dirty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_dirty")),
    )
    op.create_index(op.f("ix_stats_dirty_proposal_id"), "stats_dirty", ["proposal_id"])
    op.create_table(
        "stats_contributions",
        sa.Column("proposal_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("latest", sa.DateTime(), nullable=True),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_stats_contributions")),
    )
    op.create_index(op.f("ix_stats_contributions_latest"), "stats_contributions", ["latest"])
    op.create_table(
        "stats_counts",
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("figure", sa.String(length=16), nullable=False),
        sa.Column("k", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("t", sa.String(length=64), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("period", "figure", "k", "t", name=op.f("pk_stats_counts")),
    )
    op.create_index(
        "ix_proposals_key_submitted",
        "proposals",
        ["submitted_at"],
        sqlite_where=sa.text("is_key = 1"),
        postgresql_where=sa.text("is_key"),
    )
    op.create_index(
        "ix_proposals_key_session",
        "proposals",
        ["session_id"],
        sqlite_where=sa.text("is_key = 1"),
        postgresql_where=sa.text("is_key"),
    )
    for statement in trigger_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.execute("INSERT INTO stats_dirty (proposal_id) SELECT id FROM proposals")


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute("DROP TRIGGER IF EXISTS stats_mark_users_update" + (" ON users" if postgres else ""))
    for table in MARKED:
        for event in ROWS:
            op.execute(
                f"DROP TRIGGER IF EXISTS stats_mark_{table}_{event}"
                + (f" ON {table}" if postgres else "")
            )
    if postgres:
        for how in SOURCES:
            op.execute(f"DROP FUNCTION IF EXISTS stats_mark_{how}()")
    op.drop_index("ix_proposals_key_session", table_name="proposals")
    op.drop_index("ix_proposals_key_submitted", table_name="proposals")
    op.drop_table("stats_counts")
    op.drop_index(op.f("ix_stats_contributions_latest"), table_name="stats_contributions")
    op.drop_table("stats_contributions")
    op.drop_index(op.f("ix_stats_dirty_proposal_id"), table_name="stats_dirty")
    op.drop_table("stats_dirty")
