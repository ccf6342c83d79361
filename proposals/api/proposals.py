from flask import jsonify, request
from sqlalchemy import or_, select

from ..accounts.models import Department
from ..committee.models import Category, CommitteeSession
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..handling.models import Assignment
from ..workflow import operations as ops
from ..workflow.access import can_view, visible_filter
from ..workflow.core import expect_version
from ..workflow.models import Proposal
from ..workflow.states import ProposalState
from . import authenticated, bp, if_match, json_body, paginate
from .serializers import proposal_detail, proposal_summary


def load_proposal(user, proposal_id):
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or not can_view(user, proposal):
        raise NotFound("提案不存在")
    return proposal


def done(user, proposal, status=200):
    db.session.commit()
    return jsonify(proposal_detail(proposal, user)), status


@bp.post("/proposals")
@authenticated
def create(user):
    proposal = ops.create_proposal(user, json_body())
    return done(user, proposal, 201)


@bp.get("/proposals")
@authenticated
def index(user):
    query = select(Proposal).where(visible_filter(user))
    args, errors = request.args, {}
    if args.get("state"):
        if args["state"] not in {s.value for s in ProposalState}:
            errors["state"] = "未知的状态"
        query = query.where(Proposal.state == args["state"])
    for name, column in (("year", CommitteeSession.year), ("session", CommitteeSession.id)):
        if args.get(name):
            try:
                query = query.where(Proposal.session_id.in_(
                    select(CommitteeSession.id).where(column == int(args[name]))))
            except ValueError:
                errors[name] = "应为整数"
    if args.get("category"):
        query = query.where(Proposal.category_id.in_(
            select(Category.id).where(Category.code == args["category"])))
    if args.get("department"):
        query = query.where(Proposal.id.in_(
            select(Assignment.proposal_id).join(Department).where(
                Department.code == args["department"])))
    if args.get("key"):
        if args["key"] not in ("true", "false", "1", "0"):
            errors["key"] = "应为 true 或 false"
        query = query.where(Proposal.is_key.is_(args["key"] in ("true", "1")))
    if args.get("q"):
        like = "%" + args["q"].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Proposal.title.like(like, escape="\\"),
                                Proposal.analysis.like(like, escape="\\"),
                                Proposal.suggestions.like(like, escape="\\")))
    if errors:
        raise ValidationError(fields=errors)
    query = query.order_by(Proposal.submitted_at.desc().nulls_first(), Proposal.id.desc())
    return jsonify(paginate(query, proposal_summary))


@bp.get("/proposals/<int:proposal_id>")
@authenticated
def show(user, proposal_id):
    return jsonify(proposal_detail(load_proposal(user, proposal_id), user))


@bp.patch("/proposals/<int:proposal_id>")
@authenticated
def edit(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    return done(user, ops.edit_proposal(user, proposal, json_body()))


@bp.post("/proposals/<int:proposal_id>/submit")
@authenticated
def submit(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    return done(user, ops.submit_proposal(user, proposal))


@bp.post("/proposals/<int:proposal_id>/cosign")
@authenticated
def cosign(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    return done(user, ops.respond_to_invitation(user, proposal, json_body().get("accept")))


@bp.post("/proposals/<int:proposal_id>/withdraw")
@authenticated
def withdraw(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    return done(user, ops.withdraw_proposal(user, proposal, json_body().get("reason")))


@bp.post("/proposals/<int:proposal_id>/review")
@authenticated
def review(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    return done(user, ops.review_proposal(user, proposal, json_body()))


@bp.post("/proposals/<int:proposal_id>/assign")
@authenticated
def assign(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    expect_version(proposal, if_match())
    data = json_body()
    return done(user, ops.assign_proposal(user, proposal, data.get("departments"),
                                          data.get("due_date")))


@bp.post("/proposals/<int:proposal_id>/key")
@authenticated
def key(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    data = json_body()
    return done(user, ops.mark_key(user, proposal, data.get("key"), data.get("supervisor")))


@bp.post("/proposals/<int:proposal_id>/consultation")
@authenticated
def consultation(user, proposal_id):
    proposal = load_proposal(user, proposal_id)
    return done(user, ops.record_consultation(user, proposal, json_body().get("note")))
