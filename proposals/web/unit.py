"""The handling units' pages (承办): accept or ask for reassignment, contacts with the proposer,
the co-unit's opinion, the reply and its sign-off (签发), extension requests and B-class
follow-ups. Each page calls the operation of proposals/handling/operations.py with the same data
as the JSON API; the operation decides who may act and when (403/409) and checks the input."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField

from ..committee import settings as committee_settings
from ..committee.calendar import local_date, utcnow
from ..handling import operations as ops
from ..handling.models import CONTACT_MODES, Assignment, Reply
from ..workflow.access import can_view, can_view_internal, can_view_reply
from ..workflow.queries import assignment_detail_options, load_one, reply_detail_options
from ..workflow.states import AssignmentState as A
from ..workflow.states import ReplyState as R
from ..workflow.states import allowed_actions
from .actions import perform

try:
    from wtforms import SelectChoice
except ImportError:  # WTForms < 3.3 takes (value, label) pairs

    def SelectChoice(value, label):  # noqa: N802
        return (value, label)


bp = Blueprint("unit", __name__)


# --- forms: no validators of their own; the operation checks every field and names it -------


def _date_field(label, **kw):
    """A text field shown as a date picker, so that the operation parses (and judges) it."""
    return StringField(label, render_kw={"type": "date", **kw.pop("render_kw", {})}, **kw)


class ReassignmentForm(FlaskForm):
    reason = TextAreaField(
        _l("申请调整理由"),
        render_kw={"rows": 4},
        description=_l("请说明本单位不宜承办的理由，可建议更合适的承办单位。"),
    )
    submit = SubmitField(_l("提交调整申请"))


class ContactForm(FlaskForm):
    mode = SelectField(_l("沟通方式"), validate_choice=False)
    date = _date_field(_l("沟通日期"))
    summary = TextAreaField(_l("沟通情况"), render_kw={"rows": 5})
    submit = SubmitField(_l("记录沟通"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mode.choices = [SelectChoice("", _("请选择"))] + [
            SelectChoice(k, _(v)) for k, v in CONTACT_MODES.items()
        ]


class OpinionForm(FlaskForm):
    text = TextAreaField(_l("会办意见"), render_kw={"rows": 10})
    submit = SubmitField(_l("提交会办意见"))


class ReplyForm(FlaskForm):
    result = RadioField(_l("答复结果"), validate_choice=False)
    promised_date = _date_field(
        _l("承诺完成日期"),
        render_kw={"data-promised-date": "1"},
        description=_l("B 类答复须填写承诺完成日期。"),
    )
    text = TextAreaField(
        _l("答复正文"), render_kw={"rows": 14}, description=_l("请逐条答复提案的具体建议。")
    )
    signer = StringField(_l("签发领导"))
    contact = StringField(_l("联系人及电话"))
    submit = SubmitField(_l("提交答复"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = committee_settings.result_labels()
        self.result.choices = [
            SelectChoice(c, committee_settings.result_text(c, labels)) for c in labels
        ]


class SignoffForm(FlaskForm):
    approve = RadioField(
        _l("签发意见"),
        validate_choice=False,
        choices=[SelectChoice("yes", _l("同意签发")), SelectChoice("no", _l("退回经办人修改"))],
    )
    comment = TextAreaField(
        _l("意见"), render_kw={"rows": 4}, description=_l("退回时须填写退回意见。")
    )
    submit = SubmitField(_l("提交"))


class ExtensionForm(FlaskForm):
    until = _date_field(_l("延期至"))
    reason = TextAreaField(_l("延期理由"), render_kw={"rows": 5})
    submit = SubmitField(_l("提交延期申请"))


class FollowUpForm(FlaskForm):
    text = TextAreaField(_l("办理进展"), render_kw={"rows": 5})
    done = BooleanField(_l("已办结（承诺事项已完成）"))
    submit = SubmitField(_l("提交跟踪办理情况"))


# --- loading and helpers ----------------------------------------------------------------------


def today():
    return local_date(utcnow())


def load_assignment(assignment_id):
    """404 unless the user may see the proposal (as the API's load_assignment)."""
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


def own_unit(assignment):
    return getattr(current_user, "is_unit_staff", False) and assignment.belongs_to(current_user)


def form_page_for_own_unit(assignment):
    """Only the unit's staff get the (empty) form; a POST is always judged by the operation."""
    if request.method == "GET" and not own_unit(assignment):
        abort(403)


def back_to(assignment):
    return redirect(
        url_for(
            "proposal.show",
            proposal_id=assignment.proposal_id,
            _anchor=f"assignment-{assignment.id}",
        )
    )


def posted(form):
    """A POST whose CSRF token is good (the fields are checked by the operation)."""
    if request.method != "POST":
        return False
    if not form.validate_on_submit():
        flash(_("页面已过期，请重新提交。"), "danger")
        return False
    return True


def unit_actions(assignment, user=None):
    """The unit buttons to show on an assignment (display only: the operations decide)."""
    user = user or current_user
    if not getattr(user, "is_unit_staff", False) or not assignment.belongs_to(user):
        return set()
    day = today()
    state = assignment.state
    if state == A.PENDING and day > assignment.accept_due:
        state = A.HANDLING  # past the window it counts as accepted
    allowed = set(allowed_actions("assignment", state, user.role))
    shown = set()
    if "accept" in allowed and state == A.PENDING:
        shown.add("accept")
    if "request_reassignment" in allowed and day <= assignment.accept_due:
        shown.add("request_reassignment")
    if "record_contact" in allowed:
        shown.add("record_contact")
    if assignment.role == "co":
        if "submit_opinion" in allowed and assignment.opinion is None:
            shown.add("submit_opinion")
    else:
        busy = any(
            r.round == assignment.round and r.state in ops.IN_PROGRESS for r in assignment.replies
        )
        if "draft_reply" in allowed and not busy:
            shown.add("draft_reply")
        asked = any(e.round == assignment.round for e in assignment.extension_requests)
        if "request_extension" in allowed and not asked:
            shown.add("request_extension")
    if "follow_up" in allowed and assignment.follow_up_open:
        shown.add("follow_up")
    return shown


def may_sign_off(reply, user=None):
    """Show 签发 to the head of the reply's unit while it awaits sign-off (display only)."""
    user = user or current_user
    return (
        getattr(user, "is_unit_staff", False)
        and reply.assignment.belongs_to(user)
        and "signoff_approve" in allowed_actions("reply", reply.state, user.role)
    )


@bp.app_context_processor
def _unit_helpers():
    return {"unit_actions": unit_actions, "may_sign_off": may_sign_off}


# --- pages --------------------------------------------------------------------------------------


@bp.get("/assignments/<int:assignment_id>")
@login_required
def assignment(assignment_id):
    """One unit's part of a proposal: its deadlines, what has been done and what can be done."""
    a = load_assignment(assignment_id)
    if not can_view_internal(current_user, a.proposal):
        abort(403)
    return render_template(
        "unit/assignment.html",
        a=a,
        p=a.proposal,
        today=today(),
        extension_limit=ops.extension_limit(a),
        CONTACT_MODES=CONTACT_MODES,
        result_labels=committee_settings.result_labels(),
    )


@bp.post("/assignments/<int:assignment_id>/accept")
@login_required
def accept(assignment_id):
    a = load_assignment(assignment_id)
    perform(ops.accept_assignment, current_user, a, success=_("已签收，请在期限内与提案人沟通。"))
    return back_to(a)


@bp.route("/assignments/<int:assignment_id>/reassignment-request", methods=["GET", "POST"])
@login_required
def reassignment_request(assignment_id):
    a = load_assignment(assignment_id)
    form_page_for_own_unit(a)
    form = ReassignmentForm()
    if posted(form) and perform(
        ops.request_reassignment,
        current_user,
        a,
        form.reason.data,
        form=form,
        success=_("调整申请已提交，等待提案委员会办公室决定。"),
    ):
        return back_to(a)
    return render_template(
        "unit/form.html",
        a=a,
        form=form,
        title=_("申请调整承办单位"),
        kind="reassignment",
        today=today(),
    )


@bp.route("/assignments/<int:assignment_id>/contacts", methods=["GET", "POST"])
@login_required
def contact(assignment_id):
    a = load_assignment(assignment_id)
    form_page_for_own_unit(a)
    form = ContactForm()
    if request.method == "GET":
        form.date.data = today().isoformat()
    if posted(form):
        data = {"mode": form.mode.data, "date": form.date.data, "summary": form.summary.data}
        if perform(
            ops.record_contact, current_user, a, data, form=form, success=_("已记录办前沟通。")
        ):
            return back_to(a)
    return render_template(
        "unit/form.html",
        a=a,
        form=form,
        title=_("记录办前沟通"),
        kind="contact",
        today=today(),
        CONTACT_MODES=CONTACT_MODES,
    )


@bp.route("/assignments/<int:assignment_id>/opinion", methods=["GET", "POST"])
@login_required
def opinion(assignment_id):
    a = load_assignment(assignment_id)
    form_page_for_own_unit(a)
    form = OpinionForm()
    if posted(form) and perform(
        ops.submit_opinion,
        current_user,
        a,
        form.text.data,
        form=form,
        success=_("会办意见已提交主办单位。"),
    ):
        return back_to(a)
    return render_template(
        "unit/form.html", a=a, form=form, title=_("提交会办意见"), kind="opinion", today=today()
    )


@bp.route("/assignments/<int:assignment_id>/reply", methods=["GET", "POST"])
@login_required
def reply(assignment_id):
    a = load_assignment(assignment_id)
    form_page_for_own_unit(a)
    returned = next(
        (r for r in reversed(a.replies) if r.round == a.round and r.state == R.RETURNED), None
    )
    form = ReplyForm()
    if request.method == "GET" and returned is not None:
        # start from the returned draft rather than from nothing
        form.result.data, form.text.data = returned.result, returned.text
        form.signer.data, form.contact.data = returned.signer, returned.contact
        form.promised_date.data = (
            returned.promised_date.isoformat() if returned.promised_date else None
        )
    if posted(form):
        data = {
            "result": form.result.data,
            "text": form.text.data,
            "signer": form.signer.data,
            "contact": form.contact.data,
            "promised_date": form.promised_date.data or None,
        }
        new = perform(ops.draft_reply, current_user, a, data, form=form, success=_("答复已提交。"))
        if new:
            return redirect(
                url_for("proposal.show", proposal_id=a.proposal_id, _anchor=f"reply-{new.id}")
            )
    co_opinions = [x for x in a.proposal.assignments if x.role == "co" and x.opinion]
    return render_template(
        "unit/reply.html",
        a=a,
        p=a.proposal,
        form=form,
        returned=returned,
        co_opinions=co_opinions,
        today=today(),
    )


@bp.route("/replies/<int:reply_id>/signoff", methods=["GET", "POST"])
@login_required
def signoff(reply_id):
    r = load_reply(reply_id)
    proposal_id = r.assignment.proposal_id  # the commit expires the reply's relationships
    if request.method == "GET":
        if not (own_unit(r.assignment) and current_user.role == "department_head"):
            abort(403)
        if not may_sign_off(r):
            abort(409, _("此答复当前不在待签发状态。"))
    form = SignoffForm()
    if posted(form):
        approve = {"yes": True, "no": False}.get(form.approve.data)
        data = {"approve": approve, "comment": form.comment.data}
        success = _("答复已签发。") if approve else _("答复已退回经办人修改。")
        if perform(ops.signoff_reply, current_user, r, data, form=form, success=success):
            return redirect(
                url_for("proposal.show", proposal_id=proposal_id, _anchor=f"reply-{r.id}")
            )
    return render_template(
        "unit/signoff.html",
        r=r,
        a=r.assignment,
        p=r.assignment.proposal,
        form=form,
        result_labels=committee_settings.result_labels(),
        today=today(),
    )


@bp.route("/assignments/<int:assignment_id>/extension-request", methods=["GET", "POST"])
@login_required
def extension_request(assignment_id):
    a = load_assignment(assignment_id)
    form_page_for_own_unit(a)
    form = ExtensionForm()
    if posted(form):
        data = {"until": form.until.data, "reason": form.reason.data}
        if perform(
            ops.request_extension,
            current_user,
            a,
            data,
            form=form,
            success=_("延期申请已提交，等待提案委员会办公室审批。"),
        ):
            return back_to(a)
    return render_template(
        "unit/form.html",
        a=a,
        form=form,
        title=_("申请延期答复"),
        kind="extension",
        today=today(),
        extension_limit=ops.extension_limit(a),
    )


@bp.route("/assignments/<int:assignment_id>/follow-up", methods=["GET", "POST"])
@login_required
def follow_up(assignment_id):
    a = load_assignment(assignment_id)
    form_page_for_own_unit(a)
    form = FollowUpForm()
    if posted(form):
        data = {"text": form.text.data, "done": bool(form.done.data)}
        if perform(
            ops.follow_up, current_user, a, data, form=form, success=_("已记录跟踪办理情况。")
        ):
            return back_to(a)
    b_reply = next(
        (
            r
            for r in reversed(a.replies)
            if r.result == "B" and r.state in (R.DELIVERED, R.RATED, R.UNRATED)
        ),
        None,
    )
    return render_template(
        "unit/form.html",
        a=a,
        form=form,
        title=_("B 类答复跟踪办理"),
        kind="follow_up",
        today=today(),
        b_reply=b_reply,
    )
