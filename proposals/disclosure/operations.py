"""Marking a proposal not for disclosure (不公开, with a reason), by the secretariat.

A flag, not a state change: the transition table is not involved, but the rule has the same
shape as every operation (role and state checked first, one history row, flush only)."""

from ..errors import InvalidState, NotPermitted, ValidationError
from ..extensions import db
from ..i18n import N_, _
from ..workflow.core import log, text_field
from ..workflow.states import Role
from .rules import PUBLIC_PROPOSAL_STATES

# Before filing nothing is public anyway; from filing on the flag decides.
FLAG_STATES = PUBLIC_PROPOSAL_STATES


def set_disclosure(actor, proposal, disclose, reason=None, *, now=None):
    """``disclose`` False marks the proposal not for disclosure (a reason is required);
    True publishes it again under the normal rule."""
    if actor is None or actor.role != Role.SECRETARIAT:
        raise NotPermitted(_("只有提案委员会办公室可以设置是否公开"))
    if proposal.state not in FLAG_STATES:
        raise InvalidState(_("只有已立案的提案可以设置是否公开"))
    if not isinstance(disclose, bool):
        raise ValidationError(fields={"disclose": _("disclose 应为 true 或 false")})
    errors = {}
    if not disclose:
        reason = text_field(errors, {"reason": reason}, "reason", N_("不公开理由"), max_len=500)
        if errors:
            raise ValidationError(fields=errors)
    if proposal.not_for_disclosure == (not disclose):
        raise InvalidState(_("此提案已是该公开状态"))
    proposal.not_for_disclosure = not disclose
    proposal.not_for_disclosure_reason = None if disclose else reason
    log(
        proposal,
        actor,
        "allow_disclosure" if disclose else "withhold_disclosure",
        proposal.state,
        proposal.state,
        comment=None if disclose else reason,
        now=now,
    )
    db.session.flush()
    return proposal
