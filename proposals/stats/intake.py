"""Intake (收到、立案): the counted proposals with their bucket as of the date, and the figures
over them (buckets, kinds, categories, sectors, participation)."""

from sqlalchemy import and_, case, func, select, union

from ..accounts.models import ORG_TYPES, User
from ..committee.models import DISPOSITIONS, Category
from ..workflow.models import KINDS, Cosigner, HistoryEntry, Proposal, ReviewDecision
from .sql import Section, conditional_sum, flag, rate

FILED_STATES = ("filed", "assigned", "closed")
BUCKETS = ("filed", "merged", "not_filed", "withdrawn", "pending")


def received_proposals(w):
    """One row per counted proposal with its bucket as of the date (a subquery)."""
    return received_select(w).subquery("received")


def received_select(w):
    """The SELECT of :func:`received_proposals` (annual_figures makes it a CTE).

    The shape of bench/sql/annual.sql: each proposal's bucket from ONE index lookup of its
    latest decision by the date (a correlated scalar subquery, never hashed over the whole
    table); the history and the earlier decisions are looked up only for the few proposals
    that need them (a CASE stops at its first true branch)."""
    d = ReviewDecision
    by_date = (d.proposal_id == Proposal.id, d.created_at < w.end)
    decided = (
        select(
            case(
                (d.decision == "file", "filed"),
                (d.decision == "not_file", "not_filed"),
                (d.decision == "merge", "merged"),
                # returned on this submission: back with its proposer, a draft again
                (and_(d.decision == "return", d.created_at >= Proposal.submitted_at), "draft"),
                else_="pending",
            )
        )
        .where(*by_date)
        .order_by(d.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # scalar lookups (LIMIT 1), not EXISTS: PostgreSQL would hash an EXISTS over all the history
    withdrawn = (
        select(HistoryEntry.id)
        .where(
            HistoryEntry.proposal_id == Proposal.id,
            HistoryEntry.action == "withdraw",
            HistoryEntry.created_at < w.end,
        )
        .limit(1)
        .scalar_subquery()
    )
    reviewed = select(d.id).where(d.proposal_id == Proposal.id).limit(1).scalar_subquery()
    unreviewed = case(  # rows made without review decisions (imported)
        (and_(Proposal.state.in_(FILED_STATES), Proposal.filed_at < w.end), "filed"),
        (Proposal.state.in_(("not_filed", "merged")), Proposal.state),
        (Proposal.state == "draft", "draft"),
        else_="pending",
    )
    status = case(
        (and_(Proposal.state == "withdrawn", withdrawn.is_not(None)), "withdrawn"),
        else_=func.coalesce(decided, case((reviewed.is_(None), unreviewed), else_="pending")),
    )
    facts = select(
        Proposal.id,
        Proposal.proposer_id,
        Proposal.kind,
        Proposal.category_id,
        Proposal.submitted_at,
        Proposal.number,
        Proposal.title,
        Proposal.is_key,
        Proposal.supervisor_id,
        Proposal.closed_at,
        Proposal.session_id,
        Proposal.not_filed_disposition,
        status.label("status"),
    ).where(Proposal.submitted_at.is_not(None), Proposal.submitted_at < w.end)
    if w.kind == "session":
        facts = facts.where(Proposal.session_id == w.session_id)
    else:
        facts = facts.where(
            Proposal.submitted_at >= w.year_start, Proposal.submitted_at < w.year_end
        )
    f = facts.offset(0).subquery("proposal_facts")  # OFFSET 0: computed once, not inlined
    # the latest decision's disposition: looked up only for the proposals not filed
    disposition = (
        select(d.disposition)
        .where(d.proposal_id == f.c.id, d.created_at < w.end)
        .order_by(d.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(
        f.c.id,
        f.c.proposer_id,
        f.c.kind,
        f.c.category_id,
        f.c.submitted_at,
        f.c.number,
        f.c.title,
        f.c.is_key,
        f.c.supervisor_id,
        f.c.closed_at,
        f.c.session_id,
        f.c.status,
        case(
            (
                f.c.status == "not_filed",
                func.coalesce(disposition, f.c.not_filed_disposition, "none"),
            ),
            else_="none",
        ).label("disposition"),
    ).where(f.c.status != "draft")


def intake_section(w, p):
    """Buckets, dispositions, kinds, organisation types and months (one row)."""
    columns = [func.count()]
    columns += [conditional_sum(p.c.status == b) for b in BUCKETS]
    columns += [
        conditional_sum(and_(p.c.status == "not_filed", p.c.disposition == d)) for d in DISPOSITIONS
    ]
    columns += [conditional_sum(p.c.kind == k) for k in KINDS]
    columns += [
        conditional_sum(and_(p.c.kind == "collective", User.org_type == t)) for t in ORG_TYPES
    ]
    columns += [
        conditional_sum(and_(p.c.submitted_at >= start, p.c.submitted_at < end))
        for _label, start, end in w.months()
    ]
    return Section(
        "intake",
        ints=columns,
        shape=lambda s: s.select_from(p).join(User, User.id == p.c.proposer_id),
    )


def intake_summary(w, rows):
    values = iter(int(v) for v in rows[0].ints)
    received = next(values)
    buckets = {b: next(values) for b in BUCKETS}
    out = {
        "received": received,
        "filed": buckets["filed"],
        "merged": buckets["merged"],
        "not_filed": buckets["not_filed"],
        "withdrawn": buckets["withdrawn"],
        "pending_review": buckets["pending"],
    }
    out["filing_rate"] = rate(out["filed"], received)
    out["not_filed_by_disposition"] = {d: next(values) for d in DISPOSITIONS}
    out["by_kind"] = {k: next(values) for k in KINDS}
    out["collective_by_org_type"] = {t: next(values) for t in ORG_TYPES}
    out["_received_by_month"] = [(label, next(values)) for label, _s, _e in w.months()]
    return out


def category_section(p):
    """Every category with its received and filed proposals (one row per category)."""
    counts = (
        select(
            p.c.category_id,
            func.count().label("received"),
            conditional_sum(p.c.status == "filed").label("filed"),
        )
        .group_by(p.c.category_id)
        .subquery("category_counts")
    )
    return Section(
        "category",
        key=Category.id,
        texts=[Category.code, Category.name],
        ints=[
            flag(Category.active),
            func.coalesce(counts.c.received, 0),
            func.coalesce(counts.c.filed, 0),
        ],
        shape=lambda s: s.select_from(Category).outerjoin(
            counts, counts.c.category_id == Category.id
        ),
    )


def by_category(rows):
    out = []
    for r in sorted(rows, key=lambda r: r.k):
        active, received, filed = (int(v) for v in r.ints[:3])
        if active or received:
            out.append(
                {"code": r.texts[0], "name": r.texts[1], "received": received, "filed": filed}
            )
    return out


def sector_section(p):
    return Section(
        "sector",
        texts=[User.sector],
        ints=[func.count()],
        shape=lambda s: (
            s.select_from(p).join(User, User.id == p.c.proposer_id).group_by(User.sector)
        ),
    )


def by_sector(rows):
    out = [{"sector": r.texts[0] or None, "received": int(r.ints[0])} for r in rows]
    # most proposals first; proposers without a sector last among equals
    return sorted(out, key=lambda r: (-r["received"], r["sector"] is None, r["sector"] or ""))


# who takes part (docs/domain.md participation): an active individual member
ACTIVE_MEMBER = and_(User.role == "member", User.org_type.is_(None), User.active)


def participation_section(w, p):
    takers = union(
        select(p.c.proposer_id.label("uid")),
        select(Cosigner.user_id.label("uid")).where(
            Cosigner.proposal_id.in_(select(p.c.id)),
            Cosigner.state == "accepted",
            Cosigner.responded_at < w.end,
        ),
    ).subquery("takers")
    members = (
        select(func.count())
        .select_from(takers)
        .where(takers.c.uid.in_(select(User.id).where(ACTIVE_MEMBER)))
        .scalar_subquery()
    )
    active = select(func.count()).select_from(User).where(ACTIVE_MEMBER).scalar_subquery()
    return Section("participation", ints=[members, active])


def participation(rows):
    taking, active = (int(v) for v in rows[0].ints[:2])
    return {"members": taking, "active_members": active, "rate": rate(taking, active)}
