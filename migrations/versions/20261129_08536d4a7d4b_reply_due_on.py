"""reply due_on: the reply deadline in force when a reply was delivered

The on-time rate (docs/domain.md) compares each delivered reply with the deadline it had then;
re-handling later moves the assignment's deadline, so the deadline is kept on the reply.
Existing delivered replies are backfilled from their assignment: the extension of the reply's
round approved before delivery, else the assignment's deadline when the reply belongs to the
assignment's current round, else (the first reply of a re-handled item) the assignment date
plus the reply_due_months setting (an assignment given an explicit due date at that time
cannot be recovered and gets the default).

Revision ID: 08536d4a7d4b
Revises: 7d2c41a0b9e3
Create Date: 2026-11-29 10:09:56.289742

"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from dateutil.relativedelta import relativedelta

# revision identifiers, used by Alembic.
revision = "08536d4a7d4b"
down_revision = "7d2c41a0b9e3"
branch_labels = None
depends_on = None

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_REPLY_DUE_MONTHS = 3  # proposals/committee/settings.py


def upgrade():
    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))

    bind = op.get_bind()
    bind.execute(
        sa.text("""
        UPDATE replies SET due_on = COALESCE(
            (SELECT e.until FROM extension_requests e
              WHERE e.assignment_id = replies.assignment_id AND e.round = replies.round
                AND e.state = 'approved' AND e.decided_at <= replies.delivered_at),
            (SELECT a.reply_due FROM assignments a
              WHERE a.id = replies.assignment_id AND a.round = replies.round))
        WHERE delivered_at IS NOT NULL AND due_on IS NULL""")
    )
    rows = bind.execute(
        sa.text("""
        SELECT r.id, a.assigned_at FROM replies r JOIN assignments a ON a.id = r.assignment_id
        WHERE r.delivered_at IS NOT NULL AND r.due_on IS NULL""")
    ).all()
    if rows:
        setting = bind.execute(
            sa.text("SELECT value FROM settings WHERE key = 'reply_due_months'")
        ).scalar()
        months = int(setting) if setting else DEFAULT_REPLY_DUE_MONTHS
        for reply_id, assigned_at in rows:
            if isinstance(assigned_at, str):  # SQLite without type information
                assigned_at = datetime.fromisoformat(assigned_at)
            if assigned_at.tzinfo is None:
                assigned_at = assigned_at.replace(tzinfo=UTC)
            due = assigned_at.astimezone(LOCAL_TZ).date() + relativedelta(months=months)
            bind.execute(
                sa.text("UPDATE replies SET due_on = :due WHERE id = :id"),
                {"due": due, "id": reply_id},
            )


def downgrade():
    # a plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 and PostgreSQL): batch mode would copy
    # and drop the table, which the foreign keys of ratings and history forbid once it has rows
    op.drop_column("replies", "due_on")
