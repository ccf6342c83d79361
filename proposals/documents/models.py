"""The committee's own document templates, and long document jobs (exports)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User, utcnow
from ..extensions import db


class DocumentTemplate(db.Model):
    """A Word template uploaded by the admin for one kind of document; it replaces the shipped
    default of that kind until it is removed. Templates are small (tens of KB), so the bytes
    live in the database and travel with its backups."""

    __tablename__ = "document_templates"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), unique=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by: Mapped[User] = relationship(lazy="joined")


class Export(db.Model):
    """A document built in the background (the compilation, a year's document set): queued by
    its requester, run by a Celery worker (or the embedded loop without Redis), then downloaded
    from ``file_path`` under the exports folder."""

    __tablename__ = "exports"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(8))
    # the request as validated: {"year"?, "session"?}
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(12), default="queued", index=True)
    progress: Mapped[float] = mapped_column(default=0.0)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_path: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)

    requested_by: Mapped[User] = relationship(lazy="joined")
