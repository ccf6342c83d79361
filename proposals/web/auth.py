"""Login and logout (server-side login sessions, proposals/security/sessions.py); the language
switch. Failed logins are rate-limited per account and per address, or per device for a browser
that signed in before (security/limiter.py; a successful login sets its device cookie,
security/devices.py), and every attempt is audited (security/audit.py)."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..accounts.service import authenticate
from ..extensions import db
from ..security import audit
from ..security.devices import remember_device
from ..security.limiter import LoginRateLimited, check_login_allowed, record_failed_login
from ..security.sessions import end_session, start_session

bp = Blueprint("auth", __name__)

LANGUAGES = {"zh_CN": "中文", "en": "English"}


def select_locale():
    """The page's language: the one the person chose (session), else Chinese."""
    lang = session.get("lang")
    return lang if lang in LANGUAGES else "zh_CN"


class LoginForm(FlaskForm):
    username = StringField(
        _l("用户名"),
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("密码"),
        validators=[DataRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("登录"))


def safe_next(target):
    """Only a local path: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data
        try:
            check_login_allowed(username)
        except LoginRateLimited as exc:
            audit.note("rate_limited")
            flash(exc.description, "danger")
            return render_template("auth/login.html", form=form), 429
        user, known = authenticate(username, form.password.data)
        if user is None:
            record_failed_login(username)
            audit.note("login_failed", known)
            flash(_("用户名或密码错误。"), "danger")
        else:
            start_session(user)
            db.session.commit()
            remember_device(user)
            audit.note("login_ok", user)
            flash(_("欢迎，%(name)s。", name=user.name), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    elif request.method == "POST":
        audit.note("login_failed")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    audit.note("logout", current_user)
    end_session()
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
def set_language(code):
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))
