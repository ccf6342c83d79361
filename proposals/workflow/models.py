"""Proposals (提案), their co-signers and their history."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Department, User, utcnow
from ..committee.models import Category, CommitteeSession, NotFiledReason
from ..extensions import db
from ..i18n import N_, _
from .states import CosignerState, ProposalState

PROPOSAL_STATES = tuple(s.value for s in ProposalState)
KINDS = ("individual", "joint", "collective")
KIND_LABELS = {"individual": N_("个人提案"), "joint": N_("联名提案"), "collective": N_("集体提案")}

suggested_departments = Table(
    "proposal_suggested_departments",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id"), primary_key=True),
)


def number_label(number):
    """第0012号 (None before filing)."""
    return _("第%(n)s号", n=f"{number:04d}") if number else None


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(f"state IN {PROPOSAL_STATES!r}", name="state"),
        CheckConstraint(f"kind IN {KINDS!r}", name="kind"),
        CheckConstraint("(state = 'merged') = (merged_into_id IS NOT NULL)", name="merged"),
        CheckConstraint(
            "(state = 'not_filed') = (not_filed_reason_id IS NOT NULL)", name="not_filed_reason"
        ),
        CheckConstraint(
            "number IS NULL OR state IN ('filed', 'assigned', 'closed')",
            name="number_only_when_filed",
        ),
        UniqueConstraint("session_id", "number"),
        UniqueConstraint("session_id", "receipt_serial"),
        Index("ix_proposals_state_session", "state", "session_id"),
        # the lists' order (submitted_at, id) page by page (migration e5b4a7c9d1f3)
        Index("ix_proposals_submitted_at_id", "submitted_at", "id"),
        # …and a member's view: the proposals their own were merged into
        Index("ix_proposals_merged_into_proposer", "merged_into_id", "proposer_id"),
        # …and the secretariat's list total: a covering index scan, not the table
        Index("ix_proposals_state_receipt", "state", "receipt_serial"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), index=True)
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="individual")
    state: Mapped[str] = mapped_column(String(24), default=ProposalState.DRAFT)
    title: Mapped[str] = mapped_column(String(200))  # 案由
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    analysis: Mapped[str] = mapped_column(Text, default="")  # 情况分析
    suggestions: Mapped[str] = mapped_column(Text, default="")  # 具体建议
    is_plenary: Mapped[bool | None]  # 大会提案 / 平时提案
    receipt_serial: Mapped[int | None]
    number: Mapped[int | None]  # 提案号, on filing
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    filed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)
    not_filed_reason_id: Mapped[int | None] = mapped_column(ForeignKey("not_filed_reasons.id"))
    not_filed_disposition: Mapped[str | None] = mapped_column(String(16))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"), index=True)
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
    is_key: Mapped[bool] = mapped_column(default=False)  # 重点提案
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # 督办领导
    is_excellent: Mapped[bool] = mapped_column(default=False)  # 优秀提案
    not_for_disclosure: Mapped[bool] = mapped_column(default=False)
    not_for_disclosure_reason: Mapped[str | None] = mapped_column(Text)
    consultation_due: Mapped[bool] = mapped_column(default=False)  # 二次不满意: 当面协商
    consultation_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # set on proposals of earlier years brought in from a spreadsheet (no history of their own)
    imported_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": version}

    session: Mapped[CommitteeSession] = relationship(lazy="joined")
    proposer: Mapped[User] = relationship(foreign_keys=[proposer_id], lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")
    # every other relationship raises instead of loading lazily (no hidden N+1): load
    # what a page or an operation needs with the statement that fetches the proposals
    supervisor: Mapped[User | None] = relationship(
        foreign_keys=[supervisor_id], lazy="raise_on_sql"
    )
    not_filed_reason: Mapped[NotFiledReason | None] = relationship(lazy="raise_on_sql")
    merged_into: Mapped["Proposal | None"] = relationship(
        remote_side=[id], back_populates="merged", lazy="raise_on_sql"
    )
    merged: Mapped[list["Proposal"]] = relationship(
        back_populates="merged_into", order_by="Proposal.id", lazy="raise_on_sql"
    )
    cosigners: Mapped[list["Cosigner"]] = relationship(
        back_populates="proposal",
        order_by="Cosigner.id",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )
    suggested_departments: Mapped[list[Department]] = relationship(
        secondary=suggested_departments, order_by=Department.code, lazy="raise_on_sql"
    )
    assignments: Mapped[list["Assignment"]] = relationship(  # noqa: F821
        back_populates="proposal", order_by="Assignment.id", lazy="raise_on_sql"
    )
    history: Mapped[list["HistoryEntry"]] = relationship(
        back_populates="proposal", order_by="HistoryEntry.id", lazy="raise_on_sql"
    )
    reviews: Mapped[list["ReviewDecision"]] = relationship(
        order_by="ReviewDecision.id", foreign_keys="ReviewDecision.proposal_id", lazy="raise_on_sql"
    )

    @property
    def number_label(self):
        return number_label(self.number)

    def is_proposer(self, user):
        return user is not None and user.id == self.proposer_id

    def cosigner_for(self, user):
        return next((c for c in self.cosigners if c.user_id == user.id), None)


class Cosigner(db.Model):
    """A co-signer (联名提案人) and their invitation."""

    __tablename__ = "cosigners"
    __table_args__ = (
        UniqueConstraint("proposal_id", "user_id"),
        CheckConstraint(f"state IN {tuple(s.value for s in CosignerState)!r}", name="state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=CosignerState.INVITED)
    invited_at: Mapped[datetime | None]
    expires_on: Mapped[date | None]
    responded_at: Mapped[datetime | None]

    proposal: Mapped[Proposal] = relationship(back_populates="cosigners", lazy="raise_on_sql")
    user: Mapped[User] = relationship(lazy="joined")


REVIEW_STAGES = ("preliminary", "final")  # 初审, 审定 (or the single review when not staged)


class ReviewDecision(db.Model):
    """One filing review (立案审查) of a proposal: a proposal returned for revision and
    resubmitted has several. Under staged review the 初审 is a preliminary decision that the
    审定 confirms (a final decision of its own) or sends back."""

    __tablename__ = "review_decisions"
    __table_args__ = (
        CheckConstraint("decision IN ('file', 'not_file', 'merge', 'return')", name="decision"),
        CheckConstraint(f"stage IN {REVIEW_STAGES!r}", name="stage"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(16))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    reason_id: Mapped[int | None] = mapped_column(ForeignKey("not_filed_reasons.id"))
    disposition: Mapped[str | None] = mapped_column(String(16))
    merge_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(12), default="final")
    title: Mapped[str | None] = mapped_column(String(200))  # a corrected 案由, when proposed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HistoryEntry(db.Model):
    """One row per action: who, when, what, from which state to which, comment."""

    __tablename__ = "history"
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("replies.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # null: the system
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str | None] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="history", lazy="raise_on_sql")
    actor: Mapped[User | None] = relationship(lazy="joined")
