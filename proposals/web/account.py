"""The user's own account: changing the password (every other session and API token ends),
the text size (A / A+ / A++, kept on the account); for the admin, the audit log
(security/audit.py)."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, SubmitField

from ..accounts import service as accounts
from ..errors import ValidationError
from ..extensions import db
from ..i18n import N_
from ..inputs import MAX_ID, int_arg_or_400
from ..security import audit
from ..security.models import AuditEvent
from ..security.passwords import min_length
from ..security.sessions import start_session
from .actions import perform
from .auth import safe_next

bp = Blueprint("account", __name__, url_prefix="/account")
# Every kind security/audit.py records, with its label; the page shows the label and keeps the
# code (what the logs and the database say) in small muted text beside it.
AUDIT_KIND_LABELS = {
    "login_ok": N_("登录成功"),
    "login_failed": N_("登录失败"),
    "logout": N_("退出登录"),
    "password_changed": N_("修改密码"),
    "action": N_("操作"),
    "refused": N_("拒绝访问"),
    "rate_limited": N_("请求过于频繁"),
    "error": N_("服务器错误"),
}
AUDIT_KINDS = tuple(AUDIT_KIND_LABELS)
AUDIT_PER_PAGE = 50


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("新密码"), render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("再次输入新密码"), render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("修改密码"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordChangeForm()
    status = 200
    if request.method == "POST":
        user = current_user._get_current_object()
        if form.validate_on_submit() and perform(
            accounts.change_password,
            user,
            form.current_password.data,
            form.new_password.data,
            form.confirm.data,
            form=form,
            success=_("密码已修改，其他设备上的登录和 API 令牌均已失效。"),
        ):
            start_session(user)  # this browser stays logged in, with a fresh session
            db.session.commit()
            audit.note("password_changed", user)
            return redirect(url_for("home.index"))
        status = 400
    return render_template("account/password.html", form=form, min_length=min_length()), status


@bp.post("/text-size")
@login_required
def text_size():
    """A, A+ or A++ for this person (the buttons in the header); back to the page it was
    chosen on. A value the buttons never send is a 400 and changes nothing."""
    size = request.form.get("size", "")
    try:
        accounts.set_text_size(current_user._get_current_object(), size)
    except ValidationError as exc:
        db.session.rollback()
        abort(400, exc.message)
    db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))


@bp.get("/audit")
@login_required
def audit_log():
    """The admin's view of recent audit events, filterable by username and kind."""
    if current_user.role != "admin":
        abort(403)
    username = (request.args.get("user") or "").strip()[:64]
    kind = request.args.get("kind") or ""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if username:
        query = query.where(AuditEvent.actor_username == username)
    if kind in AUDIT_KINDS:
        query = query.where(AuditEvent.kind == kind)
    else:
        kind = ""
    before = int_arg_or_400("before", 1, MAX_ID)
    if before:
        query = query.where(AuditEvent.id < before)
    events = db.session.scalars(query.limit(AUDIT_PER_PAGE)).all()
    more = events[-1].id if len(events) == AUDIT_PER_PAGE else None
    return render_template(
        "account/audit.html",
        events=events,
        user=username,
        kind=kind,
        kind_labels=AUDIT_KIND_LABELS,
        more=more,
    )
