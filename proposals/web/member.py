"""The member's pages (委员 and organisation accounts): the proposal form, submitting,
co-signing (联名), withdrawing (撤案) and rating replies (满意度测评); with the ratings, the
secretariat's page entering a rating returned on the paper opinion form (纸质测评).

Every change goes through one operation of workflow/operations.py or handling/operations.py;
the checks here only decide which page or button to show."""

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ..accounts.models import Department, User
from ..committee import settings as committee_settings
from ..committee.models import Category
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..handling.models import RATINGS, Reply
from ..handling.operations import may_rate, rate_reply
from ..handling.ratings import enterers, paper_rating, raters_left
from ..people_search import search_attrs
from ..workflow import operations as ops
from ..workflow.access import can_view, can_view_reply
from ..workflow.core import expect_version
from ..workflow.queries import load_one, reply_detail_options
from ..workflow.states import CosignerState, Role, allowed_actions
from ..workflow.states import ProposalState as P
from .actions import perform
from .proposal import load_visible

bp = Blueprint("member", __name__)


# --- forms -------------------------------------------------------------------------------


class ProposalForm(FlaskForm):
    """案由, category, 情况分析, 具体建议, co-signers and suggested units. No validators of its
    own: the operations check the input and their messages land on these fields."""

    title = StringField(
        _l("案由"),
        render_kw={"maxlength": 200, "placeholder": _l("例如：关于加快老旧小区改造的建议")},
    )
    category = SelectField(_l("提案类别"), validate_choice=False)
    analysis = TextAreaField(_l("情况分析"), render_kw={"rows": 8, "data-count-group": "body"})
    suggestions = TextAreaField(
        _l("具体建议"),
        description=_l("必填：逐条写明具体、可行的建议。"),
        render_kw={"rows": 8, "data-count-group": "body"},
    )
    cosigners = SelectMultipleField(
        _l("联名人"),
        validate_choice=False,
        description=_l("可选多位委员；提交后须经各联名人在线确认。"),
        # static/js/picker.js turns this into chips and a search box (by name, pinyin initials);
        # without JavaScript it stays a multi-select posting the same usernames
        render_kw={"size": 8, "data-picker": "cosigners"},
    )
    suggested_departments = SelectMultipleField(
        _l("建议承办单位"),
        validate_choice=False,
        description=_l("可选，可多选。"),
        render_kw={"size": 6, "data-picker": "departments"},
    )
    version = HiddenField()
    save = SubmitField(_l("保存草稿"))
    submit_now = SubmitField(_l("提交"))

    def content(self):
        """The operation's input (codes and usernames, as the JSON API takes them)."""
        data = {
            "title": self.title.data or "",
            "category": self.category.data or "",
            "analysis": self.analysis.data or "",
            "suggestions": self.suggestions.data or "",
            "suggested_departments": list(self.suggested_departments.data or []),
        }
        if "cosigners" in self:
            data["cosigners"] = list(self.cosigners.data or [])
        return data


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("撤案理由"), render_kw={"rows": 4})
    submit = SubmitField(_l("确认撤案"))


class RateForm(FlaskForm):
    rating = RadioField(
        _l("测评结果"), validate_choice=False, choices=[(k, _l(v)) for k, v in RATINGS.items()]
    )
    comment = TextAreaField(
        _l("意见"), render_kw={"rows": 4}, description=_l("选择“不满意”时必须填写意见。")
    )
    submit = SubmitField(_l("提交测评"))


class PaperRatingForm(FlaskForm):
    """纸质测评: the proposer and what they marked on the paper opinion form (征询意见表)."""

    rater = SelectField(_l("测评人"), validate_choice=False)
    rating = RadioField(
        _l("测评结果"), validate_choice=False, choices=[(k, _l(v)) for k, v in RATINGS.items()]
    )
    comment = TextAreaField(
        _l("意见"), render_kw={"rows": 4}, description=_l("选择“不满意”时必须填写意见。")
    )
    submit = SubmitField(_l("录入测评"))


def _fill_choices(form, proposal=None):
    form.category.choices = [("", _("请选择"))] + [
        (c.code, _(c.name))
        for c in db.session.scalars(select(Category).where(Category.active).order_by(Category.id))
    ]
    form.suggested_departments.choices = [
        (d.code, d.name, search_attrs(d.name))
        for d in db.session.scalars(
            select(Department).where(Department.active).order_by(Department.code)
        )
    ]
    proposer = proposal.proposer if proposal is not None else current_user
    if proposer.is_organisation:
        del form.cosigners  # 集体提案不设联名人
        return form
    members = db.session.scalars(
        select(User)
        .where(
            User.role == Role.MEMBER, User.active, User.org_type.is_(None), User.id != proposer.id
        )
        .order_by(User.name, User.id)
    ).all()
    form.cosigners.choices = [
        (
            u.username,
            _("%(name)s（%(sector)s）", name=u.name, sector=u.sector) if u.sector else u.name,
            search_attrs(u.name, surname=True),
        )
        for u in members
    ]
    return form


def _form_from(proposal):
    """The form filled from a stored draft (not from the request)."""
    form = ProposalForm(
        formdata=None,
        data={
            "title": proposal.title,
            "category": proposal.category.code,
            "analysis": proposal.analysis,
            "suggestions": proposal.suggestions,
            "cosigners": [c.user.username for c in proposal.cosigners],
            "suggested_departments": [d.code for d in proposal.suggested_departments],
            "version": proposal.version,
        },
    )
    return _fill_choices(form, proposal)


def _render_form(form, proposal=None, status=200):
    limits = committee_settings.all_settings()
    body = len((form.analysis.data or "").strip()) + len((form.suggestions.data or "").strip())
    return render_template(
        "member/proposal_form.html",
        form=form,
        p=proposal,
        chars=body,
        min_chars=limits["proposal_min_chars"],
        max_chars=limits["proposal_max_chars"],
    ), status


# --- the proposal form -------------------------------------------------------------------


def _submit(proposal, form):
    """Submit a saved draft; on a validation error the draft stays and the form shows why."""
    result = perform(ops.submit_proposal, current_user, proposal, form=form)
    if result is None:
        form.version.data = proposal.version
        return _render_form(form, proposal, 400)
    if proposal.state == P.AWAITING_COSIGNERS:
        flash(_("提案已提交，等待联名人确认。"), "success")
    else:
        flash(_("提案已提交，收件号 %(n)s。", n=proposal.receipt_serial), "success")
    return redirect(url_for("proposal.show", proposal_id=proposal.id))


@bp.route("/proposals/new", methods=["GET", "POST"])
@login_required
def new_proposal():
    if "create" not in allowed_actions("proposal", None, current_user.role):
        abort(403)
    form = _fill_choices(ProposalForm())
    if form.validate_on_submit():
        proposal = perform(
            ops.create_proposal, current_user, form.content(), form=form, success=_("草稿已保存。")
        )
        if proposal is None:
            return _render_form(form, None, 400)
        if form.submit_now.data:
            return _submit(proposal, form)
        return redirect(url_for("proposal.show", proposal_id=proposal.id))
    return _render_form(form, None, 400 if form.errors else 200)


def _save_draft(actor, proposal, version, data):
    expect_version(proposal, version or None)
    return ops.edit_proposal(actor, proposal, data)


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit_proposal(proposal_id):
    proposal = load_visible(proposal_id)
    if request.method == "GET":
        if not proposal.is_proposer(current_user):
            abort(403)
        if "edit" not in allowed_actions("proposal", proposal.state, current_user.role):
            abort(409)
        return _render_form(_form_from(proposal), proposal)
    form = _fill_choices(ProposalForm(), proposal)
    if not form.validate_on_submit():
        return _render_form(form, proposal, 400)
    saved = perform(
        _save_draft,
        current_user,
        proposal,
        form.version.data,
        form.content(),
        form=form,
        success=None if form.submit_now.data else _("草稿已保存。"),
    )
    if saved is None:
        return _render_form(form, proposal, 400)
    if form.submit_now.data:
        return _submit(proposal, form)
    return redirect(url_for("proposal.show", proposal_id=proposal.id))


# --- autosave (the form saves itself as it is typed; static/js/autosave.js) ---------------


def _autosave_answer(status, **body):
    return jsonify(body), status


def _autosave(run):
    """Run one save for the autosave requests and answer in JSON (never a page): the new
    version on success; the operation's messages and nothing changed otherwise."""
    try:
        proposal = run()
        db.session.commit()
    except ValidationError as exc:
        db.session.rollback()
        return _autosave_answer(422, ok=False, fields=exc.fields)
    except DomainError as exc:
        db.session.rollback()
        return _autosave_answer(exc.status, ok=False, message=exc.message)
    except StaleDataError:
        db.session.rollback()
        return _autosave_answer(409, ok=False, message=_("此项已被他人修改，请刷新后重试。"))
    return _autosave_answer(
        200,
        ok=True,
        id=proposal.id,
        version=proposal.version,
        edit_url=url_for("member.edit_proposal", proposal_id=proposal.id),
        autosave_url=url_for("member.autosave", proposal_id=proposal.id),
        # a fresh token: a page kept open longer than the token's lifetime still saves
        csrf_token=generate_csrf(),
    )


def _autosave_form(proposal=None):
    """The posted form (its CSRF token checked like the form's own submit), or a 400 answer."""
    form = _fill_choices(ProposalForm(), proposal)
    if not form.validate_on_submit():
        return None, _autosave_answer(
            400, ok=False, message=_("请求有误，请刷新页面后重试。"), fields=form.errors
        )
    return form, None


@bp.post("/proposals/autosave")
@login_required
def autosave_new():
    """The first save of a new proposal: it becomes a draft (never submitted). A draft needs
    a 案由 and a category (create_proposal); until then the copy in the browser keeps it."""
    if "create" not in allowed_actions("proposal", None, current_user.role):
        abort(403)
    form, refused = _autosave_form()
    if refused:
        return refused
    return _autosave(lambda: ops.create_proposal(current_user, form.content()))


@bp.post("/proposals/<int:proposal_id>/autosave")
@login_required
def autosave(proposal_id):
    """Save a draft as it is typed: the same checks as editing (only the first proposer, only
    a draft, the version read). A 案由 or category erased for a moment is left as stored
    rather than refusing the rest of the text."""
    proposal = load_visible(proposal_id)
    if not proposal.is_proposer(current_user):
        abort(403)
    if "edit" not in allowed_actions("proposal", proposal.state, current_user.role):
        abort(409)
    form, refused = _autosave_form(proposal)
    if refused:
        return refused
    data = form.content()
    for name in ("title", "category"):
        if not data[name].strip():
            del data[name]
    return _autosave(lambda: _save_draft(current_user, proposal, form.version.data, data))


@bp.post("/proposals/<int:proposal_id>/submit")
@login_required
def submit(proposal_id):
    proposal = load_visible(proposal_id)
    return _submit(proposal, _form_from(proposal))


# --- co-signing and withdrawing ----------------------------------------------------------


@bp.post("/proposals/<int:proposal_id>/cosign")
@login_required
def cosign(proposal_id):
    proposal = load_visible(proposal_id)
    raw = request.form.get("accept")
    accept = {"1": True, "0": False}.get(raw, raw)
    message = _("您已同意联名。") if accept is True else _("您已谢绝联名。")
    perform(ops.respond_to_invitation, current_user, proposal, accept, success=message)
    return redirect(url_for("proposal.show", proposal_id=proposal.id))


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(proposal_id):
    proposal = load_visible(proposal_id)
    form = WithdrawForm()
    if request.method == "GET":
        if not proposal.is_proposer(current_user):
            abort(403)
        if "withdraw" not in allowed_actions("proposal", proposal.state, current_user.role):
            abort(409)
    elif form.validate_on_submit() and perform(
        ops.withdraw_proposal,
        current_user,
        proposal,
        form.reason.data,
        form=form,
        success=_("提案已撤回。"),
    ):
        return redirect(url_for("proposal.show", proposal_id=proposal.id))
    return render_template(
        "member/withdraw.html", form=form, p=proposal
    ), 400 if request.method == "POST" else 200


# --- rating ------------------------------------------------------------------------------


def rating_open(user, reply, rating_by=None):
    """Whether to offer ``user`` the rating form for ``reply`` (rate_reply decides).
    ``rating_by``: as for may_rate."""
    standing = may_rate(user, reply, rating_by=rating_by)
    if standing == "primary":
        return "rate" in allowed_actions("reply", reply.state, user.role)
    if standing is not None:  # merged proposers; co-signers under rating_by 'all'
        return reply.state in ("delivered", "rated") and not any(
            r.rater_id == user.id for r in reply.ratings
        )
    return False


def _load_reply(reply_id):
    reply = load_one(Reply, reply_id, reply_detail_options())
    if (
        reply is None
        or not can_view(current_user, reply.assignment.proposal)
        or not can_view_reply(current_user, reply)
    ):
        abort(404)
    return reply


@bp.route("/replies/<int:reply_id>/rate", methods=["GET", "POST"])
@login_required
def rate(reply_id):
    reply = _load_reply(reply_id)
    assignment = reply.assignment  # kept: the commit expires the reply's relationships
    proposal = assignment.proposal
    standing = may_rate(current_user, reply)
    form = RateForm()
    if request.method == "GET":
        if standing is None:
            abort(403)
        if not rating_open(current_user, reply):
            abort(409)
    elif form.validate_on_submit():
        data = {"rating": form.rating.data, "comment": form.comment.data}
        if perform(rate_reply, current_user, reply, data, form=form):
            if standing == "primary" and assignment.state == "rehandling":
                flash(_("测评已提交：不满意。答复已退回承办单位重新办理。"), "success")
            else:
                flash(_("测评已提交：%(rating)s。", rating=_(RATINGS[data["rating"]])), "success")
            return redirect(
                url_for("proposal.show", proposal_id=proposal.id, _anchor=f"reply-{reply.id}")
            )
    return render_template(
        "member/rate.html", form=form, r=reply, p=proposal, standing=standing
    ), 400 if request.method == "POST" else 200


def _rater_label(user, standing):
    note = {
        "primary": _("第一提案人"),
        "merged": _("并入本案的提案的第一提案人"),
        "cosigner": _("联名提案人"),
    }[standing]
    return _("%(text)s（%(note)s）", text=f"{user.name} {user.username}", note=note)


@bp.route("/replies/<int:reply_id>/paper-rating", methods=["GET", "POST"])
@login_required
def paper_rating_page(reply_id):
    """The secretariat enters a rating returned on the paper opinion form (征询意见表) for one
    of the proposers who may still rate the reply (paper_rating decides)."""
    reply = _load_reply(reply_id)
    if current_user.role != Role.SECRETARIAT:
        abort(403)
    assignment = reply.assignment  # kept: the commit expires the reply's relationships
    proposal = assignment.proposal
    left = raters_left(reply)
    form = PaperRatingForm()
    form.rater.choices = [(u.username, _rater_label(u, standing)) for u, standing in left]
    if request.method == "GET":
        if not left:
            abort(409, _("此答复没有待录入的测评"))
    elif form.validate_on_submit():
        data = {
            "rater": form.rater.data or None,
            "rating": form.rating.data,
            "comment": form.comment.data,
        }
        rater = next((u for u, _standing in left if u.username == data["rater"]), proposal.proposer)
        if perform(paper_rating, current_user, reply, data, form=form):
            message = _(
                "已录入%(name)s的纸质测评：%(rating)s。",
                name=rater.name,
                rating=_(RATINGS[data["rating"]]),
            )
            if rater.id == proposal.proposer_id and assignment.state == "rehandling":
                message += _("答复已退回承办单位重新办理。")
            flash(message, "success")
            return redirect(
                url_for("proposal.show", proposal_id=proposal.id, _anchor=f"reply-{reply.id}")
            )
    return render_template(
        "member/paper_rating.html", form=form, r=reply, p=proposal, RATINGS=RATINGS
    ), 400 if request.method == "POST" else 200


# --- what the proposal page's member panels show -----------------------------------------


@bp.app_context_processor
def _member_panels():
    def member_panel(p):
        """Buttons for the member's sidebar on proposal ``p`` (the operations decide)."""
        user = current_user
        if not user.is_authenticated or user.role != Role.MEMBER:
            return {}
        actions = set(allowed_actions("proposal", p.state, user.role))
        own = p.is_proposer(user)
        invitation = p.cosigner_for(user)
        if not (
            invitation and invitation.state == CosignerState.INVITED and "cosign_accept" in actions
        ):
            invitation = None
        return {
            "edit": own and "edit" in actions,
            "submit": own and "submit" in actions,
            "withdraw": own and "withdraw" in actions,
            "invitation": invitation,
        }

    setting, names = {}, {}  # for this page: the setting rating_by, enterers' names

    def rating_by():
        if "rating_by" not in setting:
            setting["rating_by"] = committee_settings.get("rating_by")
        return setting["rating_by"]

    def paper_rating_open(r):
        """Whether to offer the secretariat the paper rating form for reply ``r``."""
        return (
            current_user.is_authenticated
            and current_user.role == Role.SECRETARIAT
            and r.state in ("delivered", "rated")
            and bool(raters_left(r, rating_by=rating_by))
        )

    def rating_entered_by(rt):
        """The name of who entered a paper rating (one statement for the page's ratings)."""
        return enterers([rt], names).get(rt.entered_by_id, ("", ""))[1]

    return {
        "member_panel": member_panel,
        "member_may_rate": lambda r: (
            current_user.is_authenticated and rating_open(current_user, r, rating_by=rating_by)
        ),
        "paper_rating_open": paper_rating_open,
        "rating_entered_by": rating_entered_by,
    }
