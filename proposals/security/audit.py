"""The audit log (ASVS 5.0 §16): who did what, when, from where, and the outcome.

Recorded centrally after each request: logins (ok and failed, web and API), logouts, password
changes, every state-changing request (any method but GET/HEAD/OPTIONS) with its status, and
every refusal (401, 403, 404, 409, 429) whatever the method. Static files are not recorded.

A crawler's noise is sampled: a read refused to someone not signed in who presented no
credential (no Authorization header) gets a row only if the same address has none such within
ANONYMOUS_WINDOW; each still gets its log line. Anything an account does, a refused token and
any state-changing request keep a row each. Rows older than AUDIT_RETENTION_DAYS (default 365:
China's Cybersecurity Law asks for at least six months of logs; 0 keeps them for ever) are
deleted by the sweep (``prune``).

The row is written after the action's own transaction has ended (views commit; the error
handlers roll back), in a transaction of its own, so a refused or rolled-back action still
leaves its row. Never stored or logged: request bodies, query strings, passwords, tokens,
cookies. A login attempt for an unknown username records no username (it might be a password
typed into the wrong field).

The client address is request.remote_addr; X-Forwarded-For is honoured only when
TRUSTED_PROXY_COUNT > 0 (werkzeug's ProxyFix, wired in security/__init__.py).
"""

from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from .models import AuditEvent, LoginSession
from .sessions import utcnow
from .state import request_state

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
REFUSALS = {401: "refused", 403: "refused", 404: "refused", 409: "refused", 429: "rate_limited"}
TARGET_KEYS = (
    "proposal_id",
    "assignment_id",
    "reply_id",
    "attachment_id",
    "user_id",
    "department_id",
    "notification_id",
    "session_id",
)
DIRTY = "proposals.uncommitted"
ANONYMOUS_WINDOW = timedelta(minutes=10)


def init_app(app):
    app.after_request(record_request)


# --- is something uncommitted in the session? -------------------------------------------------


@event.listens_for(Session, "after_flush")
def _flushed(session, flush_context):
    session.info[DIRTY] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state):
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[DIRTY] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    if transaction.parent is None:
        session.info.pop(DIRTY, None)


def _uncommitted(session):
    return bool(session.new or session.dirty or session.deleted or session.info.get(DIRTY))


# --- what the views tell us -------------------------------------------------------------------


def note(kind, actor=None):
    """Mark this request's audit row with ``kind`` (login_ok, login_failed, logout,
    password_changed …) and, when known, its actor (a User)."""
    state = request_state()
    state["audit_kind"] = kind
    if actor is not None:
        state["audit_actor"] = (actor.id, actor.username)


def _actor():
    if "audit_actor" in request_state():
        return request_state()["audit_actor"]
    token = request.environ.get("proposals.api_token")
    if token is not None:
        return token.user_id, token.user.username
    if request.blueprint == "api":
        return None, None
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, None


def _target():
    for key in TARGET_KEYS:
        if key in (request.view_args or {}):
            return f"{key[:-3]}:{request.view_args[key]}"
    for key, value in (request.view_args or {}).items():
        if key.endswith("_id"):
            return f"{key[:-3]}:{value}"[:80]
    return None


def _kind(status):
    kind = request_state().get("audit_kind")
    if kind:
        return kind
    if status in REFUSALS:
        return REFUSALS[status]
    if request.method in SAFE_METHODS:
        return None
    return "error" if status >= 500 else "action"


def _is_static():
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def record_request(response):
    touch = request_state().pop("touch_login_session", None)
    kind = None if _is_static() else _kind(response.status_code)
    if kind is None and touch is None:
        return response
    try:
        row = None
        if kind is not None:
            actor_id, username = _actor()
            row = dict(
                actor_id=actor_id,
                actor_username=username,
                address=(request.remote_addr or "")[:64] or None,
                method=request.method[:10],
                path=request.path[:500],
                endpoint=(request.endpoint or "")[:120] or None,
                kind=kind,
                status=response.status_code,
                target=_target(),
            )
        _write(row, touch, sampled=row is not None and _is_noise(row))
        if row is not None:
            current_app.logger.info(
                "audit %(kind)s status=%(status)s actor=%(actor_username)s "
                "address=%(address)s %(method)s %(path)s target=%(target)s",
                row,
            )
    except Exception:  # the audit must never break the answer; the failure itself is logged
        db.session.rollback()
        current_app.logger.exception("writing the audit record failed")
    return response


def _is_noise(row):
    return (
        row["actor_id"] is None
        and row["kind"] == "refused"
        and request.method in SAFE_METHODS
        and "Authorization" not in request.headers
    )


def _sampled_out(session, row):
    """True when this address already has an anonymous refusal within the window."""
    since = utcnow() - ANONYMOUS_WINDOW
    return (
        session.scalar(
            select(AuditEvent.id)
            .where(
                AuditEvent.created_at >= since,
                AuditEvent.kind == "refused",
                AuditEvent.actor_id.is_(None),
                AuditEvent.address == row["address"],
            )
            .limit(1)
        )
        is not None
    )


def _write(row, touch, sampled=False):
    session = db.session()
    clean = not _uncommitted(session)
    if clean:
        session.rollback()  # end the request's (read-only) transaction: a fresh one for the audit
    if sampled and _sampled_out(session, row):
        row = None
    if touch is not None:
        session.execute(
            update(LoginSession)
            .where(LoginSession.id == touch)
            .values(last_seen_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    if row is not None:
        session.add(AuditEvent(**row))
    if clean:
        session.commit()
    else:
        # the request left work uncommitted, which is discarded when the request ends; do not
        # commit it with the audit row (this only happens when a view forgets to finish)
        session.flush()


def prune(now):
    """Delete the rows older than AUDIT_RETENTION_DAYS (none when it is 0); their number."""
    days = int(current_app.config.get("AUDIT_RETENTION_DAYS") or 0)
    if days <= 0:
        return 0
    result = db.session.execute(
        delete(AuditEvent)
        .where(AuditEvent.created_at < now - timedelta(days=days))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
