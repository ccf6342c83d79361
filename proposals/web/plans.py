"""The secretariat's 交办方案 pages (bulk assignment): download the template, upload the filled
sheet, see every row checked with its line-numbered errors, and apply a checked plan with one
button. The rules are in proposals/plans/service.py, shared with the API and the command line;
a plan with errors has no button, and the service refuses it anyway."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SubmitField

from ..accounts.models import Department, User
from ..errors import DomainError, NotFound, ValidationError
from ..extensions import db
from ..plans import service
from ..plans.responses import template_download
from .guards import secretariat_only

bp = Blueprint("plans", __name__, url_prefix="/secretariat/assignment-plans")


bp.before_request(secretariat_only)


class UploadForm(FlaskForm):
    file = FileField(_l("填好的交办方案（.xlsx 或 .csv）"), render_kw={"accept": ".xlsx,.csv"})
    submit = SubmitField(_l("上传并检查"))


def _index(form, status=200):
    return render_template(
        "secretariat/plans.html",
        form=form,
        plans=service.recent_plans(),
        max_mb=service.MAX_BYTES // (1024 * 1024),
    ), status


def _load(plan_id):
    try:
        return service.load_plan(current_user, plan_id)
    except NotFound:
        abort(404)


def _show(plan, status=200, refusal=None):
    rows = sorted(plan.rows, key=lambda r: r["row"])
    problems = {}
    for error in plan.errors:
        problems.setdefault(error["row"], []).append(error["message"])
    applied_by = db.session.get(User, plan.applied_by_id) if plan.applied_by_id else None
    return render_template(
        "secretariat/plans_show.html",
        plan=plan,
        rows=rows,
        problems=problems,
        unit_names={d.code: d.name for d in db.session.scalars(select(Department))},
        applied_by=applied_by,
        refusal=refusal,
    ), status


@bp.get("")
def index():
    return _index(UploadForm())


@bp.get("/template.xlsx")
def template():
    return template_download()


@bp.post("")
def upload():
    """Check the uploaded sheet and keep it as a plan, then show it (errors and all)."""
    form = UploadForm()
    upload = form.file.data
    if not upload or not getattr(upload, "filename", ""):
        form.file.errors = [_("请选择要上传的文件。")]
        return _index(form, 400)
    content = upload.stream.read(service.MAX_BYTES + 1)
    try:
        plan = service.create_plan(current_user, upload.filename, content)
        db.session.commit()
    except (ValidationError, service.TooLarge) as exc:
        db.session.rollback()
        form.file.errors = [exc.message]
        return _index(form, exc.status)
    if plan.errors:
        flash(
            _("方案有 %(n)d 处错误，不能执行。请修改表格后重新上传。", n=len(plan.errors)), "danger"
        )
    else:
        flash(_("方案已逐行检查，没有发现错误。请核对后执行交办。"), "success")
    return redirect(url_for(".show", plan_id=plan.id))


@bp.get("/<int:plan_id>")
def show(plan_id):
    return _show(_load(plan_id))


@bp.post("/<int:plan_id>/apply")
def apply(plan_id):
    """Assign every proposal of the plan in one transaction, or none (the page says why)."""
    plan = _load(plan_id)
    try:
        assigned = service.apply_plan(current_user, plan)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _show(_load(plan_id), exc.status, refusal=exc.message)
    except StaleDataError:
        db.session.rollback()
        return _show(_load(plan_id), 409, refusal=_("此项已被他人修改，请刷新后重试。"))
    flash(_("已按方案交办 %(n)d 件提案。", n=len(assigned)), "success")
    return redirect(url_for(".show", plan_id=plan_id))
