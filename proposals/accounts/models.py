"""People, handling units and API tokens."""

import hashlib
import secrets
import unicodedata
from datetime import UTC, datetime
from functools import cached_property

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..i18n import N_
from ..workflow.states import UNIT_ROLES, Role

ROLES = tuple(r.value for r in Role if r is not Role.SYSTEM)
# Organisation accounts (集体提案者) are members of one of these types.
ORG_TYPES = ("party", "organization", "sector", "special_committee")
ROLE_LABELS = {
    "member": N_("委员"),
    "secretariat": N_("提案委员会办公室"),
    "clerk": N_("承办单位经办人"),
    "department_head": N_("承办单位负责人"),
    "office": N_("督查室"),
    "admin": N_("系统管理员"),
}  # msgids: _(label) where shown
ORG_TYPE_LABELS = {
    "party": N_("党派"),
    "organization": N_("人民团体"),
    "sector": N_("界别"),
    "special_committee": N_("专门委员会"),
}  # msgids: _(label) where shown


def normalise(password):
    """The form a password is hashed and checked in: Unicode NFKC (security/passwords.py)."""
    return unicodedata.normalize("NFKC", "" if password is None else str(password))


def utcnow():
    return datetime.now(UTC)


class Department(db.Model):
    """A handling unit (承办单位)."""

    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self):
        return f"<Department {self.code}>"


# The units a supervising office (督查室, role office) oversees.
office_units = Table(
    "office_units",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id"), primary_key=True, index=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
        CheckConstraint(
            f"org_type IS NULL OR (role = 'member' AND org_type IN {ORG_TYPES!r})", name="org_type"
        ),
        CheckConstraint(
            "(role IN ('clerk', 'department_head')) = (department_id IS NOT NULL)",
            name="unit_staff_have_unit",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    wecom_userid: Mapped[str | None] = mapped_column(String(64))  # 企业微信 user id
    org_type: Mapped[str | None] = mapped_column(String(24))
    sector: Mapped[str | None] = mapped_column(String(60))  # 界别
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the page's text size this person chose: normal, large (A+) or larger (A++)
    text_size: Mapped[str] = mapped_column(String(8), default="normal", server_default="normal")
    # each list's remembered sort and filters: {"list name": {"sort": …, "state": …}}; replace
    # the whole dict to change it (a JSON column does not see changes made inside it)
    list_preferences: Mapped[dict | None] = mapped_column(JSON)

    department: Mapped[Department | None] = relationship(lazy="joined")
    # an office's units: load them where they are shown or changed (workflow.core.loaded);
    # the access checks read office_department_ids
    office_departments: Mapped[list[Department]] = relationship(
        secondary=office_units, order_by=Department.code, lazy="raise_on_sql"
    )

    @property
    def is_active(self):
        return self.active

    @property
    def is_organisation(self):
        return self.org_type is not None

    @property
    def is_unit_staff(self):
        return self.role in UNIT_ROLES

    @cached_property
    def office_department_ids(self):
        """The ids of the units an office supervises (empty for every other role), read once
        per loaded user: a request's access checks ask several times."""
        if self.role != Role.OFFICE or self.id is None:
            return frozenset()
        return frozenset(
            db.session.scalars(
                select(office_units.c.department_id).where(office_units.c.user_id == self.id)
            )
        )

    @property
    def kind(self):
        if self.role == Role.MEMBER:
            return "organisation" if self.org_type else "individual"
        return self.role

    def set_password(self, password):
        method = current_app.config.get("PASSWORD_HASH_METHOD", "pbkdf2:sha256:600000")
        self.password_hash = generate_password_hash(normalise(password), method=method)

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(
            self.password_hash, normalise(password)
        )

    def __repr__(self):
        return f"<User {self.username} {self.role}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    @staticmethod
    def digest(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user):
        token = secrets.token_urlsafe(32)
        db.session.add(cls(user=user, token_hash=cls.digest(token)))
        return token


__all__ = ["Department", "User", "ApiToken", "ROLES", "ORG_TYPES", "office_units"]
