"""Keeping the index in step: SQLAlchemy session events, so that no operation has to know.

After each flush, the proposals whose title, analysis or suggestions were inserted or changed,
and those with a reply inserted or whose text or state changed (a reply becomes searchable when
it is delivered), are re-indexed in the same transaction: a rollback undoes both."""

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from ..handling.models import Reply
from ..workflow.models import Proposal
from .indexer import assignments_t, index_proposals

PROPOSAL_FIELDS = ("title", "analysis", "suggestions")
REPLY_FIELDS = ("text", "state")
KEY = "search_pending"


def _changed(obj, fields):
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in fields)


@event.listens_for(Session, "after_flush")
def _collect(session, flush_context):
    proposals, assignments = set(), set()
    for obj in session.new:
        if isinstance(obj, Proposal):
            proposals.add(obj.id)
        elif isinstance(obj, Reply):
            assignments.add(obj.assignment_id)
    for obj in session.dirty:
        if isinstance(obj, Proposal) and _changed(obj, PROPOSAL_FIELDS):
            proposals.add(obj.id)
        elif isinstance(obj, Reply) and _changed(obj, REPLY_FIELDS):
            assignments.add(obj.assignment_id)
    if proposals or assignments:
        pending = session.info.setdefault(KEY, [set(), set()])
        pending[0].update(p for p in proposals if p is not None)
        pending[1].update(a for a in assignments if a is not None)


@event.listens_for(Session, "after_flush_postexec")
def _index(session, flush_context):
    pending = session.info.pop(KEY, None)
    if not pending:
        return
    proposals, assignments = pending
    conn = session.connection()
    if assignments:
        proposals.update(
            conn.execute(
                select(assignments_t.c.proposal_id).where(
                    assignments_t.c.id.in_(sorted(assignments))
                )
            ).scalars()
        )
    if proposals:
        index_proposals(conn, proposals)


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop(KEY, None)
