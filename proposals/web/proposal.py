"""The proposal page: content, proposers, assignments, opinions, replies, ratings and the whole
timeline, each part shown only to those entitled; each role's actions come from its area's
panel template (templates/proposal/_actions_<area>.html)."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from ..committee import settings as committee_settings
from ..committee.calendar import local_date, utcnow
from ..handling import office
from ..handling.models import CONTACT_MODES, RATINGS
from ..workflow.access import (
    can_view,
    can_view_contact_details,
    can_view_internal,
    can_view_reply,
    history_comment,
    visible_filter,
)
from ..workflow.models import Proposal
from ..workflow.queries import load_one, proposal_detail_options
from ..workflow.states import allowed_actions
from ..workflow.timeline import timeline

bp = Blueprint("proposal", __name__)


def load_visible(proposal_id):
    """The proposal with everything its pages show, or 404 when ``current_user`` may not see
    it: the SQL visibility filter spares the loading of a proposal out of sight, and can_view()
    stays the rule."""
    proposal = load_one(
        Proposal, proposal_id, proposal_detail_options(), visible_filter(current_user)
    )
    if proposal is None or not can_view(current_user, proposal):
        abort(404)
    return proposal


@bp.get("/proposals/<int:proposal_id>")
@login_required
def show(proposal_id):
    proposal = load_visible(proposal_id)
    user = current_user
    return render_template(
        "proposal/show.html",
        p=proposal,
        today=local_date(utcnow()),
        internal=can_view_internal(user, proposal),
        contact_details=can_view_contact_details(user),
        can_view_reply=lambda r: can_view_reply(user, r),
        history_comment=lambda h: history_comment(user, proposal, h),
        timeline=timeline,
        actions=set(allowed_actions("proposal", proposal.state, user.role)),
        CONTACT_MODES=CONTACT_MODES,
        RATINGS=RATINGS,
        result_labels=committee_settings.result_labels(),
    )


def request_decider(assignment):
    """Who decides this unit's reassignment and extension requests: "office" or "secretariat"
    (a template global: the assignment partials use it wherever they are included)."""
    by_office = committee_settings.get("office_decides_requests") and office.supervised(
        [assignment.department_id]
    )
    return "office" if by_office else "secretariat"
