"""the supervising office, staged review, paper ratings, year-end recognition, assignment plans

- users may have the role office (督查室), with the units it supervises (office_units);
- proposals may wait for 审定 (pre_reviewed) under staged review, and carry imported_at when
  they were brought in from an earlier year's spreadsheet; a review decision says its stage and
  a corrected title it proposes;
- assignments may wait for the office's confirmation (proposed) or be refused by it
  (not_confirmed), and record who confirmed them; replies may wait for the office's review;
- ratings say whether they were given online or entered from the paper opinion form, and by whom;
- recognitions: nominations and decisions of excellent proposals and outstanding units;
- assignment_plans: uploaded 交办方案 sheets, checked, kept until applied.

Revision ID: a3b4c5d6e7f8
Revises: f2a3b4c5d6e7
Create Date: 2026-12-06 20:20:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a3b4c5d6e7f8"
down_revision = "f2a3b4c5d6e7"
branch_labels = None
depends_on = None

ROLES_OLD = ("member", "secretariat", "clerk", "department_head", "admin")
ROLES_NEW = ("member", "secretariat", "clerk", "department_head", "office", "admin")
PROPOSAL_OLD = (
    "draft",
    "awaiting_cosigners",
    "submitted",
    "filed",
    "not_filed",
    "merged",
    "withdrawn",
    "assigned",
    "closed",
)
PROPOSAL_NEW = (
    "draft",
    "awaiting_cosigners",
    "submitted",
    "pre_reviewed",
    "filed",
    "not_filed",
    "merged",
    "withdrawn",
    "assigned",
    "closed",
)
ASSIGNMENT_OLD = (
    "pending",
    "reassignment_requested",
    "handling",
    "replied",
    "rehandling",
    "closed",
    "reassigned",
)
ASSIGNMENT_NEW = ("proposed", "not_confirmed", *ASSIGNMENT_OLD)
REPLY_OLD = ("awaiting_signoff", "awaiting_review", "returned", "delivered", "rated", "unrated")
REPLY_NEW = (
    "awaiting_signoff",
    "awaiting_office_review",
    "awaiting_review",
    "returned",
    "delivered",
    "rated",
    "unrated",
)


def _sqlite_foreign_keys(on):
    """SQLite alters a table by copying it, and dropping the old copy would break the references
    to it with foreign keys on (see f2a3b4c5d6e7): they are off while the tables are copied, and
    every reference is checked before they are turned back on."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if on:
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
    raw = bind.connection.dbapi_connection
    was_in_transaction = raw.in_transaction
    if was_in_transaction:
        raw.execute("COMMIT")
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    if was_in_transaction:
        raw.execute("BEGIN IMMEDIATE")


def _replace_check(batch, table, name, column, values):
    batch.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
    batch.create_check_constraint(op.f(f"ck_{table}_{name}"), f"{column} IN {values!r}")


def _fk(batch, table, column, referred="users"):
    batch.create_foreign_key(op.f(f"fk_{table}_{column}_{referred}"), referred, [column], ["id"])


def upgrade():
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("users") as batch:
        _replace_check(batch, "users", "role", "role", ROLES_NEW)
    op.create_table(
        "office_units",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_office_units_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_office_units_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("user_id", "department_id", name=op.f("pk_office_units")),
    )
    op.create_index(
        op.f("ix_office_units_department_id"), "office_units", ["department_id"], unique=False
    )

    with op.batch_alter_table("proposals") as batch:
        _replace_check(batch, "proposals", "state", "state", PROPOSAL_NEW)
        batch.add_column(sa.Column("imported_at", sa.DateTime(), nullable=True))

    with op.batch_alter_table("review_decisions") as batch:
        batch.add_column(sa.Column("stage", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("title", sa.String(length=200), nullable=True))
    op.execute("UPDATE review_decisions SET stage = 'final'")
    with op.batch_alter_table("review_decisions") as batch:
        batch.alter_column("stage", existing_type=sa.String(length=12), nullable=False)
        batch.create_check_constraint(
            op.f("ck_review_decisions_stage"), "stage IN ('preliminary', 'final')"
        )

    with op.batch_alter_table("assignments") as batch:
        _replace_check(batch, "assignments", "state", "state", ASSIGNMENT_NEW)
        batch.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(), nullable=True))
        _fk(batch, "assignments", "confirmed_by_id")

    with op.batch_alter_table("replies") as batch:
        _replace_check(batch, "replies", "state", "state", REPLY_NEW)
        batch.add_column(sa.Column("office_reviewed_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("office_reviewed_at", sa.DateTime(), nullable=True))
        _fk(batch, "replies", "office_reviewed_by_id")

    with op.batch_alter_table("ratings") as batch:
        batch.add_column(sa.Column("source", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("entered_by_id", sa.Integer(), nullable=True))
        _fk(batch, "ratings", "entered_by_id")
    op.execute("UPDATE ratings SET source = 'online'")
    with op.batch_alter_table("ratings") as batch:
        batch.alter_column("source", existing_type=sa.String(length=8), nullable=False)
        batch.create_check_constraint(op.f("ck_ratings_source"), "source IN ('online', 'paper')")

    op.create_table(
        "recognitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("nominated_by_id", sa.Integer(), nullable=False),
        sa.Column("nominated_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('proposal', 'department')", name=op.f("ck_recognitions_kind")),
        sa.CheckConstraint(
            "state IN ('nominated', 'awarded', 'declined')", name=op.f("ck_recognitions_state")
        ),
        sa.CheckConstraint(
            "(kind = 'proposal') = (proposal_id IS NOT NULL) "
            "AND (kind = 'department') = (department_id IS NOT NULL)",
            name=op.f("ck_recognitions_subject"),
        ),
        sa.CheckConstraint(
            "(state = 'nominated') = (decided_at IS NULL)", name=op.f("ck_recognitions_decided")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_recognitions_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_recognitions_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["nominated_by_id"], ["users.id"], name=op.f("fk_recognitions_nominated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_recognitions_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recognitions")),
        sa.UniqueConstraint("year", "proposal_id", name=op.f("uq_recognitions_year_proposal_id")),
        sa.UniqueConstraint(
            "year", "department_id", name=op.f("uq_recognitions_year_department_id")
        ),
    )
    op.create_index(
        op.f("ix_recognitions_proposal_id"), "recognitions", ["proposal_id"], unique=False
    )

    op.create_table(
        "assignment_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_assignment_plans_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["applied_by_id"], ["users.id"], name=op.f("fk_assignment_plans_applied_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_plans")),
    )
    _sqlite_foreign_keys(True)


def downgrade():
    op.drop_table("assignment_plans")
    op.drop_index(op.f("ix_recognitions_proposal_id"), table_name="recognitions")
    op.drop_table("recognitions")
    # rows in the new states cannot go back: refuse rather than lose them
    for table, column, values in (
        ("users", "role", ("office",)),
        ("proposals", "state", ("pre_reviewed",)),
        ("assignments", "state", ("proposed", "not_confirmed")),
        ("replies", "state", ("awaiting_office_review",)),
    ):
        count = (
            op.get_bind()
            .execute(
                sa.text(f"SELECT count(*) FROM {table} WHERE {column} IN :values").bindparams(
                    sa.bindparam("values", expanding=True)
                ),
                {"values": list(values)},
            )
            .scalar()
        )
        if count:
            raise RuntimeError(f"{count} {table} rows are in {values}: cannot downgrade")
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("ratings") as batch:
        batch.drop_constraint(op.f("ck_ratings_source"), type_="check")
        batch.drop_constraint(op.f("fk_ratings_entered_by_id_users"), type_="foreignkey")
        batch.drop_column("entered_by_id")
        batch.drop_column("source")
    with op.batch_alter_table("replies") as batch:
        batch.drop_constraint(op.f("fk_replies_office_reviewed_by_id_users"), type_="foreignkey")
        batch.drop_column("office_reviewed_at")
        batch.drop_column("office_reviewed_by_id")
        _replace_check(batch, "replies", "state", "state", REPLY_OLD)
    with op.batch_alter_table("assignments") as batch:
        batch.drop_constraint(op.f("fk_assignments_confirmed_by_id_users"), type_="foreignkey")
        batch.drop_column("confirmed_at")
        batch.drop_column("confirmed_by_id")
        _replace_check(batch, "assignments", "state", "state", ASSIGNMENT_OLD)
    with op.batch_alter_table("review_decisions") as batch:
        batch.drop_constraint(op.f("ck_review_decisions_stage"), type_="check")
        batch.drop_column("title")
        batch.drop_column("stage")
    with op.batch_alter_table("proposals") as batch:
        batch.drop_column("imported_at")
        _replace_check(batch, "proposals", "state", "state", PROPOSAL_OLD)
    op.drop_index(op.f("ix_office_units_department_id"), table_name="office_units")
    op.drop_table("office_units")
    with op.batch_alter_table("users") as batch:
        _replace_check(batch, "users", "role", "role", ROLES_OLD)
    _sqlite_foreign_keys(True)
