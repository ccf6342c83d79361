"""The committee's reference data: sessions, categories, not-filed reasons, settings, holidays."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..accounts.models import utcnow
from ..extensions import db
from ..i18n import N_, _, current_language

DISPOSITIONS = ("opinion", "letter", "social_info", "none")
DISPOSITION_LABELS = {
    "opinion": N_("转为意见建议"),
    "letter": N_("转为委员来信"),
    "social_info": N_("转为社情民意信息"),
    "none": N_("不作转交"),
}  # msgids: _(label) where shown

CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n):
    """1 → 一, 10 → 十, 13 → 十三, 21 → 二十一 (enough for 届 and 次)."""
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (
        (CHINESE_DIGITS[tens] if tens > 1 else "") + "十" + (CHINESE_DIGITS[ones] if ones else "")
    )


def session_label(term, meeting):
    """第十届第三次会议 (Chinese numerals in Chinese)."""
    if current_language() == "zh":
        return f"第{chinese_number(term)}届第{chinese_number(meeting)}次会议"
    return _("第%(term)d届第%(meeting)d次会议", term=term, meeting=meeting)


class CommitteeSession(db.Model):
    """A session of the committee (届次 and 会次), e.g. 第十届第三次会议, with its plenary
    window (大会会期) and its collection window (征集期), which contains the plenary: a proposal
    received within the collection window is a plenary proposal (大会提案). Made by
    committee/service.py create_session, which gives the window its default."""

    __tablename__ = "committee_sessions"
    __table_args__ = (
        UniqueConstraint("term", "meeting"),
        CheckConstraint("plenary_end >= plenary_start", name="plenary_window"),
        CheckConstraint(
            "collection_start <= plenary_start AND collection_end >= plenary_end",
            name="collection_window",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[int]  # 届
    meeting: Mapped[int]  # 次
    year: Mapped[int] = mapped_column(index=True)
    plenary_start: Mapped[date]
    plenary_end: Mapped[date]
    collection_start: Mapped[date]
    collection_end: Mapped[date]
    is_current: Mapped[bool] = mapped_column(default=False)

    @property
    def label(self):
        return session_label(self.term, self.meeting)

    def in_collection_window(self, day):
        """Whether a proposal received on ``day`` (a date in Beijing time) is a plenary
        proposal (大会提案) rather than one between sessions (平时提案)."""
        return self.collection_start <= day <= self.collection_end


class Category(db.Model):
    __tablename__ = "categories"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


class NotFiledReason(db.Model):
    __tablename__ = "not_filed_reasons"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)


class Setting(db.Model):
    """A committee setting changed from its default (defaults live in committee/settings.py)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Holiday(db.Model):
    """An admin-kept calendar day for years the official calendar package does not know yet:
    a holiday on a weekday (is_workday false) or a make-up working day on a weekend (true)."""

    __tablename__ = "holidays"
    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str] = mapped_column(String(60), default="")


class Counter(db.Model):
    """Per-session sequences: proposal numbers (kind 'number') and receipt serials ('receipt').

    Taken with a single UPDATE … RETURNING, which row-locks on PostgreSQL and runs under the
    write lock on SQLite, so concurrent filings get distinct consecutive numbers; a rolled-back
    filing gives its number back, so numbers stay consecutive and are never reused."""

    __tablename__ = "counters"
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_sessions.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
