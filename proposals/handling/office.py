"""The supervising office (督查室, role office) and the rules the settings give it: which units
an office supervises, who decides a unit's requests, and the steps a reply goes through.

A unit that no active office account supervises stays with the secretariat whatever the
settings say, so that turning a setting on never leaves an item without anyone to act on it."""

from sqlalchemy import select

from ..accounts.models import User, office_units
from ..errors import NotPermitted
from ..extensions import db
from ..i18n import _
from ..workflow.states import ReplyState as R
from ..workflow.states import Role

# The steps a reply may pass through, in this order; the settings pick which apply.
REPLY_STEPS = (R.AWAITING_SIGNOFF, R.AWAITING_OFFICE_REVIEW, R.AWAITING_REVIEW, R.DELIVERED)


def supervised(department_ids):
    """The ids among ``department_ids`` that an active office account supervises."""
    ids = set(department_ids)
    if not ids:
        return set()
    return set(
        db.session.scalars(
            select(office_units.c.department_id)
            .join(User, User.id == office_units.c.user_id)
            .where(
                office_units.c.department_id.in_(ids),
                User.role == Role.OFFICE,
                User.active,
            )
        )
    )


def is_office_of(user, department_id):
    return user is not None and department_id in user.office_department_ids


def check_decider(actor, assignment, conf):
    """A unit's reassignment or extension request is decided by its office when the setting
    says so and an office supervises the unit, by the secretariat otherwise."""
    by_office = conf["office_decides_requests"] and supervised([assignment.department_id])
    if by_office and not is_office_of(actor, assignment.department_id):
        raise NotPermitted(_("此单位的申请由督查室决定"))
    if not by_office and (actor is None or actor.role != Role.SECRETARIAT):
        raise NotPermitted(_("此申请由提案委员会办公室决定"))


def reply_steps(assignment, conf):
    """The steps this unit's reply takes under the current settings, ending with delivery."""
    office = conf["office_reply_review"] != "off" and supervised([assignment.department_id])
    steps = []
    if conf["signoff_required"]:
        steps.append(R.AWAITING_SIGNOFF)
    if office:
        steps.append(R.AWAITING_OFFICE_REVIEW)
    if conf["reply_review_required"] and not (office and conf["office_reply_review"] == "instead"):
        steps.append(R.AWAITING_REVIEW)
    steps.append(R.DELIVERED)
    return steps


def next_reply_state(assignment, conf, current=None):
    """The state a reply goes to after ``current`` (None: just drafted). Settings may change
    while a reply is on its way: the next step is the first one that still applies after it."""
    after = -1 if current is None else REPLY_STEPS.index(current)
    return next(s for s in reply_steps(assignment, conf) if REPLY_STEPS.index(s) > after)
