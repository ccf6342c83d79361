"""An uploaded 交办方案 sheet: its checked rows and errors, kept until it is applied."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User, utcnow
from ..extensions import db


class AssignmentPlan(db.Model):
    __tablename__ = "assignment_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    # the rows as read and checked: [{"row", "proposal_id", "number", "lead", "co", "split",
    # "due_date"}], and [{"row", "message"}]; a plan with errors is never applied
    rows: Mapped[list] = mapped_column(JSON, default=list)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime | None]

    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
