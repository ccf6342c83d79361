"""In-app notifications (提醒、催办) and their deliveries by e-mail and SMS."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User, utcnow
from ..extensions import db

DELIVERY_STATES = ("pending", "sending", "sent", "failed", "dead")


class Notification(db.Model):
    """One reminder or event to one person.

    A reminder (made by the sweep) has a deadline, and (recipient, kind, record, deadline) is
    unique, so however often the sweep runs, or overlaps itself, each reminder exists once. An
    event (made with the action that caused it, events.py) has no deadline and is never a
    duplicate of another: the database treats the empty deadlines as distinct. ``short_text``
    is the event's text for an SMS (60 characters at most, no title)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint(
            "recipient_id",
            "kind",
            "record_type",
            "record_id",
            "deadline",
            name="uq_notifications_identity",
        ),
        Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str] = mapped_column(String(20))  # proposal, assignment, reply, digest
    record_id: Mapped[int]
    deadline: Mapped[date | None]
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    text: Mapped[str] = mapped_column(Text)
    short_text: Mapped[str | None] = mapped_column(String(200))
    link: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    recipient: Mapped[User] = relationship(lazy="joined")
    deliveries: Mapped[list["Delivery"]] = relationship(
        back_populates="notification", order_by="Delivery.id", lazy="raise_on_sql"
    )


class Delivery(db.Model):
    """Sending one notification through one channel; every attempt's outcome is kept here."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel", name="uq_deliveries_once"),
        CheckConstraint(f"status IN {DELIVERY_STATES!r}", name="status"),
        Index("ix_deliveries_status_next", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]  # last handed to the queue
    claimed_at: Mapped[datetime | None]  # a sender took it (a lease: see delivery.py)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    notification: Mapped[Notification] = relationship(
        back_populates="deliveries", lazy="raise_on_sql"
    )


class NotificationPreference(db.Model):
    """A person's choices (preferences.py): the channels per kind of notification (a kind not
    listed takes the committee's default), the SMS quiet period (None: the committee's) and
    the daily digest instead of single e-mails."""

    __tablename__ = "notification_preferences"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kinds: Mapped[dict] = mapped_column(JSON, default=dict)  # kind -> [channel, …]
    sms_quiet_start: Mapped[str | None] = mapped_column(String(5))  # "22:00"
    sms_quiet_end: Mapped[str | None] = mapped_column(String(5))
    digest: Mapped[bool] = mapped_column(default=False)


class JobRun(db.Model):
    """When a periodic job last ran (the admin is warned when the sweep falls behind)."""

    __tablename__ = "job_runs"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_started_at: Mapped[datetime | None]
    last_finished_at: Mapped[datetime | None]
    last_result: Mapped[str | None] = mapped_column(Text)
