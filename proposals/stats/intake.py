"""Intake (收到、立案): the counted proposals with their bucket as of the date, and the figures
over them (buckets, kinds, categories, sectors, participation)."""
from datetime import date

from sqlalchemy import and_, case, func, select, union

from ..accounts.models import ORG_TYPES, User
from ..committee.models import DISPOSITIONS, Category
from ..extensions import db
from ..workflow.models import KINDS, Cosigner, HistoryEntry, Proposal, ReviewDecision
from .period import local_midnight
from .sql import conditional_sum, flag, latest, rate

FILED_STATES = ("filed", "assigned", "closed")
BUCKETS = ("filed", "merged", "not_filed", "withdrawn", "pending")


def received_proposals(w):
    """One row per counted proposal with its bucket as of the date (a subquery)."""
    decided = (ReviewDecision.proposal_id == Proposal.id, ReviewDecision.created_at < w.end)
    withdrawn = select(HistoryEntry.id).where(
        HistoryEntry.proposal_id == Proposal.id, HistoryEntry.action == "withdraw",
        HistoryEntry.created_at < w.end).exists()
    reviewed = select(ReviewDecision.id).where(ReviewDecision.proposal_id == Proposal.id).exists()
    facts = (select(Proposal.id, Proposal.proposer_id, Proposal.kind, Proposal.category_id,
                    Proposal.submitted_at, Proposal.number, Proposal.title, Proposal.is_key,
                    Proposal.supervisor_id, Proposal.closed_at, Proposal.state,
                    Proposal.filed_at, Proposal.not_filed_disposition,
                    latest(ReviewDecision.decision, *decided, order_by=ReviewDecision.id)
                    .label("decision"),
                    latest(ReviewDecision.created_at, *decided, order_by=ReviewDecision.id)
                    .label("decided_at"),
                    latest(ReviewDecision.disposition, *decided, order_by=ReviewDecision.id)
                    .label("decided_disposition"),
                    # only withdrawn proposals need the history lookup (CASE stops early)
                    case((and_(Proposal.state == "withdrawn", withdrawn), 1), else_=0)
                    .label("withdrawn"),
                    flag(reviewed).label("reviewed"))
             .where(Proposal.submitted_at.is_not(None), Proposal.submitted_at < w.end))
    if w.kind == "session":
        facts = facts.where(Proposal.session_id == w.session_id)
    else:
        facts = facts.where(Proposal.submitted_at >= local_midnight(date(w.year, 1, 1)),
                            Proposal.submitted_at < w.year_end)
    f = facts.offset(0).subquery("proposal_facts")  # OFFSET 0: computed once, not inlined
    unreviewed = f.c.reviewed == 0  # rows made without review decisions (imported)
    status = case(
        (f.c.withdrawn == 1, "withdrawn"),
        (f.c.decision == "file", "filed"),
        (f.c.decision == "not_file", "not_filed"),
        (f.c.decision == "merge", "merged"),
        # returned on this submission: back with its proposer, a draft again
        (and_(f.c.decision == "return", f.c.decided_at >= f.c.submitted_at), "draft"),
        (and_(unreviewed, f.c.state.in_(FILED_STATES), f.c.filed_at < w.end), "filed"),
        (and_(unreviewed, f.c.state.in_(("not_filed", "merged"))), f.c.state),
        (and_(unreviewed, f.c.state == "draft"), "draft"),
        else_="pending")
    return (select(f.c.id, f.c.proposer_id, f.c.kind, f.c.category_id, f.c.submitted_at,
                   f.c.number, f.c.title, f.c.is_key, f.c.supervisor_id, f.c.closed_at,
                   status.label("status"),
                   func.coalesce(f.c.decided_disposition, f.c.not_filed_disposition, "none")
                   .label("disposition"))
            .where(status != "draft").subquery("received"))


def intake_summary(w, p):
    columns = [func.count().label("received")]
    columns += [conditional_sum(p.c.status == b).label(b) for b in BUCKETS]
    columns += [conditional_sum(and_(p.c.status == "not_filed", p.c.disposition == d)).label("d_" + d)
                for d in DISPOSITIONS]
    columns += [conditional_sum(p.c.kind == k).label("k_" + k) for k in KINDS]
    columns += [conditional_sum(and_(p.c.kind == "collective", User.org_type == t)).label("o_" + t)
                for t in ORG_TYPES]
    months = w.months()
    columns += [conditional_sum(and_(p.c.submitted_at >= start, p.c.submitted_at < end)).label(f"m{i}")
                for i, (_label, start, end) in enumerate(months)]
    row = db.session.execute(select(*columns).select_from(p).join(
        User, User.id == p.c.proposer_id)).one()._mapping
    received = int(row["received"])
    out = {"received": received, "filed": int(row["filed"]), "merged": int(row["merged"]),
           "not_filed": int(row["not_filed"]), "withdrawn": int(row["withdrawn"]),
           "pending_review": int(row["pending"])}
    out["filing_rate"] = rate(out["filed"], received)
    out["not_filed_by_disposition"] = {d: int(row["d_" + d]) for d in DISPOSITIONS}
    out["by_kind"] = {k: int(row["k_" + k]) for k in KINDS}
    out["collective_by_org_type"] = {t: int(row["o_" + t]) for t in ORG_TYPES}
    out["_received_by_month"] = [(label, int(row[f"m{i}"]))
                                 for i, (label, _s, _e) in enumerate(months)]
    return out


def by_category(p):
    counts = {cid: (int(n), int(f)) for cid, n, f in db.session.execute(
        select(p.c.category_id, func.count(), conditional_sum(p.c.status == "filed"))
        .group_by(p.c.category_id))}
    out = []
    for cid, code, name, active in db.session.execute(
            select(Category.id, Category.code, Category.name, Category.active)
            .order_by(Category.id)):
        if active or cid in counts:
            received, filed = counts.get(cid, (0, 0))
            out.append({"code": code, "name": name, "received": received, "filed": filed})
    return out


def by_sector(p):
    rows = db.session.execute(select(User.sector, func.count()).select_from(p)
                              .join(User, User.id == p.c.proposer_id).group_by(User.sector))
    out = [{"sector": sector or None, "received": int(n)} for sector, n in rows]
    # most proposals first; proposers without a sector last among equals
    return sorted(out, key=lambda r: (-r["received"], r["sector"] is None, r["sector"] or ""))


def participation(w, p):
    member = and_(User.role == "member", User.org_type.is_(None), User.active)
    takers = union(
        select(p.c.proposer_id.label("uid")),
        select(Cosigner.user_id.label("uid")).where(
            Cosigner.proposal_id.in_(select(p.c.id)), Cosigner.state == "accepted",
            Cosigner.responded_at < w.end)).subquery("takers")
    members = select(func.count()).select_from(takers).where(
        takers.c.uid.in_(select(User.id).where(member))).scalar_subquery()
    active = select(func.count()).select_from(User).where(member).scalar_subquery()
    taking, active = db.session.execute(select(members, active)).one()
    return {"members": int(taking), "active_members": int(active),
            "rate": rate(int(taking), int(active))}
