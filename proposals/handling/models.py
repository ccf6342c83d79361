"""The units' work: assignments (交办), contacts, co-unit opinions, extensions, replies, ratings,
B-class follow-ups."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Department, User, utcnow
from ..extensions import db
from ..i18n import N_
from ..workflow.models import Proposal
from ..workflow.states import AssignmentState, ReplyState

ASSIGNMENT_ROLES = ("lead", "co", "split")
# Labels are msgids (N_ marks them for the extractor); translate them where shown: _(label).
ROLE_LABELS = {"lead": N_("主办"), "co": N_("会办"), "split": N_("分办")}
CONTACT_MODES = {
    "meeting": N_("面谈"),
    "forum": N_("座谈会"),
    "phone": N_("电话"),
    "email": N_("邮件"),
    "letter": N_("书信"),
    "other": N_("其他"),
}
RATINGS = {
    "satisfied": N_("满意"),
    "basically_satisfied": N_("基本满意"),
    "unsatisfied": N_("不满意"),
}


class Assignment(db.Model):
    """One unit's part of a filed proposal, with its deadlines as dates (Asia/Shanghai)."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint(f"role IN {ASSIGNMENT_ROLES!r}", name="role"),
        CheckConstraint(f"state IN {tuple(s.value for s in AssignmentState)!r}", name="state"),
        CheckConstraint("(role = 'co') = (opinion_due IS NOT NULL)", name="opinion_due_for_co"),
        CheckConstraint("round IN (1, 2)", name="round"),
        Index("ix_assignments_department_state", "department_id", "state"),
        # the live assignments (sweep, overdue), a unit's view
        Index("ix_assignments_state_reply_due", "state", "reply_due"),
        Index("ix_assignments_department_proposal", "department_id", "proposal_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    role: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(24), default=AssignmentState.PENDING)
    round: Mapped[int] = mapped_column(default=1)  # 2 after an unsatisfied rating (重新办理)
    assigned_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accept_due: Mapped[date]
    contact_due: Mapped[date]
    opinion_due: Mapped[date | None]
    round_started_on: Mapped[date]
    reply_due: Mapped[date] = mapped_column(index=True)
    extended_to: Mapped[date | None]
    reassignment_reason: Mapped[str | None] = mapped_column(Text)
    reassigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    follow_up_open: Mapped[bool] = mapped_column(default=False)  # 跟踪办理 for B
    closed_at: Mapped[datetime | None]
    # joint assignment (联合交办): the supervising office's confirmation
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": version}

    # relationships that are not joined raise instead of loading lazily: see
    # proposals.workflow.queries.assignment_children() and its callers
    proposal: Mapped[Proposal] = relationship(back_populates="assignments", lazy="raise_on_sql")
    department: Mapped[Department] = relationship(lazy="joined")
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="assignment", order_by="Contact.id", lazy="raise_on_sql"
    )
    opinion: Mapped["Opinion | None"] = relationship(
        back_populates="assignment", lazy="raise_on_sql"
    )
    extension_requests: Mapped[list["ExtensionRequest"]] = relationship(
        back_populates="assignment", order_by="ExtensionRequest.id", lazy="raise_on_sql"
    )
    replies: Mapped[list["Reply"]] = relationship(
        back_populates="assignment", order_by="Reply.id", lazy="raise_on_sql"
    )
    follow_ups: Mapped[list["FollowUp"]] = relationship(
        back_populates="assignment", order_by="FollowUp.id", lazy="raise_on_sql"
    )

    @property
    def effective_due(self):
        return self.extended_to or self.reply_due

    def is_overdue(self, today):
        return (
            self.state
            in (AssignmentState.HANDLING, AssignmentState.REHANDLING, AssignmentState.PENDING)
            and self.role != "co"
            and today > self.effective_due
        )

    def belongs_to(self, user):
        return user is not None and user.department_id == self.department_id


class Contact(db.Model):
    """办前沟通: a contact between the unit and the proposer."""

    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    mode: Mapped[str] = mapped_column(String(16))
    day: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="contacts", lazy="raise_on_sql")


class Opinion(db.Model):
    """A co-unit's written opinion (会办意见) to the lead unit."""

    __tablename__ = "opinions"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="opinion", lazy="raise_on_sql")


class ExtensionRequest(db.Model):
    __tablename__ = "extension_requests"
    __table_args__ = (
        UniqueConstraint("assignment_id", "round"),  # one extension per round
        CheckConstraint("state IN ('pending', 'approved', 'refused')", name="state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"))
    round: Mapped[int]
    until: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    assignment: Mapped[Assignment] = relationship(
        back_populates="extension_requests", lazy="raise_on_sql"
    )


class Reply(db.Model):
    """A unit's reply (答复): drafted, signed off (签发), reviewed (审核), delivered, rated."""

    __tablename__ = "replies"
    __table_args__ = (
        CheckConstraint(f"state IN {tuple(s.value for s in ReplyState)!r}", name="state"),
        CheckConstraint("result <> 'B' OR promised_date IS NOT NULL", name="b_has_promised_date"),
        Index("ix_replies_state_rating_due", "state", "rating_due"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    round: Mapped[int]
    state: Mapped[str] = mapped_column(String(24))
    result: Mapped[str] = mapped_column(String(4))
    text: Mapped[str] = mapped_column(Text)
    signer: Mapped[str] = mapped_column(String(80))  # 签发领导
    contact: Mapped[str] = mapped_column(String(120))  # 联系人及电话
    promised_date: Mapped[date | None]
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_off_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    office_reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    office_reviewed_at: Mapped[datetime | None]
    return_comment: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    # the assignment's (extended) reply deadline when the reply was delivered: on time or late
    due_on: Mapped[date | None]
    rating_due: Mapped[date | None]

    __mapper_args__ = {"version_id_col": version}

    assignment: Mapped[Assignment] = relationship(back_populates="replies", lazy="raise_on_sql")
    ratings: Mapped[list["Rating"]] = relationship(
        back_populates="reply", order_by="Rating.id", lazy="raise_on_sql"
    )

    @property
    def primary_rating(self):
        return next((r for r in self.ratings if r.is_primary), None)


RATING_SOURCES = ("online", "paper")  # paper: the opinion form, entered by the secretariat


class Rating(db.Model):
    """满意度测评. The first proposer's rating (is_primary) moves the workflow; proposers of a
    proposal merged into this one may rate the same reply too."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("reply_id", "rater_id"),
        CheckConstraint(
            "rating IN ('satisfied', 'basically_satisfied', 'unsatisfied')", name="rating"
        ),
        CheckConstraint(f"source IN {RATING_SOURCES!r}", name="source"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("replies.id"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    is_primary: Mapped[bool] = mapped_column(default=True)
    rating: Mapped[str] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(8), default="online")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # paper ratings

    reply: Mapped[Reply] = relationship(back_populates="ratings", lazy="raise_on_sql")
    rater: Mapped[User] = relationship(foreign_keys=[rater_id], lazy="joined")


class FollowUp(db.Model):
    """跟踪办理: progress on a B-class reply until the unit reports it done."""

    __tablename__ = "follow_ups"
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="follow_ups", lazy="raise_on_sql")
