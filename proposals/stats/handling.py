"""Handling (办理): the unit-items of the filed proposals with their state as of the date, and
the figures over them (per unit and in total, replied proposals, months, key proposals)."""

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from ..accounts.models import Department, User
from ..handling.models import RATINGS, Assignment, ExtensionRequest, Rating, Reply
from ..workflow.models import Cosigner, number_label
from ..workflow.states import CosignerState
from .sql import Section, conditional_sum, end_of_local_day, flag, rate

RATING_ORDER = ("unsatisfied", "basically_satisfied", "satisfied")  # worst first


def unit_items(w, p, rating_basis="first"):
    """One row per unit-item of the filed proposals, with its state as of the date: the items
    (a CTE) with their delivered replies aggregated in one GROUP BY, and an index
    lookup per item only for the ratings and the extensions of each round.

    Satisfaction is counted here and only here, by ``rating_basis`` (the setting rating_by):
    each item's ratings counted (``n_satisfied`` …), its ``rating`` (the least satisfied of
    them), ``unrated`` and ``awaiting_rating``. 'first': the latest rating of the first
    proposer, one per item at most. 'all': every proposer's rating (the first proposer's and
    the accepted co-signers', never a merged proposer's) of the item's latest reply that has
    any, so that an item may count several; unrated, as before, counts items."""
    a = Assignment
    received = and_(p.c.id == a.proposal_id, p.c.status == "filed")
    reassigned = and_(a.state == "reassigned", func.coalesce(a.closed_at, a.assigned_at) < w.end)
    base = (
        select(
            a.id,
            a.proposal_id,
            a.department_id,
            a.role,
            a.round,
            a.reply_due,
            a.accepted_at,
            p.c.is_key,
        )
        .select_from(a)
        .join(p, received)
        .where(a.assigned_at < w.end, ~reassigned)
        .cte("item_base")
        .prefix_with("MATERIALIZED")
    )
    r = Reply
    by = r.delivered_at < w.end

    def count(*conditions):
        return conditional_sum(and_(by, *conditions))

    def max_id(*conditions):
        return func.max(case((and_(by, *conditions), r.id)))

    # the items with their delivered replies aggregated (a LEFT JOIN from the items, an index
    # lookup of the replies per item, never a scan of every reply of every year); grouped by
    # every column of the item, so that this one relation carries the item on (joining the
    # aggregate back to the items by key made SQLite nest two scans without an index)
    item_columns = [
        base.c.id,
        base.c.proposal_id,
        base.c.department_id,
        base.c.role,
        base.c.round,
        base.c.reply_due,
        base.c.accepted_at,
        base.c.is_key,
    ]
    replies = (
        select(
            *item_columns,
            count().label("delivered"),
            count(r.delivered_at < end_of_local_day(r.due_on)).label("on_time"),
            count(r.round == 2).label("delivered_r2"),
            count(r.delivered_at < w.year_end).label("by_year_end"),
            max_id().label("last_id"),
            max_id(r.round == 1).label("r1_id"),
            max_id(r.round == 2).label("r2_id"),
            # the first round's deadline once the item is in its second round (kept on its reply)
            func.max(case((r.round == 1, r.due_on))).label("due_on_r1"),
        )
        .select_from(base)
        .outerjoin(r, and_(r.assignment_id == base.c.id, r.delivered_at.is_not(None)))
        .group_by(*item_columns)
        .subquery("item_replies")
    )
    last = aliased(Reply, name="last_reply")
    approved = (
        ExtensionRequest.assignment_id == replies.c.id,
        ExtensionRequest.state == "approved",
        ExtensionRequest.decided_at < w.end,
    )

    def rating(reply_id):
        # the primary rating of the round's delivered reply (each round delivers one reply;
        # each reply has at most one rating from the first proposer): an index lookup
        return (
            select(Rating.rating)
            .where(Rating.reply_id == reply_id, Rating.is_primary, Rating.created_at < w.end)
            .order_by(Rating.id.desc())
            .limit(1)
            .scalar_subquery()
        )

    def counted(reply_id, value):
        # the proposers' ratings of the reply with this value by the date: the first
        # proposer's and the accepted co-signers' (rating_by 'all'); an index lookup per reply
        cosigner = (
            select(Cosigner.id)
            .where(
                Cosigner.proposal_id == replies.c.proposal_id,
                Cosigner.user_id == Rating.rater_id,
                Cosigner.state == CosignerState.ACCEPTED,
            )
            .correlate_except(Cosigner)  # the item's proposal and the rating, two levels out
            .exists()
        )
        return (
            select(func.count())
            .select_from(Rating)
            .where(
                Rating.reply_id == reply_id,
                Rating.created_at < w.end,
                Rating.rating == value,
                or_(Rating.is_primary, cosigner),
            )
            .scalar_subquery()
        )

    every_rating = []
    if rating_basis == "all":
        every_rating = [
            counted(replies.c[f"r{n}_id"], value).label(f"r{n}_{value}")
            for n in (1, 2)
            for value in RATINGS
        ]

    def extension(round_):
        return (
            select(func.max(ExtensionRequest.until))
            .where(*approved, ExtensionRequest.round == round_)
            .scalar_subquery()
        )

    f = (
        select(
            replies.c.id,
            replies.c.proposal_id,
            replies.c.department_id,
            replies.c.role,
            replies.c.round,
            replies.c.reply_due,
            replies.c.accepted_at,
            replies.c.is_key,
            replies.c.delivered,
            replies.c.on_time,
            replies.c.delivered_r2,
            replies.c.by_year_end,
            last.result.label("result"),
            last.rating_due.label("rating_due"),
            rating(replies.c.r1_id).label("rating_r1"),
            rating(replies.c.r2_id).label("rating_r2"),
            *every_rating,
            extension(1).label("until_r1"),
            extension(2).label("until_r2"),
            case((replies.c.round == 2, replies.c.due_on_r1), else_=replies.c.reply_due).label(
                "due_r1"
            ),
        )
        .select_from(replies)
        .outerjoin(last, last.id == replies.c.last_id)
        .offset(0)
        .subquery("item_facts")
    )  # OFFSET 0: each lookup once, not inlined
    due_r1 = func.coalesce(f.c.until_r1, f.c.due_r1)
    due_r2 = func.coalesce(f.c.until_r2, f.c.reply_due)
    waiting_r2 = and_(f.c.rating_r1 == "unsatisfied", f.c.delivered_r2 == 0)
    latest_rating = func.coalesce(f.c.rating_r2, f.c.rating_r1)
    if rating_basis == "all":
        # the second reply's ratings once it has any, else the first's
        second = sum(f.c[f"r2_{v}"] for v in RATINGS) > 0
        counts = {v: case((second, f.c[f"r2_{v}"]), else_=f.c[f"r1_{v}"]) for v in RATINGS}
        rated = sum(counts.values()) > 0
        item_rating = case(
            *((counts[v] > 0, v) for v in RATING_ORDER), else_=None
        )  # the least satisfied: a summary that hides no complaint
    else:
        counts = {v: flag(latest_rating == v) for v in RATINGS}
        rated = latest_rating.is_not(None)
        item_rating = latest_rating
    # the deadline after which the item is overdue (the day after it, it is): the first
    # round's while it has no reply, the second's while a first reply rated unsatisfied waits
    # for it; none for a co-unit or an item with its reply
    overdue_after = case(
        (f.c.role == "co", None), (f.c.delivered == 0, due_r1), (waiting_r2, due_r2), else_=None
    )
    # the last day of the rating window of a replied item not rated (yet)
    awaiting_until = case((and_(f.c.delivered > 0, ~rated), f.c.rating_due), else_=None)
    owed = f.c.role != "co"  # a co-unit (会办) owes no reply of its own
    replied = and_(owed, f.c.delivered > 0)
    return select(
        f.c.id,
        f.c.proposal_id,
        f.c.department_id,
        f.c.role,
        f.c.is_key,
        flag(~owed).label("co"),
        flag(owed).label("required"),
        flag(f.c.accepted_at < w.end).label("accepted"),
        flag(replied).label("replied"),
        # an item replied on time: each of its replies delivered by the date was on time
        flag(and_(replied, f.c.on_time == f.c.delivered)).label("on_time_item"),
        flag(and_(replied, ~rated)).label("unrated"),
        f.c.delivered,
        f.c.on_time,
        f.c.by_year_end,
        f.c.result,
        item_rating.label("rating"),
        *(counts[v].label(f"n_{v}") for v in RATINGS),
        flag(awaiting_until >= w.as_of).label("awaiting_rating"),
        flag(or_(f.c.until_r1.is_not(None), f.c.until_r2.is_not(None))).label("extended"),
        flag(overdue_after < w.as_of).label("overdue"),
    )


UNIT_KEYS = (
    "assigned",
    "co",
    "required",
    "accepted",
    "replied",
    "replies",
    "on_time",
    "on_time_items",
    "overdue",
    "extended",
    "unrated",
    "awaiting_rating",
    *RATINGS,
)
# each unit figure but "assigned" and the ratings: the sum of this column of unit_items
ITEM_COLUMNS = {
    "co": "co",
    "required": "required",
    "accepted": "accepted",
    "replied": "replied",
    "replies": "delivered",
    "on_time": "on_time",
    "on_time_items": "on_time_item",
    "overdue": "overdue",
    "extended": "extended",
    "unrated": "unrated",
    "awaiting_rating": "awaiting_rating",
}


def unit_section(i):
    """Units, unit-items, replies and satisfaction, one row per unit."""
    columns = [func.count()] + [
        func.coalesce(func.sum(i.c[ITEM_COLUMNS[key]]), 0) for key in UNIT_KEYS[1 : -len(RATINGS)]
    ]
    columns += [func.coalesce(func.sum(i.c[f"n_{r}"]), 0) for r in RATINGS]
    return Section(
        "unit",
        key=i.c.department_id,
        texts=[Department.code, Department.name],
        ints=columns,
        shape=lambda s: (
            s.select_from(i)
            .join(Department, Department.id == i.c.department_id)
            .group_by(i.c.department_id, Department.code, Department.name)
        ),
    )


def result_section(i):
    """The replied items by unit and result code: every code their latest replies carry,
    whether or not the settings still list it."""
    return Section(
        "unit_result",
        key=i.c.department_id,
        texts=[i.c.result],
        ints=[func.count()],
        shape=lambda s: (
            s.select_from(i).where(i.c.result.is_not(None)).group_by(i.c.department_id, i.c.result)
        ),
    )


def result_codes(configured, result_rows):
    """The codes the figures show, in order: the configured ones, then A, B and C if the
    settings no longer list them, then any other code replies still carry (a code dropped from
    the settings after use), alphabetically."""
    used = sorted({r.texts[0] for r in result_rows} - set(configured) - {"A", "B", "C"})
    return list(dict.fromkeys([*configured, "A", "B", "C", *used]))


def handling_summary(rows, result_rows, codes):
    """Per unit and in total, from the rows of :func:`unit_section` and
    :func:`result_section`; ``codes`` from :func:`result_codes`."""
    total = dict.fromkeys(UNIT_KEYS, 0)
    results_total = dict.fromkeys(codes, 0)
    by_unit = {}
    for row in result_rows:
        by_unit.setdefault(row.k, {})[row.texts[0]] = int(row.ints[0])
    by_department = []
    for row in rows:
        values = [int(v) for v in row.ints[: len(UNIT_KEYS)]]
        m = dict(zip(UNIT_KEYS, values))
        counted = by_unit.get(row.k, {})
        results = {code: counted.get(code, 0) for code in codes}
        for k in UNIT_KEYS:
            total[k] += m[k]
        for code in codes:
            results_total[code] += results[code]
        code, name = row.texts[:2]
        rated = sum(m[r] for r in RATINGS)
        by_department.append(
            {
                "code": code,
                "name": name,
                "assigned": m["assigned"],
                "co_handled": m["co"],
                "accepted": m["accepted"],
                "replied": m["replied"],
                "replies_delivered": m["replies"],
                # items, like replied: those whose every reply was delivered on time
                "on_time": m["on_time_items"],
                "overdue": m["overdue"],
                "extended": m["extended"],
                "results": results,
                "rated": rated,
                "satisfied": m["satisfied"],
                "basically_satisfied": m["basically_satisfied"],
                "unsatisfied": m["unsatisfied"],
                "unrated": m["unrated"],
                "satisfaction_rate": rate(m["satisfied"] + m["basically_satisfied"], rated),
                "on_time_rate": rate(m["on_time_items"], m["replied"]),
            }
        )
    by_department.sort(key=lambda u: u["code"])
    rated = sum(total[r] for r in RATINGS)
    return {
        "units_involved": len(by_department),
        "assignment_items": total["assigned"],
        "co_handling_items": total["co"],
        "reply_items": total["required"],
        "accepted_items": total["accepted"],
        "replied_items": total["replied"],
        "overdue_items": total["overdue"],
        "extended_items": total["extended"],
        "replies_delivered": total["replies"],
        "replies_on_time": total["on_time"],
        "on_time_rate": rate(total["on_time"], total["replies"]),
        "results": results_total,
        "satisfaction": {
            "satisfied": total["satisfied"],
            "basically_satisfied": total["basically_satisfied"],
            "unsatisfied": total["unsatisfied"],
            "unrated": total["unrated"],
            "awaiting_rating": total["awaiting_rating"],
            "rated": rated,
            "rate": rate(total["satisfied"] + total["basically_satisfied"], rated),
            "strict_rate": rate(total["satisfied"], rated),
        },
        "by_department": by_department,
    }


def replied_section(i):
    """Filed proposals all of whose items owing a reply had one delivered: by the date, and by
    the end of the period's year (for the headline)."""
    per = (
        select(
            i.c.proposal_id,
            func.sum(i.c.required).label("owed"),
            func.sum(i.c.replied).label("replied"),
            conditional_sum(and_(i.c.required == 1, i.c.by_year_end > 0)).label("by_year_end"),
        )
        .group_by(i.c.proposal_id)
        .subquery("per_proposal")
    )
    return Section(
        "replied",
        ints=[
            conditional_sum(and_(per.c.owed > 0, per.c.replied == per.c.owed)),
            conditional_sum(and_(per.c.owed > 0, per.c.by_year_end == per.c.owed)),
        ],
        shape=lambda s: s.select_from(per),
    )


def replied_proposals(rows):
    return int(rows[0].ints[0]), int(rows[0].ints[1])


def monthly_section(w, i):
    return Section(
        "monthly",
        ints=[
            conditional_sum(and_(Reply.delivered_at >= start, Reply.delivered_at < end))
            for _label, start, end in w.months()
        ],
        shape=lambda s: (
            s.select_from(Reply)
            .join(i, i.c.id == Reply.assignment_id)
            .where(Reply.delivered_at < w.end)
        ),
    )


def monthly(rows, received_by_month):
    return [
        {"month": label, "received": received, "replies_delivered": int(rows[0].ints[n])}
        for n, (label, received) in enumerate(received_by_month)
    ]


def key_sections(w, p, i):
    """重点提案 among the counted proposals (one row each) and their items (one row each)."""
    supervisor = aliased(User, name="supervisor")
    proposals = Section(
        "key",
        key=p.c.id,
        texts=[p.c.title, p.c.status, supervisor.name],
        ints=[p.c.number, flag(and_(p.c.closed_at.is_not(None), p.c.closed_at < w.end))],
        shape=lambda s: (
            s.select_from(p)
            .outerjoin(supervisor, supervisor.id == p.c.supervisor_id)
            .where(p.c.is_key)
        ),
    )
    items = Section(
        "key_item",
        key=i.c.proposal_id,
        texts=[i.c.role, i.c.rating, i.c.result, Department.code, Department.name],
        ints=[i.c.id, i.c.required, i.c.delivered, i.c.overdue],
        # the items carry is_key: joining them back to the proposals would make SQLite build
        # two automatic indexes on every call
        shape=lambda s: (
            s.select_from(i).join(Department, Department.id == i.c.department_id).where(i.c.is_key)
        ),
    )
    return [proposals, items]


def key_proposals(proposal_rows, item_rows):
    """重点提案 among the counted proposals, with their progress as of the date."""
    numbers = {r.k: None if r.ints[0] is None else int(r.ints[0]) for r in proposal_rows}
    ordered = sorted(proposal_rows, key=lambda r: (numbers[r.k] is None, numbers[r.k] or 0, r.k))
    out = [
        {
            "id": r.k,
            "number_label": number_label(numbers[r.k]),
            "title": r.texts[0],
            "supervisor": r.texts[2],
            "units": [],
            "items": [],
            "state": r.texts[1],
            "replied": False,
            "overdue": False,
            "rating": None,
            "_closed": bool(r.ints[1]),
        }
        for r in ordered
    ]
    by_id = {entry["id"]: entry for entry in out}
    for r in sorted(item_rows, key=lambda r: r.ints[0]):
        role, rating, result, code, name = r.texts[:5]
        _id, required, delivered, overdue = (int(v) for v in r.ints[:4])
        entry = by_id[r.k]
        entry["units"].append(name)
        entry["items"].append(
            {
                "code": code,
                "name": name,
                "role": role,
                "replied": bool(required and delivered),
                "overdue": bool(overdue),
                "result": result,
                "rating": rating,
            }
        )
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
