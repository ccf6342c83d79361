"""indexes for national scale, each justified by EXPLAIN

Each index below answers queries of the benchmark (bench/run.sh); EXPLAIN QUERY PLAN output
from SQLite on the benchmark's 100,000-proposal data (see /work/notes/README_performance.md,
the README's Performance section, for the figures):

- ix_assignments_state_reply_due (state, reply_due): the sweep's system steps and the overdue
  filter select the few live assignments out of the many closed ones.
  settle_acceptances (state = 'pending' AND accept_due < ?): before "SCAN assignments",
  after "SEARCH assignments USING INDEX ix_assignments_state_reply_due (state=?)" (0.1 ms).
  (The reminder rule's OR of four deadlines over state IN (...) is still planned as
  "SCAN a" by SQLite: 56 ms at 100,000 proposals; see the README for what remains.)
- ix_proposals_submitted_at_id (submitted_at, id): the lists sort by submitted_at DESC
  NULLS FIRST, id DESC and show 20 rows. After: "SCAN proposals USING INDEX
  ix_proposals_submitted_at_id" with no "USE TEMP B-TREE FOR ORDER BY" (0.2 ms for the first
  page); before, the tie-break on id needed a temporary B-tree over all visible rows.
- ix_assignments_department_proposal (department_id, proposal_id): what a unit may see
  (access.visible_filter, an EXISTS per proposal): after "SEARCH a USING COVERING INDEX
  ix_assignments_department_proposal (department_id=? AND proposal_id=?)" (0.8 ms for a
  unit's first page); before, a lookup by proposal_id then a filter on department_id.
- ix_proposals_merged_into_proposer (merged_into_id, proposer_id): what a member may see
  includes the proposals their own proposals were merged into (access.visible_filter: EXISTS
  child WHERE child.merged_into_id = proposal.id AND child.proposer_id = ?). Before: "SEARCH
  child USING INDEX ix_proposals_proposer_id (proposer_id=?)" for every proposal, i.e. all
  the member's proposals times all proposals: 5.8 s for a member's list at 20,000 proposals;
  after: "SEARCH child USING COVERING INDEX ix_proposals_merged_into_proposer
  (merged_into_id=? AND proposer_id=?)": 53 ms.

Revision ID: e5b4a7c9d1f3
Revises: d4a3f6b8c0e2

ix_proposals_state_receipt (state, receipt_serial): the secretariat's list total,
  SELECT count(*) FROM proposals WHERE state <> 'draft' OR receipt_serial IS NOT NULL
  SQLite, 100,000 proposals: was SCAN proposals (36.7 ms); now
  SCAN proposals USING COVERING INDEX ix_proposals_state_receipt (7.1 ms).
A member's and a unit's lists (workflow/access.visible_filter as uncorrelated IN id sets):
  member count: MULTI-INDEX OR (SEARCH proposals USING INDEX ix_proposals_proposer_id;
  LIST SUBQUERY SEARCH cosigners USING INDEX ix_cosigners_user_id; SEARCH child USING INDEX
  ix_proposals_proposer_id), 7.5 ms, was SCAN proposals + 2 correlated subqueries, 208 ms;
  unit count: LIST SUBQUERY SEARCH assignments USING COVERING INDEX
  ix_assignments_department_proposal (department_id=?), 10 ms, was 106 ms.
Create Date: 2026-11-29 12:00:00
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e5b4a7c9d1f3"
down_revision = "d4a3f6b8c0e2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignments_state_reply_due", ["state", "reply_due"], unique=False
        )
        batch_op.create_index(
            "ix_assignments_department_proposal", ["department_id", "proposal_id"], unique=False
        )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index("ix_proposals_submitted_at_id", ["submitted_at", "id"], unique=False)
        batch_op.create_index(
            "ix_proposals_merged_into_proposer", ["merged_into_id", "proposer_id"], unique=False
        )
        batch_op.create_index(
            "ix_proposals_state_receipt", ["state", "receipt_serial"], unique=False
        )


def downgrade():
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index("ix_proposals_state_receipt")
        batch_op.drop_index("ix_proposals_merged_into_proposer")
        batch_op.drop_index("ix_proposals_submitted_at_id")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_department_proposal")
        batch_op.drop_index("ix_assignments_state_reply_due")
