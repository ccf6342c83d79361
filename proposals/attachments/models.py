"""One uploaded file. The original name lives only here (sanitised); on disk the file is named
by ``storage_key`` (random hex) under the attachments folder (see storage.py)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User, utcnow
from ..extensions import db
from ..handling.models import Reply
from ..workflow.models import Proposal

KINDS = ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "png")


class Attachment(db.Model):
    """A file on a proposal (``reply_id`` null) or on one of its replies; ``proposal_id`` is
    always set so that the proposal's visibility decides first."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(f"kind IN {KINDS!r}", name="kind"),
        CheckConstraint("size > 0", name="size"),
        Index("ix_attachments_proposal_reply", "proposal_id", "reply_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    reply_id: Mapped[int | None] = mapped_column(
        ForeignKey("replies.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))  # for display only
    kind: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(100))  # ours, never the client's
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(lazy="raise_on_sql")
    reply: Mapped[Reply | None] = relationship(lazy="raise_on_sql")
    uploaded_by: Mapped[User] = relationship(lazy="joined")
