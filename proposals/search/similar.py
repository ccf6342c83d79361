"""Similar proposals (相似提案) for a draft being written or a proposal under review.

Who sees what (decided here, for the API and the pages alike):

- candidates are every proposal of every session except the proposal itself and other people's
  drafts (a draft is nobody else's business);
- a candidate the viewer may see (workflow.access.can_view) comes with its details and its
  delivered replies (unit, result, date and a summary of the text);
- a candidate the viewer may not see is listed only if it has been filed (立案: filed, assigned,
  closed — its number and title are published in the session's list of filed proposals) and is
  not marked not for disclosure (不公开: such a proposal's title is not published anywhere), and
  then only with what is public: id, number, title, session, year, state and the score; never
  its texts, proposers or replies (``"visible": false``). Someone else's proposal that was not
  filed (submitted, withdrawn, not filed, merged …) is not shown to a member at all.
"""

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..handling.models import Assignment, Reply
from ..i18n import _
from ..workflow.access import can_view, can_view_reply, visible_filter
from ..workflow.core import STATE_LABELS
from ..workflow.models import Proposal
from ..workflow.queries import visibility_options
from ..workflow.states import ProposalState as P
from ..workflow.states import Role
from .indexer import DELIVERED
from .query import similar_scores

PUBLIC_STATES = (P.FILED, P.ASSIGNED, P.CLOSED)
SUMMARY_CHARS = 120


def candidate_filter(user, exclude_id=None):
    conditions = [or_(Proposal.state != P.DRAFT, Proposal.proposer_id == user.id)]
    if user.role != Role.SECRETARIAT:
        listed = and_(Proposal.state.in_(PUBLIC_STATES), Proposal.not_for_disclosure.is_(False))
        conditions.append(or_(visible_filter(user), listed))
    else:
        conditions.append(visible_filter(user))
    if exclude_id is not None:
        conditions.append(Proposal.id != exclude_id)
    return and_(*conditions)


def find_similar(user, title, text, exclude_id=None, limit=10, min_score=0.0, states=None):
    """[(proposal, score)] best first, as ``user`` may know of them."""
    where = [candidate_filter(user, exclude_id)]
    if states:
        where.append(Proposal.state.in_(states))
    pairs = similar_scores(title, text, where=where, limit=limit, min_score=min_score)
    if not pairs:
        return []
    by_id = {
        p.id: p
        for p in db.session.scalars(
            select(Proposal)
            .where(Proposal.id.in_([pid for pid, _s in pairs]))
            .options(*visibility_options())
        )
    }  # can_view() in item_json()
    return [(by_id[pid], score) for pid, score in pairs if pid in by_id]


def similar_to(user, proposal, **kw):
    return find_similar(
        user,
        proposal.title,
        "\n".join([proposal.analysis or "", proposal.suggestions or ""]),
        exclude_id=proposal.id,
        **kw,
    )


def summary(text, size=SUMMARY_CHARS):
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[:size] + "…"


def earlier_replies(user, proposal):
    """The delivered replies of ``proposal`` that ``user`` may read, oldest first."""
    rows = db.session.scalars(
        select(Reply)
        .join(Assignment)
        .where(Assignment.proposal_id == proposal.id, Reply.state.in_(DELIVERED))
        .options(joinedload(Reply.assignment))
        .order_by(Reply.delivered_at, Reply.id)
    ).all()
    return [r for r in rows if can_view_reply(user, r)]


def reply_json(reply, labels):
    return {
        "id": reply.id,
        "department": reply.assignment.department.code,
        "department_name": reply.assignment.department.name,
        "result": reply.result,
        "result_label": labels.get(reply.result),
        "delivered_at": reply.delivered_at.date().isoformat() if reply.delivered_at else None,
        "summary": summary(reply.text),
    }


def item_json(user, proposal, score, labels):
    """``labels``: committee_settings.result_labels(), read once for the whole answer."""
    visible = can_view(user, proposal)
    out = {
        "id": proposal.id,
        "number": proposal.number,
        "number_label": proposal.number_label,
        "title": proposal.title,
        "session": proposal.session_id,
        "session_label": proposal.session.label,
        "year": proposal.session.year,
        "state": proposal.state,
        "state_label": _(STATE_LABELS[proposal.state]),
        "score": score,
        "visible": visible,
        "replies": [],
    }
    if visible:
        out["proposer_name"] = proposal.proposer.name
        out["replies"] = [reply_json(r, labels) for r in earlier_replies(user, proposal)]
    return out
