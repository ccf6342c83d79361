"""Login sessions (server side, referenced from the signed Flask session), audit events and the
failed logins that the login limits count when no Redis holds them."""

import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..accounts.models import utcnow
from ..extensions import db


class LoginSession(db.Model):
    """One web login. The browser's signed cookie holds a random id; only its SHA-256 is stored
    here, so reading this table does not let anyone take over a session."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    address: Mapped[str | None] = mapped_column(String(64))

    @staticmethod
    def digest(token):
        return hashlib.sha256(token.encode()).hexdigest()


class AuditEvent(db.Model):
    """Who did what, from where, with which outcome. No request bodies, passwords or tokens.
    The actor is kept as id and username without a foreign key: the record outlives the user."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_actor_created", "actor_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None]
    actor_username: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    endpoint: Mapped[str | None] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[int]
    target: Mapped[str | None] = mapped_column(String(80))


class LoginFailure(db.Model):
    """One failed login on one counter of the login limits (limiter.py), when they count in the
    database (no Redis): a failure from an unknown client is a row for its address and one for
    the username, a failure from a trusted device one row for that device. ``key_hash`` is an
    HMAC of the address, username or device nonce: never the text typed, which might be a
    password. Rows are counted over the window and deleted once older than every window."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_scope_key_created", "scope", "key_hash", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))  # address, account or device
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


__all__ = ["LoginSession", "AuditEvent", "LoginFailure"]
