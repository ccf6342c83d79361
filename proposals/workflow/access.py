"""Who may see what (docs/domain.md): members their own, co-signed and merged-into proposals; a
unit only its assignments; a supervising office its units' assignments; the secretariat
everything that has been submitted."""

from sqlalchemy import and_, false, or_, select

from ..handling.models import Assignment
from .models import Cosigner, Proposal
from .states import CosignerState, Role
from .states import ProposalState as P
from .states import ReplyState as R

# A co-signer sees the proposal while invited (to decide) and once they have co-signed; one who
# declined or let the invitation expire did not co-sign it.
COSIGNER_SEES = (CosignerState.INVITED, CosignerState.ACCEPTED)


def visible_filter(user):
    """A SQL condition on Proposal for what ``user`` may see."""
    if user is None:
        return false()
    if user.role == Role.SECRETARIAT:
        return or_(Proposal.state != P.DRAFT, Proposal.receipt_serial.is_not(None))
    if user.role == Role.MEMBER:
        # id sets (uncorrelated IN subqueries, each an index search) rather than EXISTS per
        # row: counting a member's list does not visit every proposal
        child = Proposal.__table__.alias("child")
        return or_(
            Proposal.proposer_id == user.id,
            and_(
                Proposal.state != P.DRAFT,
                Proposal.id.in_(
                    select(Cosigner.proposal_id).where(
                        Cosigner.user_id == user.id, Cosigner.state.in_(COSIGNER_SEES)
                    )
                ),
            ),
            Proposal.id.in_(
                select(child.c.merged_into_id).where(
                    child.c.proposer_id == user.id, child.c.merged_into_id.is_not(None)
                )
            ),
        )
    if user.role in (Role.CLERK, Role.DEPARTMENT_HEAD) and user.department_id:
        return Proposal.id.in_(
            select(Assignment.proposal_id).where(Assignment.department_id == user.department_id)
        )
    if user.role == Role.OFFICE and user.office_department_ids:
        return Proposal.id.in_(
            select(Assignment.proposal_id).where(
                Assignment.department_id.in_(user.office_department_ids)
            )
        )
    return false()


def can_view(user, proposal):
    if user is None:
        return False
    if user.role == Role.SECRETARIAT:
        return proposal.state != P.DRAFT or proposal.receipt_serial is not None
    if user.role == Role.MEMBER:
        return (
            proposal.proposer_id == user.id
            or (
                proposal.state != P.DRAFT
                and getattr(proposal.cosigner_for(user), "state", None) in COSIGNER_SEES
            )
            or any(m.proposer_id == user.id for m in proposal.merged)
        )
    if user.is_unit_staff:
        return any(a.department_id == user.department_id for a in proposal.assignments)
    if user.role == Role.OFFICE:
        return any(a.department_id in user.office_department_ids for a in proposal.assignments)
    return False


def _supervises(user, proposal):
    """An office account that supervises one of the proposal's units."""
    return user.role == Role.OFFICE and any(
        a.department_id in user.office_department_ids for a in proposal.assignments
    )


def can_view_reply(user, reply):
    """Drafts stay inside the unit, its supervising office and the secretariat; proposers see
    delivered replies."""
    if user.role == Role.SECRETARIAT:
        return True
    if user.is_unit_staff and reply.assignment.department_id == user.department_id:
        return True
    if reply.assignment.department_id in user.office_department_ids:
        return True
    return reply.state in (R.DELIVERED, R.RATED, R.UNRATED)


def can_view_internal(user, proposal):
    """Co-unit opinions, extension and reassignment requests: secretariat, the units and the
    office supervising one of them."""
    return (
        user.role == Role.SECRETARIAT
        or (
            user.is_unit_staff
            and any(a.department_id == user.department_id for a in proposal.assignments)
        )
        or _supervises(user, proposal)
    )


# History entries whose comment stays with the units, their offices and the secretariat: the
# units' requests, the drafts' result codes, the sign-off and review remarks, a 初审 not yet
# decided, the offices' confirmations (see can_view_internal).
INTERNAL_HISTORY = frozenset(
    {
        "request_reassignment",
        "approve_reassignment",
        "refuse_reassignment",
        "request_extension",
        "approve_extension",
        "refuse_extension",
        "draft_reply",
        "signoff",
        "signoff_return",
        "review_reply",
        "review_return",
        "pre_review",
        "confirm_assignment",
        "refuse_confirmation",
        "office_review_reply",
        "office_review_return",
    }
)


def history_comment(user, proposal, entry, internal=None):
    """The comment of a history entry as ``user`` may read it: None when it is internal."""
    if internal is None:
        internal = can_view_internal(user, proposal)
    if entry.action in INTERNAL_HISTORY and not internal:
        return None
    return entry.comment


def can_view_contact_details(user):
    """Proposers' phone and e-mail: the secretariat and units (to make contact)."""
    return user.role == Role.SECRETARIAT or user.is_unit_staff


def visible_assignments_filter(user):
    if user.role == Role.SECRETARIAT:
        return Assignment.id.is_not(None)
    if user.is_unit_staff and user.department_id:
        return Assignment.department_id == user.department_id
    if user.role == Role.OFFICE and user.office_department_ids:
        return Assignment.department_id.in_(user.office_department_ids)
    return false()
