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

import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, request, session
from flask_login import login_user
from sqlalchemy import select, update

from ..accounts.models import ApiToken, User
from ..extensions import db, login_manager
from .models import LoginSession
from .state import request_state

SID = "sid"
TOUCH_INTERVAL = timedelta(seconds=60)  # last_seen_at is written at most once a minute


def utcnow():
    return datetime.now(UTC)


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
    found = db.session.execute(  # one statement: the session, its user and the user's unit
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == LoginSession.digest(sid))
    ).first()
    now = utcnow()
    if found is None:
        _forget()
        return None
    record, user = found
    if (
        record.revoked_at is not None
        or str(record.user_id) != str(user_id)
        or now - record.last_seen_at > _seconds("SESSION_IDLE_TIMEOUT")
        or now - record.created_at > _seconds("SESSION_ABSOLUTE_TIMEOUT")
        or not user.active
    ):
        _forget()
        return None
    if now - record.last_seen_at > TOUCH_INTERVAL:  # written after the request (audit.py)
        request_state()["touch_login_session"] = record.id
    return user


def start_session(user):
    """Log ``user`` in on this browser with a fresh session (the caller commits)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    token = secrets.token_urlsafe(32)
    record = LoginSession(
        token_hash=LoginSession.digest(token),
        user_id=user.id,
        address=(request.remote_addr or "")[:64] or None,
    )
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
        db.session.execute(
            update(LoginSession)
            .where(
                LoginSession.token_hash == LoginSession.digest(sid),
                LoginSession.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )


def revoke_user_credentials(user):
    """Every login session and API token of ``user`` stops working (password change, account
    disabled, password reset by an admin); the caller commits."""
    now = utcnow()
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def token_valid_since():
    """API tokens issued before this moment have outlived API_TOKEN_LIFETIME."""
    return utcnow() - _seconds("API_TOKEN_LIFETIME")
