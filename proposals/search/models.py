"""The search index: one document row per proposal, one posting per (term, proposal).

``weight`` is the term's BM25 term-frequency part, computed when the proposal is indexed
(title occurrences count TITLE_WEIGHT times, delivered replies REPLY_WEIGHT), so that a query
only has to multiply by each term's idf and sum: see query.py."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..accounts.models import utcnow
from ..extensions import db


class SearchDocument(db.Model):
    __tablename__ = "search_documents"
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    length: Mapped[float] = mapped_column(Float)  # weighted number of terms
    indexed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchPosting(db.Model):
    __tablename__ = "search_postings"
    __table_args__ = (
        Index("ix_search_postings_proposal_id", "proposal_id"),
        {"sqlite_with_rowid": False},  # clustered on (term, proposal_id): one range per term
    )
    term: Mapped[str] = mapped_column(String(40), primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        Integer,
        ForeignKey("proposals.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    tf: Mapped[float] = mapped_column(Float)  # weighted occurrences
    weight: Mapped[float] = mapped_column(Float)  # BM25 tf part


from . import events  # noqa: E402,F401  (keeps the index in step with proposals and replies)
