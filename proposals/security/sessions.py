"""Server-side login sessions (ASVS 5.0 §7).

The signed Flask session cookie holds Flask-Login's user id and ``sid``, a random id of a row in
login_sessions (only its SHA-256 is stored). A request is logged in only while that row exists,
belongs to the user, is not revoked, has been used within SESSION_IDLE_TIMEOUT seconds (default
30 minutes) and is younger than SESSION_ABSOLUTE_TIMEOUT seconds (default 12 hours). Logout
revokes the row; a password change or disabling the account revokes every session and every API
token of the user, so a replayed old cookie or token is refused. API tokens are valid for
API_TOKEN_LIFETIME seconds after they were issued (default 30 days).

Cookies: HttpOnly, SameSite=Lax, Secure when ENV=production (config.py). Each login clears the
old session and issues a fresh id, so a session id planted before login is worthless.
"""
import functools
import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app, request, session
from flask_login import login_user
from sqlalchemy import bindparam, func, select, update

from ..accounts.models import ApiToken, Department, User
from ..extensions import as_loaded, columns_of, db, loaded_columns, login_manager, read_rows
from . import request_state
from .models import LoginSession

SID = "sid"
UNREAD = "unread_notifications"
TOUCH_INTERVAL = timedelta(seconds=60)  # last_seen_at is written at most once a minute


def utcnow():
    return datetime.now(timezone.utc)


def _seconds(name):
    return timedelta(seconds=int(current_app.config[name]))


def init_app(app):
    login_manager.user_loader(load_user)


def _forget():
    for key in (SID, "_user_id", "_fresh", "_id"):
        session.pop(key, None)


def load_user(user_id):
    """Flask-Login's loader: the user only while their login session is valid."""
    sid = session.get(SID)
    if not sid or not isinstance(sid, str):
        _forget()
        return None
    found = read_rows(_session_statement(), {"token_hash": LoginSession.digest(sid)}).first()
    now = utcnow()
    if (found is None or found.revoked_at is not None or str(found.user_id) != str(user_id)
            or now - found.last_seen_at > _seconds("SESSION_IDLE_TIMEOUT")
            or now - found.created_at > _seconds("SESSION_ABSOLUTE_TIMEOUT")):
        _forget()
        return None
    user = user_from_row(found)
    if not user.active:
        _forget()
        return None
    if now - found.last_seen_at > TOUCH_INTERVAL:  # written after the request (audit.py)
        request_state()["touch_login_session"] = found.id
    request_state()[UNREAD] = found.unread
    return user


def user_columns():
    """A user's columns with their unit's (labelled u_*, d_*), for a Core statement
    whose row user_from_row() makes the User of."""
    return [*loaded_columns(User, "u_"), *loaded_columns(Department, "d_")]


def user_from_row(row):
    """The User (with its unit, as the relationship's joined load would give it) of a row
    read with user_columns(), in this request's session (extensions.as_loaded)."""
    unit = None
    if row.d_id is not None:
        unit = as_loaded(Department, columns_of(row, Department, "d_"))
    return as_loaded(User, columns_of(row, User, "u_"), department=unit)


@functools.cache
def _session_statement():
    """The login session's row with its user, their unit and the user's unread notifications
    (the count every page's navigation shows): one statement for everything a page knows of
    who asks, built once (building it on every request cost as much as running it), read as
    plain columns (the ORM's handling of the one row cost more than the statement)."""
    from ..notifications.models import Notification
    unread = (select(func.count()).select_from(Notification)
              .where(Notification.recipient_id == LoginSession.user_id,
                     Notification.read_at.is_(None)).scalar_subquery())
    s = LoginSession
    return (select(s.id, s.user_id, s.revoked_at, s.last_seen_at, s.created_at,
                   unread.label("unread"), *user_columns())
            .join(User, User.id == s.user_id)
            .outerjoin(Department, Department.id == User.department_id)
            .where(s.token_hash == bindparam("token_hash")))


def unread_at_login():
    """The unread count read with this request's login session, None when not read (an API
    request, or a notification was changed since: see notifications.service)."""
    return request_state().get(UNREAD)


def remember_unread(count):
    """The unread count this request counted itself (read once per request: see web._unread)."""
    request_state()[UNREAD] = count


def forget_unread():
    request_state().pop(UNREAD, None)


def start_session(user):
    """Log ``user`` in on this browser with a fresh session (the caller commits)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    token = secrets.token_urlsafe(32)
    record = LoginSession(token_hash=LoginSession.digest(token), user_id=user.id,
                          address=(request.remote_addr or "")[:64] or None)
    db.session.add(record)
    db.session.flush()
    session[SID] = token
    login_user(user)
    return record


def create_session_record(user):
    """A login session for a test client or tool: (raw id, record); the caller commits."""
    token = secrets.token_urlsafe(32)
    record = LoginSession(token_hash=LoginSession.digest(token), user_id=user.id)
    db.session.add(record)
    db.session.flush()
    return token, record


def end_session():
    """Revoke this browser's login session (logout); the caller commits."""
    sid = session.get(SID)
    if sid:
        db.session.execute(update(LoginSession).where(
            LoginSession.token_hash == LoginSession.digest(sid),
            LoginSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def revoke_user_credentials(user):
    """Every login session and API token of ``user`` stops working (password change, account
    disabled, password reset by an admin); the caller commits."""
    now = utcnow()
    db.session.execute(update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False))
    db.session.execute(update(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False))


def token_valid_since():
    """API tokens issued before this moment have outlived API_TOKEN_LIFETIME."""
    return utcnow() - _seconds("API_TOKEN_LIFETIME")
