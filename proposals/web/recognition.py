"""The secretariat's year-end recognition page (年度评优): a year's nominations of excellent
proposals (优秀提案) and outstanding handling units (先进承办单位) with their state, the forms
to nominate, and award or decline buttons with a comment.

The views read the forms into the dicts the API takes and call the operations of
proposals/recognition/service.py through perform(); the operations decide."""

import re

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField

from ..committee.calendar import local_date, utcnow
from ..i18n import _
from ..i18n import lazy_gettext as _l
from ..inputs import MAX_YEAR, MIN_YEAR, bounded_int, int_arg
from ..recognition import queries
from ..recognition import service as ops
from ..recognition.models import RECOGNITION_STATES
from ..workflow.states import Role
from .actions import perform

bp = Blueprint("recognition", __name__)

# 提案号 as people write it: 12, 0012, 第0012号
NUMBER = re.compile(r"\s*第?\s*(\d{1,12})\s*号?\s*")


class ProposalNominationForm(FlaskForm):
    year = HiddenField(id="nominate-proposal-year")
    kind = HiddenField(default="proposal", id="nominate-proposal-kind")
    number = StringField(
        _l("提案号"), id="nominate-number", description=_l("本年度的提案号，如 12 或 第0012号。")
    )
    proposal_id = StringField(
        _l("或提案 ID"),
        id="nominate-proposal-id",
        description=_l("同一年度有多个会次、提案号重复时，填写提案页地址中的数字。"),
    )
    reason = TextAreaField(_l("提名理由"), id="nominate-proposal-reason", render_kw={"rows": 3})
    submit = SubmitField(_l("提名优秀提案"), id="nominate-proposal-submit")


class UnitNominationForm(FlaskForm):
    year = HiddenField(id="nominate-unit-year")
    kind = HiddenField(default="department", id="nominate-unit-kind")
    department = SelectField(_l("承办单位"), id="nominate-department", validate_choice=False)
    reason = TextAreaField(_l("提名理由"), id="nominate-unit-reason", render_kw={"rows": 3})
    submit = SubmitField(_l("提名先进承办单位"), id="nominate-unit-submit")


def require_secretariat():
    if current_user.role != Role.SECRETARIAT:
        abort(403)


def this_year():
    return local_date(utcnow()).year


def unit_choices(year, recognitions):
    """The active units that handled an assignment of ``year``, less those already nominated."""
    taken = {r.department_id for r in recognitions if r.department_id is not None}
    units = [d for d in queries.eligible_departments(year) if d.id not in taken]
    return [("", _("请选择承办单位"))] + [(d.code, f"{d.name}（{d.code}）") for d in units]


def page(year, *, proposal_form=None, unit_form=None, errors=None, status=200):
    recognitions = queries.recognitions_of(year)
    proposal_form = proposal_form or ProposalNominationForm(formdata=None)
    unit_form = unit_form or UnitNominationForm(formdata=None)
    for form in (proposal_form, unit_form):
        form.year.data = str(year)
    unit_form.department.choices = unit_choices(year, recognitions)
    return render_template(
        "recognition/index.html",
        year=year,
        errors=errors or {},
        proposals=[r for r in recognitions if r.kind == "proposal"],
        units=[r for r in recognitions if r.kind == "department"],
        proposal_form=proposal_form,
        unit_form=unit_form,
        states=RECOGNITION_STATES,
    ), status


@bp.get("/secretariat/recognition")
@login_required
def index():
    """Query: year (default this year)."""
    require_secretariat()
    errors = {}
    year = int_arg(errors, "year", MIN_YEAR, MAX_YEAR, default=this_year())
    return page(year, errors=errors, status=400 if errors else 200)


def proposal_number(value):
    """12, 0012 or 第0012号 as the digits the operation reads; anything else as typed."""
    value = value or ""
    found = NUMBER.fullmatch(value)
    return found.group(1) if found else value


@bp.post("/secretariat/recognition")
@login_required
def nominate():
    require_secretariat()
    kind = request.form.get("kind")
    if kind == "department":
        form = UnitNominationForm()
        data = {"department": form.department.data or None}
    else:
        form = ProposalNominationForm()
        data = {
            "number": proposal_number(form.number.data) or None,
            "proposal_id": (form.proposal_id.data or "").strip() or None,
        }
    data.update(year=form.year.data, kind=kind, reason=form.reason.data)
    done = perform(ops.nominate, current_user, data, form=form, success=_("已提名，待评定。"))
    if done:
        return redirect(url_for("recognition.index", year=done.year) + f"#recognition-{done.id}")
    year = bounded_int(form.year.data, MIN_YEAR, MAX_YEAR) or this_year()
    if kind == "department":
        return page(year, unit_form=form, status=400)
    return page(year, proposal_form=form, status=400)


@bp.post("/secretariat/recognition/<int:recognition_id>/decision")
@login_required
def decide(recognition_id):
    require_secretariat()
    recognition = queries.load(recognition_id)
    if recognition is None:
        abort(404)
    back = url_for("recognition.index", year=recognition.year) + f"#recognition-{recognition.id}"
    award = {"award": True, "decline": False}.get(request.form.get("decision"))
    data = {"award": award, "comment": request.form.get("comment") or None}
    success = _("已评定。") if award else _("已决定不予评定。")
    perform(ops.decide, current_user, recognition, data, success=success)
    return redirect(back)
