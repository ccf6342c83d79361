"""The secretariat's pages (提案委员会办公室): review, assignment, key proposals, consultations,
reassignment and extension decisions, reply review, and its queues.

Each view loads a record the user may see (404 otherwise), reads the form into the API's dict
shape and calls the one operation; the operation decides. A GET form page asks the same
transition table first (``move``) so that a role or state that could never submit it gets the
403/409 page instead of a form."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ..accounts.models import Department, User
from ..committee import settings as committee_settings
from ..committee.calendar import local_date, utcnow
from ..committee.models import DISPOSITION_LABELS, DISPOSITIONS, Category, NotFiledReason
from ..extensions import db
from ..handling import office
from ..handling import operations as hops
from ..handling.models import Assignment, Reply
from ..inputs import MAX_ID, bounded_int, int_arg_or_400
from ..search import apply_search
from ..search.similar import item_json, similar_to
from ..workflow import operations as ops
from ..workflow.access import can_view, can_view_reply, visible_filter
from ..workflow.core import STATE_LABELS, move
from ..workflow.models import Proposal
from ..workflow.queries import assignment_detail_options, load_one, reply_detail_options
from ..workflow.queues import secretariat_queues
from ..workflow.states import ProposalState as P
from ..workflow.states import ReplyState, Role, allowed_actions
from .actions import perform
from .proposal import load_visible

bp = Blueprint("secretariat", __name__)

MERGE_TARGET_STATES = (P.FILED, P.ASSIGNED, P.CLOSED)
SIMILAR_MIN_SCORE = 0.08  # merge candidates shown without a search
ASSIGN_ROWS = 8


# ---------------------------------------------------------------- loading and small helpers


def load_assignment(assignment_id):
    assignment = load_one(Assignment, assignment_id, assignment_detail_options())
    if assignment is None or not can_view(current_user, assignment.proposal):
        abort(404)
    return assignment


def load_reply(reply_id):
    reply = load_one(Reply, reply_id, reply_detail_options())
    if (
        reply is None
        or not can_view(current_user, reply.assignment.proposal)
        or not can_view_reply(current_user, reply)
    ):
        abort(404)
    return reply


def may(machine, action, record):
    """Refuse a form page exactly as the operation would refuse its action (403 or 409)."""
    move(machine, action, record, current_user)


def choice(value, mapping):
    """A radio value ('approve', 'refuse' …) as the API's boolean; None when missing."""
    return mapping.get(value)


APPROVE = {"approve": True, "refuse": False, "return": False}


def department_choices(blank):
    units = db.session.scalars(
        select(Department).where(Department.active).order_by(Department.name)
    ).all()
    return [("", blank)] + [(d.code, d.name) for d in units]


def failed(template, status=400, **context):
    return render_template(template, **context), status


def to_proposal(proposal, anchor=None):
    return redirect(
        url_for("proposal.show", proposal_id=proposal.id) + (f"#{anchor}" if anchor else "")
    )


# ---------------------------------------------------------------- review (立案审查)


def record_id(value):
    """A form's id field: an id a record may have (WTForms leaves the field empty otherwise)."""
    found = bounded_int(value, 1, MAX_ID)
    if found is None:
        raise ValueError(value)
    return found


class ReviewForm(FlaskForm):
    decision = RadioField(
        _l("审查结论"),
        validate_choice=False,
        choices=[
            ("file", _l("立案")),
            ("not_file", _l("不予立案")),
            ("merge", _l("并案")),
            ("return", _l("退回修改")),
        ],
    )
    category = SelectField(_l("更正类别（可选）"), validate_choice=False)
    title = StringField(
        _l("案由"),
        render_kw={"maxlength": 200},
        description=_l("立案时可更正案由，历史记录中保留更正前后的文字。"),
    )
    reason_code = SelectField(_l("不予立案理由"), validate_choice=False)
    disposition = SelectField(
        _l("处理方式"),
        validate_choice=False,
        choices=[(d, _l(DISPOSITION_LABELS[d])) for d in DISPOSITIONS],
        default="none",
    )
    merge_into = RadioField(_l("并入的提案"), coerce=record_id, validate_choice=False, choices=[])
    comment = TextAreaField(
        _l("审查意见"),
        render_kw={"rows": 4},
        description=_l("退回修改时必填，提案人会看到；其他结论可选。"),
    )
    submit = SubmitField(_l("提交审查结论"))


def find_merge_candidates(q, exclude=None, limit=20):
    """Filed, assigned or closed proposals matching ``q`` in the search index (every word; see
    proposals.search), or whose number is a word of it: the targets a submitted proposal may be
    merged into (并案), best match first."""
    words = [w for w in (q or "").split() if w][:6]
    if not words:
        return []
    query = select(Proposal).where(
        visible_filter(current_user), Proposal.state.in_(MERGE_TARGET_STATES)
    )
    if exclude is not None:
        query = query.where(Proposal.id != exclude)
    numbers = [bounded_int(w.strip("第号"), 0, MAX_ID) for w in words if w.strip("第号").isdigit()]
    if None in numbers:  # a number no proposal has (past an integer column, or not 0-9)
        return []
    text = " ".join(w for w in words if not w.strip("第号").isdigit())
    order = []
    if numbers:
        query = query.where(Proposal.number.in_(numbers))
    if text:
        query, order = apply_search(query, text)
    return db.session.scalars(
        query.order_by(*order, Proposal.session_id.desc(), Proposal.number.desc()).limit(limit)
    ).all()


def similar_candidates(proposal, limit=8):
    """Without a search: the filed proposals most similar to this one, with their score and
    earlier delivered replies ({id: item}) (proposals.search.similar)."""
    pairs = similar_to(
        current_user, proposal, states=MERGE_TARGET_STATES, limit=limit, min_score=SIMILAR_MIN_SCORE
    )
    labels = committee_settings.result_labels()
    return [p for p, _score in pairs], {
        p.id: item_json(current_user, p, score, labels) for p, score in pairs
    }


def _review_form(proposal):
    form = ReviewForm()
    if form.title.data is None:
        form.title.data = proposal.title
    form.category.choices = [("", _("不更改（%(name)s）", name=_(proposal.category.name)))] + [
        (c.code, _(c.name))
        for c in db.session.scalars(select(Category).where(Category.active).order_by(Category.id))
    ]
    form.reason_code.choices = [("", _("请选择理由"))] + [
        (r.code, _(r.name))
        for r in db.session.scalars(
            select(NotFiledReason).where(NotFiledReason.active).order_by(NotFiledReason.id)
        )
    ]
    return form


@bp.route("/proposals/<int:proposal_id>/review", methods=["GET", "POST"])
@login_required
def review(proposal_id):
    proposal = load_visible(proposal_id)
    may("proposal", "file", proposal)
    form = _review_form(proposal)
    q = request.args.get("q", "").strip()
    if request.method == "GET" and q and not form.decision.data:
        form.decision.data = "merge"
    similar = {}
    if q:
        candidates = find_merge_candidates(q, exclude=proposal.id)
    else:
        candidates, similar = similar_candidates(proposal)
    if request.method == "POST":
        data = {
            "decision": form.decision.data,
            "category": form.category.data or None,
            "reason_code": form.reason_code.data or None,
            "disposition": form.disposition.data or None,
            "merge_into": form.merge_into.data,
            "comment": form.comment.data,
        }
        if data["decision"] != "file":
            data["category"] = None
        elif form.title.data is not None and form.title.data != proposal.title:
            data["title"] = form.title.data
        labels = {
            "file": _("已立案。"),
            "not_file": _("已决定不予立案。"),
            "merge": _("已并案。"),
            "return": _("已退回提案人修改。"),
        }
        done = perform(
            ops.review_proposal,
            current_user,
            proposal,
            data,
            form=form,
            success=labels.get(data["decision"]),
        )
        if done:
            return to_proposal(proposal)
        chosen = form.merge_into.data
        if chosen and all(c.id != chosen for c in candidates):
            target = db.session.get(Proposal, chosen)
            if target is not None and can_view(current_user, target):
                candidates.insert(0, target)
        return failed(
            "secretariat/review.html",
            p=proposal,
            form=form,
            q=q,
            candidates=candidates,
            similar=similar,
        )
    return render_template(
        "secretariat/review.html",
        p=proposal,
        form=form,
        q=q,
        candidates=candidates,
        similar=similar,
    )


def candidate_json(p):
    return {
        "id": p.id,
        "title": p.title,
        "number": p.number_label,
        "state": p.state,
        "state_label": _(STATE_LABELS.get(p.state, p.state)),
        "proposer": p.proposer.name,
        "session": p.session.label,
    }


@bp.get("/proposals/merge-candidates", endpoint="merge_candidates")
@login_required
def merge_candidates_json():
    """The merge search for secretariat.js: ?q=words&exclude=<id> → {"items": [...]}."""
    if "merge" not in allowed_actions("proposal", P.SUBMITTED, current_user.role):
        abort(403)
    exclude = int_arg_or_400("exclude", 1, MAX_ID)
    items = find_merge_candidates(request.args.get("q", ""), exclude=exclude)
    return jsonify({"items": [candidate_json(p) for p in items]})


# ---------------------------------------------------------------- assignment (交办)


class UnitRow(Form):
    code = SelectField(_l("承办单位"), validate_choice=False)
    role = SelectField(
        _l("承办方式"),
        validate_choice=False,
        default="lead",
        choices=[("lead", _l("主办／分办")), ("co", _l("会办"))],
    )


class AssignForm(FlaskForm):
    units = FieldList(FormField(UnitRow), min_entries=ASSIGN_ROWS, max_entries=40)
    departments = HiddenField()  # carries the operation's message about the whole plan
    due_date = StringField(
        _l("答复期限（可选）"),
        render_kw={"type": "date"},
        description=_l("留空则按规定期限（交办后 3 个月）。"),
    )
    submit = SubmitField(_l("交办"))


@bp.route("/proposals/<int:proposal_id>/assign", methods=["GET", "POST"])
@login_required
def assign(proposal_id):
    proposal = load_visible(proposal_id)
    may("proposal", "assign", proposal)
    form = AssignForm()
    units = department_choices(_("（不选）"))
    for row in form.units:
        row.form.code.choices = units
    if request.method == "GET":
        for row, dept in zip(form.units, proposal.suggested_departments):
            row.form.code.data = dept.code
    if request.method == "POST":
        plan = [
            {"code": row.form.code.data, "role": row.form.role.data}
            for row in form.units
            if row.form.code.data
        ]
        done = perform(
            ops.assign_proposal,
            current_user,
            proposal,
            plan,
            form.due_date.data or None,
            form=form,
            success=_("已交办。"),
        )
        if done:
            return to_proposal(proposal)
        return failed("secretariat/assign.html", p=proposal, form=form)
    return render_template("secretariat/assign.html", p=proposal, form=form)


# ---------------------------------------------------------------- key proposals, consultation


class KeyForm(FlaskForm):
    key = HiddenField(default="true")
    supervisor = SelectField(_l("督办领导"), validate_choice=False)
    submit = SubmitField(_l("列为重点提案"))


def supervisor_choices():
    """Active people by name (督办领导): secretariat, members, unit heads; grouped by role."""
    groups = {}
    labels = {
        Role.SECRETARIAT: _("提案委员会办公室"),
        Role.MEMBER: _("委员"),
        Role.DEPARTMENT_HEAD: _("承办单位负责人"),
    }
    users = db.session.scalars(
        select(User)
        .where(User.active, User.role.in_(list(labels)), User.org_type.is_(None))
        .order_by(User.role, User.name)
    ).all()
    for user in users:
        label = (
            _("%(text)s（%(note)s）", text=user.name, note=user.department.name)
            if user.department
            else user.name
        )
        groups.setdefault(labels[Role(user.role)], []).append(
            (user.username, f"{label} · {user.username}")
        )
    return [("", _("请选择督办领导"))] + list(groups.items())


@bp.route("/proposals/<int:proposal_id>/key", methods=["GET", "POST"])
@login_required
def key(proposal_id):
    proposal = load_visible(proposal_id)
    may("proposal", "mark_key", proposal)
    form = KeyForm()
    form.supervisor.choices = supervisor_choices()
    if request.method == "POST":
        flag = {"true": True, "false": False}.get(form.key.data)
        supervisor = form.supervisor.data or None if flag else None
        done = perform(
            ops.mark_key,
            current_user,
            proposal,
            flag,
            supervisor,
            form=form,
            success=_("已列为重点提案。") if flag else _("已取消重点提案。"),
        )
        if done:
            return to_proposal(proposal)
        return failed("secretariat/key.html", p=proposal, form=form)
    if proposal.supervisor is not None:
        form.supervisor.data = proposal.supervisor.username
    return render_template("secretariat/key.html", p=proposal, form=form)


class ConsultationForm(FlaskForm):
    note = TextAreaField(
        _l("协商情况"), render_kw={"rows": 5}, description=_l("时间、地点、参加人员、协商结果。")
    )
    submit = SubmitField(_l("记录当面协商"))


@bp.route("/proposals/<int:proposal_id>/consultation", methods=["GET", "POST"])
@login_required
def consultation(proposal_id):
    proposal = load_visible(proposal_id)
    may("proposal", "record_consultation", proposal)
    form = ConsultationForm()
    if request.method == "POST":
        done = perform(
            ops.record_consultation,
            current_user,
            proposal,
            form.note.data,
            form=form,
            success=_("已记录当面协商。"),
        )
        if done:
            return to_proposal(proposal)
        return failed("secretariat/consultation.html", p=proposal, form=form)
    return render_template("secretariat/consultation.html", p=proposal, form=form)


# ---------------------------------------------------------------- decisions on assignments


class ReassignmentForm(FlaskForm):
    approve = RadioField(
        _l("决定"),
        validate_choice=False,
        choices=[
            ("approve", _l("同意调整，改由下面选择的单位承办")),
            ("refuse", _l("不同意调整，由原单位办理")),
        ],
    )
    department = SelectField(_l("调整后的承办单位"), validate_choice=False)
    comment = TextAreaField(_l("意见（可选）"), render_kw={"rows": 3})
    submit = SubmitField(_l("提交决定"))


@bp.route("/assignments/<int:assignment_id>/reassignment-decision", methods=["GET", "POST"])
@login_required
def reassignment_decision(assignment_id):
    assignment = load_assignment(assignment_id)
    proposal = assignment.proposal  # kept: the commit expires the assignment's relationships
    office.check_decider(current_user, assignment, committee_settings.all_settings())
    may("assignment", "approve_reassignment", assignment)
    form = ReassignmentForm()
    form.department.choices = department_choices(_("请选择单位"))
    if request.method == "POST":
        approve = choice(form.approve.data, APPROVE)
        data = {
            "approve": approve,
            "department": form.department.data or None,
            "comment": form.comment.data,
        }
        done = perform(
            hops.decide_reassignment,
            current_user,
            assignment,
            data,
            form=form,
            success=_("已同意调整。") if approve else _("已决定不予调整，由原单位办理。"),
        )
        if done:
            return to_proposal(proposal, f"assignment-{assignment.id}")
        return failed("secretariat/reassignment.html", a=assignment, form=form)
    return render_template("secretariat/reassignment.html", a=assignment, form=form)


class ExtensionForm(FlaskForm):
    approve = RadioField(
        _l("决定"),
        validate_choice=False,
        choices=[("approve", _l("同意延期")), ("refuse", _l("不同意延期"))],
    )
    comment = TextAreaField(_l("意见（可选）"), render_kw={"rows": 3})
    submit = SubmitField(_l("提交决定"))


@bp.route("/assignments/<int:assignment_id>/extension-decision", methods=["GET", "POST"])
@login_required
def extension_decision(assignment_id):
    assignment = load_assignment(assignment_id)
    proposal = assignment.proposal  # kept: the commit expires the assignment's relationships
    office.check_decider(current_user, assignment, committee_settings.all_settings())
    may("assignment", "decide_extension", assignment)
    pending = next((e for e in assignment.extension_requests if e.state == "pending"), None)
    if pending is None:
        abort(409, _("没有待审批的延期申请。"))
    form = ExtensionForm()
    context = {
        "a": assignment,
        "e": pending,
        "limit": hops.extension_limit(assignment),
        "months": committee_settings.get("extension_max_months"),
        "form": form,
    }
    if request.method == "POST":
        approve = choice(form.approve.data, APPROVE)
        done = perform(
            hops.decide_extension,
            current_user,
            assignment,
            {"approve": approve, "comment": form.comment.data},
            form=form,
            success=_("已同意延期。") if approve else _("已决定不予延期。"),
        )
        if done:
            return to_proposal(proposal, f"assignment-{assignment.id}")
        return failed("secretariat/extension.html", **context)
    return render_template("secretariat/extension.html", **context)


# ---------------------------------------------------------------- reply review (审核)


class ReplyReviewForm(FlaskForm):
    approve = RadioField(
        _l("审核结论"),
        validate_choice=False,
        choices=[("approve", _l("审核通过，送达提案人")), ("return", _l("退回承办单位修改"))],
    )
    result = SelectField(_l("更正答复结果（可选）"), validate_choice=False)
    comment = TextAreaField(
        _l("审核意见"), render_kw={"rows": 3}, description=_l("退回时必填，承办单位会看到。")
    )
    submit = SubmitField(_l("提交审核结论"))


@bp.route("/replies/<int:reply_id>/review", methods=["GET", "POST"])
@login_required
def reply_review(reply_id):
    reply = load_reply(reply_id)
    proposal = reply.assignment.proposal  # kept: the commit expires the reply's relationships
    by_office = reply.state == ReplyState.AWAITING_OFFICE_REVIEW
    may("reply", "office_review_approve" if by_office else "review_approve", reply)
    form = ReplyReviewForm()
    labels = committee_settings.result_labels()
    form.result.choices = [("", _("不更改（%(code)s）", code=reply.result))] + [
        (code, committee_settings.result_text(code, labels)) for code in labels
    ]
    if request.method == "POST":
        approve = choice(form.approve.data, APPROVE)
        data = {
            "approve": approve,
            "comment": form.comment.data,
            "result": form.result.data or None,
        }
        done = perform(
            hops.review_reply,
            current_user,
            reply,
            data,
            form=form,
            success=(_("答复已审核通过。") if by_office else _("答复已审核通过并送达。"))
            if approve
            else _("答复已退回承办单位。"),
        )
        if done:
            return to_proposal(proposal, f"reply-{reply.id}")
        return failed("secretariat/reply_review.html", r=reply, form=form, result_labels=labels)
    return render_template(
        "secretariat/reply_review.html", r=reply, form=form, result_labels=labels
    )


# ---------------------------------------------------------------- queues


@bp.get("/secretariat/queues")
@login_required
def queues():
    if current_user.role != Role.SECRETARIAT:
        abort(403)
    today = local_date(utcnow())
    categories = db.session.scalars(
        select(Category).where(Category.active).order_by(Category.id)
    ).all()
    return render_template(
        "secretariat/queues.html",
        q=secretariat_queues(current_user, today),
        today=today,
        categories=categories,
    )


@bp.post("/secretariat/review-batch")
@login_required
def review_batch():
    """批量立案 from the review queue: the ticked proposals, all or nothing."""
    raw = request.form.getlist("ids")
    ids = [bounded_int(v, 1, MAX_ID) for v in raw]
    filed = perform(
        ops.review_batch,
        current_user,
        ids if all(ids) else raw,
        {"decision": "file", "category": request.form.get("category") or None},
    )
    if filed:
        flash(_("已立案 %(n)d 件提案。", n=len(filed)), "success")
    return redirect(url_for("secretariat.queues") + "#to-review")
