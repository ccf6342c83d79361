"""Handling (办理): the unit-items of the filed proposals with their state as of the date, and
the figures over them (per unit and in total, replied proposals, months, key proposals)."""
from datetime import timezone

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import aliased

from ..accounts.models import Department, User
from ..extensions import db
from ..handling.models import RATINGS, Assignment, ExtensionRequest, Rating, Reply
from ..i18n import _
from .sql import conditional_sum, end_of_local_day, flag, latest, rate

RATING_ORDER = ("unsatisfied", "basically_satisfied", "satisfied")  # worst first


def unit_items(w, p, *, key_only=False):
    """One row per unit-item of the filed proposals, with its state as of the date. Each fact
    is an index lookup per item (correlated subqueries), so the work grows with the items
    whatever plan the database picks."""
    a = Assignment
    delivered = (Reply.assignment_id == a.id, Reply.delivered_at < w.end)
    approved = (ExtensionRequest.assignment_id == a.id, ExtensionRequest.state == "approved",
                ExtensionRequest.decided_at < w.end)

    def count(*conditions):
        return select(func.count(Reply.id)).where(*delivered, *conditions).scalar_subquery()

    def reply_id(round_):
        return (select(func.max(Reply.id)).where(*delivered, Reply.round == round_)
                .correlate(a).scalar_subquery())  # two levels down: correlate explicitly

    def rating(round_):
        # the primary rating of the round's delivered reply (each round delivers one reply;
        # each reply has at most one rating from the first proposer): index lookups only
        return (select(Rating.rating).where(Rating.reply_id == reply_id(round_),
                                            Rating.is_primary, Rating.created_at < w.end)
                .order_by(Rating.id.desc()).limit(1).scalar_subquery())

    def extension(round_):
        return (select(func.max(ExtensionRequest.until))
                .where(*approved, ExtensionRequest.round == round_).scalar_subquery())

    received = and_(p.c.id == a.proposal_id, p.c.status == "filed")
    if key_only:
        received = and_(received, p.c.is_key)
    reassigned = and_(a.state == "reassigned", func.coalesce(a.closed_at, a.assigned_at) < w.end)
    f = (select(
        a.id, a.proposal_id, a.department_id, a.role, a.round, a.reply_due, a.accepted_at,
        count().label("delivered"),
        count(Reply.delivered_at < end_of_local_day(Reply.due_on)).label("on_time"),
        count(Reply.round == 2).label("delivered_r2"),
        count(Reply.delivered_at < w.year_end).label("by_year_end"),
        latest(Reply.result, *delivered, order_by=Reply.id).label("result"),
        latest(Reply.rating_due, *delivered, order_by=Reply.id).label("rating_due"),
        rating(1).label("rating_r1"), rating(2).label("rating_r2"),
        extension(1).label("until_r1"), extension(2).label("until_r2"),
        # the first round's deadline once the item is in its second round (kept on its reply)
        case((a.round == 2, select(func.max(Reply.due_on)).where(
            Reply.assignment_id == a.id, Reply.round == 1, Reply.delivered_at.is_not(None))
            .scalar_subquery()), else_=a.reply_due).label("due_r1"))
        .select_from(a).join(p, received)
        .where(a.assigned_at < w.end, ~reassigned)
        .offset(0).subquery("item_facts"))  # OFFSET 0: each lookup once, not inlined
    today = literal(w.as_of)
    due_r1 = func.coalesce(f.c.until_r1, f.c.due_r1)
    due_r2 = func.coalesce(f.c.until_r2, f.c.reply_due)
    waiting_r2 = and_(f.c.rating_r1 == "unsatisfied", f.c.delivered_r2 == 0)
    latest_rating = func.coalesce(f.c.rating_r2, f.c.rating_r1)
    overdue = case((f.c.role == "co", 0),
                   (and_(f.c.delivered == 0, due_r1 < today), 1),
                   (and_(waiting_r2, due_r2 < today), 1), else_=0)
    return select(
        f.c.id, f.c.proposal_id, f.c.department_id, f.c.role,
        case((f.c.role == "co", 0), else_=1).label("required"),
        flag(f.c.accepted_at < w.end).label("accepted"),
        f.c.delivered, f.c.on_time, f.c.by_year_end, f.c.result, latest_rating.label("rating"),
        flag(and_(f.c.delivered > 0, latest_rating.is_(None), f.c.rating_due >= today))
        .label("awaiting_rating"),
        flag(or_(f.c.until_r1.is_not(None), f.c.until_r2.is_not(None))).label("extended"),
        overdue.label("overdue")).subquery("items")


def handling_summary(w, i, codes):
    """Units, unit-items, replies, results and satisfaction, per unit and in total."""
    replied = and_(i.c.required == 1, i.c.delivered > 0)
    columns = [i.c.department_id, func.count().label("assigned"),
               conditional_sum(i.c.role == "co").label("co"), conditional_sum(i.c.required == 1).label("required"),
               func.coalesce(func.sum(i.c.accepted), 0).label("accepted"),
               conditional_sum(replied).label("replied"),
               func.coalesce(func.sum(i.c.delivered), 0).label("replies"),
               func.coalesce(func.sum(i.c.on_time), 0).label("on_time"),
               func.coalesce(func.sum(i.c.overdue), 0).label("overdue"),
               func.coalesce(func.sum(i.c.extended), 0).label("extended"),
               conditional_sum(and_(replied, i.c.rating.is_(None))).label("unrated"),
               func.coalesce(func.sum(i.c.awaiting_rating), 0).label("awaiting_rating")]
    columns += [conditional_sum(i.c.result == code).label(f"r{n}") for n, code in enumerate(codes)]
    columns += [conditional_sum(i.c.rating == r).label(r) for r in RATINGS]
    rows = db.session.execute(select(*columns).group_by(i.c.department_id)).all()
    units = {d: (code, name) for d, code, name in db.session.execute(
        select(Department.id, Department.code, Department.name))}
    keys = ("assigned", "co", "required", "accepted", "replied", "replies", "on_time", "overdue",
            "extended", "unrated", "awaiting_rating", *RATINGS)
    total = dict.fromkeys(keys, 0)
    results_total = dict.fromkeys(codes, 0)
    by_department = []
    for row in rows:
        m = {k: int(row._mapping[k]) for k in keys}
        results = {code: int(row._mapping[f"r{n}"]) for n, code in enumerate(codes)}
        for k in keys:
            total[k] += m[k]
        for code in codes:
            results_total[code] += results[code]
        code, name = units[row.department_id]
        rated = sum(m[r] for r in RATINGS)
        by_department.append({
            "code": code, "name": name, "assigned": m["assigned"], "co_handled": m["co"],
            "accepted": m["accepted"], "replied": m["replied"],
            "replies_delivered": m["replies"], "on_time": m["on_time"],
            "overdue": m["overdue"], "extended": m["extended"], "results": results,
            "rated": rated, "satisfied": m["satisfied"],
            "basically_satisfied": m["basically_satisfied"], "unsatisfied": m["unsatisfied"],
            "unrated": m["unrated"],
            "satisfaction_rate": rate(m["satisfied"] + m["basically_satisfied"], rated),
            "on_time_rate": rate(m["on_time"], m["replies"])})
    by_department.sort(key=lambda u: u["code"])
    rated = sum(total[r] for r in RATINGS)
    return {
        "units_involved": len(by_department), "assignment_items": total["assigned"],
        "co_handling_items": total["co"], "reply_items": total["required"],
        "accepted_items": total["accepted"], "replied_items": total["replied"],
        "overdue_items": total["overdue"], "extended_items": total["extended"],
        "replies_delivered": total["replies"], "replies_on_time": total["on_time"],
        "on_time_rate": rate(total["on_time"], total["replies"]),
        "results": results_total,
        "satisfaction": {
            "satisfied": total["satisfied"], "basically_satisfied": total["basically_satisfied"],
            "unsatisfied": total["unsatisfied"], "unrated": total["unrated"],
            "awaiting_rating": total["awaiting_rating"], "rated": rated,
            "rate": rate(total["satisfied"] + total["basically_satisfied"], rated),
            "strict_rate": rate(total["satisfied"], rated)},
        "by_department": by_department}


def replied_proposals(i):
    """Filed proposals all of whose items owing a reply had one delivered: by the date, and by
    the end of the period's year (for the headline)."""
    per = (select(i.c.proposal_id, func.sum(i.c.required).label("owed"),
                  conditional_sum(and_(i.c.required == 1, i.c.delivered > 0)).label("replied"),
                  conditional_sum(and_(i.c.required == 1, i.c.by_year_end > 0)).label("by_year_end"))
           .group_by(i.c.proposal_id).subquery("per_proposal"))
    row = db.session.execute(select(
        conditional_sum(and_(per.c.owed > 0, per.c.replied == per.c.owed)),
        conditional_sum(and_(per.c.owed > 0, per.c.by_year_end == per.c.owed)))).one()
    return int(row[0]), int(row[1])


def monthly(w, i, received_by_month):
    months = w.months()
    row = db.session.execute(
        select(*[conditional_sum(and_(Reply.delivered_at >= start, Reply.delivered_at < end))
                 for _label, start, end in months])
        .where(Reply.assignment_id.in_(select(i.c.id)), Reply.delivered_at < w.end)).one()
    return [{"month": label, "received": received, "replies_delivered": int(row[n])}
            for n, (label, received) in enumerate(received_by_month)]


def key_proposals(w, p):
    """重点提案 among the counted proposals, with their progress as of the date."""
    supervisor = aliased(User, name="supervisor")
    out = [{"id": r.id, "number_label": _("第%(n)s号", n="%04d" % r.number) if r.number else None,
            "title": r.title, "supervisor": r.supervisor, "units": [], "items": [],
            "state": r.status, "replied": False, "overdue": False, "rating": None,
            "_closed": r.closed_at is not None and _utc(r.closed_at) < w.end}
           for r in db.session.execute(
               select(p.c.id, p.c.number, p.c.title, p.c.status, p.c.closed_at,
                      supervisor.name.label("supervisor"))
               .outerjoin(supervisor, supervisor.id == p.c.supervisor_id)
               .where(p.c.is_key)
               .order_by(p.c.number.is_(None), p.c.number, p.c.id))]
    by_id = {entry["id"]: entry for entry in out}
    i = unit_items(w, p, key_only=True)
    for r in db.session.execute(
            select(i.c.proposal_id, i.c.role, i.c.required, i.c.delivered, i.c.overdue,
                   i.c.rating, i.c.result, Department.code, Department.name)
            .join(Department, Department.id == i.c.department_id).order_by(i.c.id)):
        entry = by_id[r.proposal_id]
        entry["units"].append(r.name)
        entry["items"].append({"code": r.code, "name": r.name, "role": r.role,
                               "replied": bool(r.required and r.delivered),
                               "overdue": bool(r.overdue), "result": r.result,
                               "rating": r.rating})
    for entry in out:
        owed = [x for x in entry["items"] if x["role"] != "co"]
        closed = entry.pop("_closed")
        if entry["state"] == "filed":
            entry["state"] = "closed" if closed else "assigned" if entry["items"] else "filed"
        entry["replied"] = bool(owed) and all(x["replied"] for x in owed)
        entry["overdue"] = any(x["overdue"] for x in owed)
        ratings = [x["rating"] for x in owed if x["rating"]]
        # the least satisfied of its items' latest ratings: a summary that hides no complaint
        entry["rating"] = min(ratings, key=RATING_ORDER.index) if ratings else None
    return out


def _utc(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
