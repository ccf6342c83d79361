"""A nomination for a year's recognition and its decision."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Department, User, utcnow
from ..extensions import db
from ..i18n import N_
from ..workflow.models import Proposal

RECOGNITION_KINDS = {"proposal": N_("优秀提案"), "department": N_("先进承办单位")}
RECOGNITION_STATES = {
    "nominated": N_("已提名"),
    "awarded": N_("已评定"),
    "declined": N_("未评定"),
}


class Recognition(db.Model):
    """One nomination of a proposal or a unit for a year; decided once (awarded or declined)."""

    __tablename__ = "recognitions"
    __table_args__ = (
        CheckConstraint(f"kind IN {tuple(RECOGNITION_KINDS)!r}", name="kind"),
        CheckConstraint(f"state IN {tuple(RECOGNITION_STATES)!r}", name="state"),
        CheckConstraint(
            "(kind = 'proposal') = (proposal_id IS NOT NULL) "
            "AND (kind = 'department') = (department_id IS NOT NULL)",
            name="subject",
        ),
        CheckConstraint("(state = 'nominated') = (decided_at IS NULL)", name="decided"),
        UniqueConstraint("year", "proposal_id"),
        UniqueConstraint("year", "department_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    kind: Mapped[str] = mapped_column(String(12))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="nominated")
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    nominated_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(Text)

    proposal: Mapped[Proposal | None] = relationship(lazy="joined")
    department: Mapped[Department | None] = relationship(lazy="joined")
    nominated_by: Mapped[User] = relationship(foreign_keys=[nominated_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
