"""The secretariat's long documents (/exports): start a compilation (提案汇编) or an assignment
list (交办清单) of a year or a session as Word or PDF, follow its progress and download it.

The jobs and their rules are in proposals/documents/jobs.py, shared with the JSON API. The list
refreshes itself through static/js/exports.js, which polls /exports/<id>/status (the API's
answer for the same export, read with the login session: the API itself takes tokens only);
without script, the page's refresh link does the same."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, SubmitField

from ..api.exports import file_response, serialize
from ..committee.calendar import local_date, utcnow
from ..committee.models import CommitteeSession
from ..documents import jobs
from ..documents.pdf import available as pdf_available
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..i18n import _
from ..i18n import lazy_gettext as _l
from .guards import secretariat_only

bp = Blueprint("document_exports", __name__, url_prefix="/exports")


bp.before_request(secretariat_only)


class ExportForm(FlaskForm):
    kind = SelectField(
        _l("文件"),
        choices=[("compilation", _l("提案汇编")), ("assignment_list", _l("交办清单"))],
        validate_choice=False,
    )
    period = SelectField(_l("范围"), validate_choice=False)
    format = SelectField(
        _l("格式"),
        choices=[("docx", _l("Word（.docx）")), ("pdf", _l("PDF"))],
        validate_choice=False,
    )
    submit = SubmitField(_l("开始生成"))


def period_choices():
    """The sessions (newest first), then the years that have one."""
    sessions = db.session.scalars(
        select(CommitteeSession).order_by(
            CommitteeSession.year.desc(),
            CommitteeSession.term.desc(),
            CommitteeSession.meeting.desc(),
        )
    ).all()
    years = sorted({s.year for s in sessions} | {local_date(utcnow()).year}, reverse=True)
    return [(f"session:{s.id}", s.label) for s in sessions] + [
        (f"year:{y}", _("%(year)s 年全年", year=y)) for y in years
    ]


def request_data(form):
    """The API's request body from the form; ValidationError naming the field."""
    data = {"kind": form.kind.data, "format": form.format.data}
    what, _sep, value = (form.period.data or "").partition(":")
    if what not in ("session", "year") or not value.isascii() or not value.isdigit():
        raise ValidationError(fields={"period": _("请选择会次或年度")})
    data[what] = int(value[:12])
    return data


def _page(form, status=200):
    exports = jobs.recent_of(current_user)
    return render_template(
        "secretariat/exports.html",
        form=form,
        exports=exports,
        labels=jobs.KIND_LABELS,
        period_label=jobs.period_label,
        file_ready=jobs.file_ready,
        pdf_available=pdf_available(),
    ), status


def new_form(formdata=None):
    form = ExportForm(formdata=formdata)
    form.period.choices = period_choices()
    return form


@bp.get("")
def index():
    return _page(new_form(formdata=None))


@bp.post("")
def start():
    form = new_form(formdata=request.form)
    if not form.validate():
        return _page(form, 400)
    try:
        jobs.request_export(current_user, request_data(form))
    except ValidationError as exc:
        db.session.rollback()
        for name, message in exc.fields.items():
            field = {"session": "period", "year": "period"}.get(name, name)
            if hasattr(form, field):
                getattr(form, field).errors = [*getattr(form, field).errors, message]
        flash(exc.message, "danger")
        return _page(form, 400)
    flash(_("已开始生成，完成后可在下方下载。"), "success")
    return redirect(url_for(".index"))


def _mine(export_id):
    export = jobs.of_user(current_user, export_id)
    if export is None:
        abort(404)
    return export


@bp.get("/<int:export_id>/status")
def status(export_id):
    export = _mine(export_id)
    body = serialize(export, url_for(".download", export_id=export.id))
    body["label"] = _(jobs.KIND_LABELS[export.kind])
    return jsonify(body)


@bp.get("/<int:export_id>/file")
def download(export_id):
    export = _mine(export_id)
    try:
        return file_response(export)
    except DomainError as exc:
        abort(exc.status, description=exc.message)
