"""The secretariat's page for importing earlier years' proposals (历年提案导入): upload the
sheet, see every bad row with its line number, or have every row imported at once. The rules
live in proposals/archive/, as for the command `proposals import`."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SubmitField

from ..accounts.service import ImportFailed
from ..archive import import_archive
from ..archive.sheet import COLUMNS, REQUIRED
from ..errors import ValidationError
from ..extensions import db
from ..i18n import join
from .guards import secretariat_only

bp = Blueprint("archive", __name__, url_prefix="/archive")
MAX_UPLOAD = 16 * 1024 * 1024  # reply texts make these sheets larger than a list of users


bp.before_request(secretariat_only)


class ArchiveForm(FlaskForm):
    file = FileField(_l("CSV 或 XLSX 文件"), render_kw={"accept": ".csv,.xlsx"})
    check_only = BooleanField(_l("只检查，不导入"))
    withhold = BooleanField(
        _l("导入的提案不在公开门户公开"),
        description=_l("不勾选时，按公开规则：答复送达满规定工作日的提案在门户公开。"),
    )
    submit = SubmitField(_l("检查并导入"))


def _upload(form):
    """(filename, bytes) of the uploaded sheet, or None with the problem on the file field."""
    upload = form.file.data
    if not upload or not getattr(upload, "filename", ""):
        form.file.errors = [_("请选择要导入的文件。")]
        return None
    content = upload.stream.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        form.file.errors = [_("文件太大（最大 %(n)d MB）。", n=MAX_UPLOAD // (1024 * 1024))]
        return None
    return upload.filename, content


def _summary(report):
    sessions = join(
        _("%(session)s %(n)d 件（提案号 %(low)d–%(high)d）", session=s, n=n, low=low, high=high)
        for s, (n, low, high) in report.sessions.items()
    )
    if report.written:
        text = _("已导入 %(n)d 件提案：%(sessions)s。", n=report.count, sessions=sessions)
    else:
        text = _("检查通过，可导入 %(n)d 件提案：%(sessions)s。", n=report.count, sessions=sessions)
    if report.new_accounts:
        names = join(name if u is None else f"{u} {name}" for u, name in report.new_accounts)
        text += _(
            "新建停用的委员账号（不能登录）%(n)d 个：%(names)s。",
            n=len(report.new_accounts),
            names=names,
        )
    if report.ignored:
        text += _("未识别的列（已忽略）：%(columns)s。", columns=join(report.ignored))
    return text


@bp.route("/import", methods=["GET", "POST"])
def import_sheet():
    form = ArchiveForm()
    problems, checked = [], None
    if request.method == "POST":
        upload = _upload(form)
        if upload is not None:
            try:
                report = import_archive(
                    current_user,
                    *upload,
                    withhold=form.withhold.data,
                    check_only=form.check_only.data,
                )
            except ImportFailed as exc:
                db.session.rollback()
                problems = exc.problems
            except ValidationError as exc:
                db.session.rollback()
                form.file.errors = [exc.message]
            else:
                if report.written:
                    db.session.commit()
                    flash(_summary(report), "success")
                    return redirect(url_for(".import_sheet"))
                db.session.rollback()
                checked = _summary(report)
    columns = [(header, others, key in REQUIRED) for key, (header, others) in COLUMNS.items()]
    failed = bool(problems or form.file.errors)
    return render_template(
        "archive/import.html", form=form, problems=problems, checked=checked, columns=columns
    ), 400 if failed else 200
