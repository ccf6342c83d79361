"""collection window: each session's 征集期, and a reply deadline for plenary proposals

A proposal received within its session's collection window is a plenary proposal (大会提案).
Existing sessions get the default window: from three calendar months before the plenary opens
to the plenary's last day. Proposals already received keep the kind they were given then.

The reply deadline may now differ by kind: reply_due_months stays the deadline of proposals
between sessions (平时提案) and reply_due_months_plenary is new. An installation that had
changed reply_due_months gets the same value for plenary proposals, so nothing changes until
the admin sets one of them.

Revision ID: f2a3b4c5d6e7
Revises: e1f2a3b4c5d6
Create Date: 2026-12-06 21:00:00
"""

from datetime import date

import sqlalchemy as sa
from alembic import op
from dateutil.relativedelta import relativedelta

# revision identifiers, used by Alembic.
revision = "f2a3b4c5d6e7"
down_revision = "e1f2a3b4c5d6"
branch_labels = None
depends_on = None

MONTHS_BEFORE = 3  # proposals/committee/service.py COLLECTION_MONTHS_BEFORE


def _day(value):
    return date.fromisoformat(value) if isinstance(value, str) else value  # SQLite: text


def _sqlite_foreign_keys(on):
    """SQLite alters committee_sessions by copying it, and dropping the old copy would break the
    references to it (proposals, counters) with foreign keys on, so they are off while the table
    is copied. The pragma is ignored inside a transaction, and the app opens every transaction
    with BEGIN IMMEDIATE: the transaction so far (the migrations before) is committed, the
    pragma set, and a new transaction opened for the migration run to go on in. Before turning
    them back on, every reference is checked to still hold."""
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


def upgrade():
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("committee_sessions") as batch:
        batch.add_column(sa.Column("collection_start", sa.Date(), nullable=True))
        batch.add_column(sa.Column("collection_end", sa.Date(), nullable=True))

    bind = op.get_bind()
    sessions = sa.table(
        "committee_sessions",
        sa.column("id", sa.Integer),
        sa.column("plenary_start", sa.Date),
        sa.column("plenary_end", sa.Date),
        sa.column("collection_start", sa.Date),
        sa.column("collection_end", sa.Date),
    )
    rows = bind.execute(
        sa.select(sessions.c.id, sessions.c.plenary_start, sessions.c.plenary_end)
    ).all()
    for ident, start, end in rows:
        bind.execute(
            sessions.update()
            .where(sessions.c.id == ident)
            .values(
                collection_start=_day(start) - relativedelta(months=MONTHS_BEFORE),
                collection_end=_day(end),
            )
        )

    with op.batch_alter_table("committee_sessions") as batch:
        batch.alter_column("collection_start", existing_type=sa.Date(), nullable=False)
        batch.alter_column("collection_end", existing_type=sa.Date(), nullable=False)
        batch.create_check_constraint(
            op.f("ck_committee_sessions_collection_window"),
            "collection_start <= plenary_start AND collection_end >= plenary_end",
        )

    # a changed reply deadline keeps applying to plenary proposals too
    bind.execute(
        sa.text(
            "INSERT INTO settings (key, value, updated_at) "
            "SELECT 'reply_due_months_plenary', value, updated_at FROM settings "
            "WHERE key = 'reply_due_months'"
        )
    )
    _sqlite_foreign_keys(True)


def downgrade():
    op.execute("DELETE FROM settings WHERE key = 'reply_due_months_plenary'")
    _sqlite_foreign_keys(False)
    with op.batch_alter_table("committee_sessions") as batch:
        batch.drop_constraint(op.f("ck_committee_sessions_collection_window"), type_="check")
        batch.drop_column("collection_end")
        batch.drop_column("collection_start")
    _sqlite_foreign_keys(True)
