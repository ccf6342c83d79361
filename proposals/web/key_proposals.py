"""The key-proposal board (重点提案督办): every key proposal with its units, their deadlines,
contacts, replies, overdue flags and ratings, for the secretariat (all of them) and for each
supervising leader (督办领导: those they supervise), with a printable sheet.

A supervising leader is whoever the secretariat named (workflow/operations.mark_key: any active
user; the page offers the secretariat, members and unit heads). Nobody else sees the board.
The page reads a fixed number of queries whatever the number of key proposals.
"""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..committee import settings as committee_settings
from ..committee.calendar import local_date, utcnow
from ..committee.models import CommitteeSession
from ..extensions import db
from ..handling.models import CONTACT_MODES, RATINGS, ROLE_LABELS, Assignment, Reply
from ..inputs import MAX_ID, MAX_YEAR, MIN_YEAR, int_arg
from ..workflow.models import Proposal
from ..workflow.states import AssignmentState as A
from ..workflow.states import CosignerState, Role
from ..workflow.states import ProposalState as P

bp = Blueprint("key_proposals", __name__)

BOARD_STATES = (P.SUBMITTED, P.FILED, P.ASSIGNED, P.CLOSED)  # where mark_key is allowed
LIVE = (A.PENDING, A.HANDLING, A.REHANDLING)


def supervises_any(user):
    """Whether ``user`` is the supervising leader of at least one key proposal."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Proposal.is_key,
                    Proposal.supervisor_id == user.id,
                    Proposal.state.in_(BOARD_STATES),
                )
            )
        )
    )


def board_scope(user):
    """(all, supervisor id) that ``user`` may see on the board; 403 for anyone else."""
    if user.role == Role.SECRETARIAT:
        return None
    if supervises_any(user):
        return user.id
    abort(403)


def read_filters(own_scope):
    """year, session (id) and, for the secretariat, supervisor (username) from the query
    string; a bad number is ignored with a message."""
    out, errors = {}, {}
    for name, low, high in (("year", MIN_YEAR, MAX_YEAR), ("session", 1, MAX_ID)):
        value = int_arg(errors, name, low, high)  # bounded: never a database error
        if value is not None:
            out[name] = value
    if own_scope is None and request.args.get("supervisor", "").strip():
        out["supervisor"] = request.args["supervisor"].strip()
    if request.args.get("overdue") == "true":
        out["overdue"] = True
    return out, errors


def key_proposals(supervisor_id, filters):
    """The key proposals with everything the board shows, eager-loaded (3 queries: the
    proposals with their supervisor, their co-signers, their units with each unit's contacts,
    opinion, replies and ratings joined)."""
    assignments = selectinload(Proposal.assignments)
    query = (
        select(Proposal)
        .where(Proposal.is_key, Proposal.state.in_(BOARD_STATES))
        .options(
            selectinload(Proposal.cosigners),
            joinedload(Proposal.supervisor),
            assignments.joinedload(Assignment.contacts),
            assignments.joinedload(Assignment.opinion),
            assignments.joinedload(Assignment.replies).joinedload(Reply.ratings),
        )
        .join(CommitteeSession, CommitteeSession.id == Proposal.session_id)
        .order_by(
            CommitteeSession.year.desc(),
            CommitteeSession.id.desc(),
            Proposal.number.asc().nulls_last(),
            Proposal.id,
        )
    )
    if supervisor_id is not None:
        query = query.where(Proposal.supervisor_id == supervisor_id)
    if "year" in filters:
        query = query.where(CommitteeSession.year == filters["year"])
    if "session" in filters:
        query = query.where(CommitteeSession.id == filters["session"])
    if "supervisor" in filters:
        query = query.where(
            Proposal.supervisor_id.in_(
                select(User.id).where(User.username == filters["supervisor"])
            )
        )
    return db.session.scalars(query).unique().all()


def unit_rows(proposal, today):
    """Each live unit's part, with the flags the board shows."""
    rows = []
    for a in proposal.assignments:
        if a.state == A.REASSIGNED:
            continue
        live = a.state in LIVE
        delivered = [r for r in a.replies if r.delivered_at is not None]
        rows.append(
            {
                "a": a,
                "live": live,
                "overdue": a.is_overdue(today),
                "opinion_overdue": (
                    a.role == "co" and a.opinion is None and live and today > a.opinion_due
                ),
                "contact_overdue": (
                    a.role != "co" and live and not a.contacts and today > a.contact_due
                ),
                "accept_overdue": a.state == A.PENDING and today > a.accept_due,
                "replies": delivered,
                "pending_reply": next(
                    (
                        r
                        for r in a.replies
                        if r.delivered_at is None and r.state not in ("returned",)
                    ),
                    None,
                ),
            }
        )
    return rows


def proposal_rows(proposals, today):
    rows = []
    for p in proposals:
        units = unit_rows(p, today)
        names = [p.proposer.name] + [
            c.user.name for c in p.cosigners if c.state == CosignerState.ACCEPTED
        ]
        rows.append(
            {
                "p": p,
                "proposers": names,
                "units": units,
                "overdue": any(u["overdue"] for u in units),
            }
        )
    return rows


def filter_choices(supervisor_id):
    """Sessions, years and (for the secretariat) supervisors that occur on the board."""
    scope = Proposal.is_key & Proposal.state.in_(BOARD_STATES)
    if supervisor_id is not None:
        scope = scope & (Proposal.supervisor_id == supervisor_id)
    sessions = db.session.scalars(
        select(CommitteeSession)
        .where(CommitteeSession.id.in_(select(Proposal.session_id).where(scope)))
        .order_by(CommitteeSession.year.desc(), CommitteeSession.id.desc())
    ).all()
    supervisors = []
    if supervisor_id is None:
        supervisors = db.session.execute(
            select(User.username, User.name)
            .where(User.id.in_(select(Proposal.supervisor_id).where(scope)))
            .order_by(User.name)
        ).all()
    return sessions, sorted({s.year for s in sessions}, reverse=True), supervisors


def _board(template):
    supervisor_id = board_scope(current_user)
    filters, errors = read_filters(supervisor_id)
    today = local_date(utcnow())
    rows = proposal_rows(key_proposals(supervisor_id, filters), today)
    if filters.get("overdue"):
        rows = [r for r in rows if r["overdue"]]
    sessions, years, supervisors = filter_choices(supervisor_id)
    return render_template(
        template,
        rows=rows,
        filters=filters,
        errors=errors,
        today=today,
        own=supervisor_id is not None,
        sessions=sessions,
        years=years,
        supervisors=supervisors,
        args=request.args,
        role_labels=ROLE_LABELS,
        CONTACT_MODES=CONTACT_MODES,
        RATINGS=RATINGS,
        result_labels=committee_settings.result_labels(),
    )


@bp.get("/key-proposals")
@login_required
def index():
    return _board("key_proposals/index.html")


@bp.get("/key-proposals/print")
@login_required
def print_view():
    return _board("key_proposals/print.html")
