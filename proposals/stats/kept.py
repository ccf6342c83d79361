"""Kept counts: the annual figures as of today without reading the period's proposals.

Computing the figures reads every proposal of the period with its decisions, items, replies
and ratings: 3.6 s for a year at 1,000,000 proposals on PostgreSQL, and no index or plan
makes the aggregates over a year's rows much cheaper (issue 7). So the counts are also kept:

- **Marking.** Triggers on every table the figures read (migration a8e7d0f2b4c6) put the
  proposal a row belongs to into ``stats_dirty`` in the writing transaction, whatever writes
  it: an operation, a bulk insert, psql, a restore. A user whose sector, organisation type,
  role or active flag changes marks the proposals they proposed or co-signed.
- **Folding** (:func:`fold`). Each marked proposal's contribution is computed with the
  figures' own statements (stats/intake.py received_select and stats/handling.py
  unit_items, over given proposals instead of a period, with everything recorded counted)
  and kept in ``stats_contributions`` (JSON rows: figure, key, text, count); the difference
  from its previous contribution is added to ``stats_counts`` for its year and its session
  (a count that reaches zero is removed). Folded by the next statistics request while at most
  FOLD_AT_READ marks wait, and by the periodic task (Celery beat every
  STATS_FOLD_INTERVAL_SECONDS, or the embedded ``reminders loop``) and ``stats fold``.
- **Reading** (:func:`kept_rows`): the period's counts, with the units' and categories' names
  and the number of active members read live, in one statement. What depends on the date is
  kept by date: each item's overdue count under the deadline after which it is overdue, its
  awaiting-rating count under the last day of its rating window, each proposal's replied
  count under the year in which its last owed reply came. Participation keeps a row per
  member who took part (the members are the rows). The key proposals are few: they are
  computed as before, in the same statement, from the partial indexes on key proposals.

The counts answer for a date only when nothing the figures read happened after its end (the
latest such moment of each proposal is kept with its contribution, under an index): today
as a rule (nothing is recorded in the future); for an earlier date, or while more than
FOLD_AT_READ marks wait (after a migration or a bulk load, until the periodic task has folded
them), annual_figures computes as before.

Concurrency: a mark is a row of its own (a trigger only inserts), so marking takes no lock
another writer could wait for: two writers of one proposal meet only where they met before
(its row). A fold takes the marks it can see, those of committed transactions, and computes
after taking them; a writer still in flight keeps its mark, and the proposal is folded again
after its commit. Folds run one at a time (PostgreSQL: an advisory lock; SQLite runs one
writer at a time, BEGIN IMMEDIATE: extensions.py).
"""
import functools
import json
from collections import Counter, defaultdict
from datetime import datetime, timezone

from sqlalchemy import (Date, String, Text, and_, bindparam, delete, func, select, text,
                        union_all)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from ..accounts.models import ORG_TYPES, Department, User
from ..committee.calendar import LOCAL_TZ
from ..committee.models import DISPOSITIONS, Category
from ..extensions import UTCDateTime, db
from ..handling.models import RATINGS, Assignment, ExtensionRequest, Rating, Reply
from ..workflow.models import KINDS, Cosigner, HistoryEntry, Proposal, ReviewDecision
from .handling import ITEM_COLUMNS, UNIT_KEYS, key_sections, unit_items
from .intake import ACTIVE_MEMBER, BUCKETS, received_select
from .sql import Section, SectionRow, flag, section_rows, union_of_sections

FOLD_AT_READ = 2000   # a statistics request folds while at most this many marks wait
CHUNK = 2000          # proposals folded per round of statements
END_OF_TIME = datetime(9000, 1, 1, tzinfo=timezone.utc)
FOLD_LOCK = 7_431_906  # pg_advisory_xact_lock key: one fold at a time
# the unit figures summed per item (stats/handling.py ITEM_COLUMNS) but the two kept by date
ITEM_FIGURES = {k: v for k, v in ITEM_COLUMNS.items() if k not in ("overdue", "awaiting_rating")}


class StatsDirty(db.Model):
    """A mark: a proposal whose kept counts are out of date (inserted by migration
    a8e7d0f2b4c6's triggers, one per row written; a proposal may have several)."""
    __tablename__ = "stats_dirty"
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(index=True)


class StatsContribution(db.Model):
    """What a proposal adds to the kept counts of its year and its session."""
    __tablename__ = "stats_contributions"
    proposal_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    year: Mapped[int | None]
    session_id: Mapped[int | None]
    # the latest moment among the proposal's rows the figures compare with a date
    latest: Mapped[datetime | None] = mapped_column(index=True)
    counts: Mapped[str] = mapped_column(Text)  # JSON [[figure, k, t, n], …]


class StatsCount(db.Model):
    """A kept count: ``period`` y<year> or s<session id>; ``figure`` and its keys ``k``
    (a unit, category, user or year) and ``t`` (a bucket, month, measure, code or date)."""
    __tablename__ = "stats_counts"
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    figure: Mapped[str] = mapped_column(String(16), primary_key=True)
    k: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    t: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int]


# --- folding ---------------------------------------------------------------------------------

class _FoldWindow:
    """A window over given proposals (``fold_ids``) in which everything recorded counts."""
    kind = "proposals"

    def __init__(self):
        moment = UTCDateTime()
        self.ids = bindparam("fold_ids", expanding=True)
        self.end = self.year_end = bindparam("fold_end", END_OF_TIME, type_=moment)
        self.as_of = bindparam("fold_as_of", END_OF_TIME.date(), type_=Date())


@functools.cache
def _fold_statements():
    w = _FoldWindow()
    received = received_select(w).cte("received").prefix_with("MATERIALIZED")
    proposals = (select(received.c.id, received.c.proposer_id, received.c.kind,
                        received.c.category_id, received.c.submitted_at, received.c.session_id,
                        received.c.status, received.c.disposition, User.sector, User.org_type,
                        flag(ACTIVE_MEMBER).label("member"))
                 .select_from(received).join(User, User.id == received.c.proposer_id))
    items = unit_items(w, received).cte("items").prefix_with("MATERIALIZED")
    # each item once per delivered reply (or once without one): the months of the replies
    item_rows = (select(items, Reply.delivered_at)
                 .select_from(items)
                 .outerjoin(Reply, and_(Reply.assignment_id == items.c.id,
                                        Reply.delivered_at.is_not(None))))
    cosigners = (select(Cosigner.proposal_id, Cosigner.user_id, flag(ACTIVE_MEMBER))
                 .join(User, User.id == Cosigner.user_id)
                 .where(Cosigner.proposal_id.in_(w.ids), Cosigner.state == "accepted",
                        Cosigner.responded_at.is_not(None)))
    return proposals, item_rows, cosigners, _latest_statement(w.ids)


def _latest_statement(ids):
    """Per proposal, its latest moment among those the figures compare with the end of a day
    (any of them later than a day's end: the kept counts cannot answer for that day)."""
    a, r = Assignment, Reply
    by_assignment = a.id == r.assignment_id
    branches = [
        select(Proposal.id, func.max(Proposal.submitted_at)).where(Proposal.id.in_(ids))
        .group_by(Proposal.id),
        select(Proposal.id, func.max(Proposal.filed_at)).where(Proposal.id.in_(ids))
        .group_by(Proposal.id),
        select(ReviewDecision.proposal_id, func.max(ReviewDecision.created_at))
        .where(ReviewDecision.proposal_id.in_(ids)).group_by(ReviewDecision.proposal_id),
        select(HistoryEntry.proposal_id, func.max(HistoryEntry.created_at))
        .where(HistoryEntry.proposal_id.in_(ids), HistoryEntry.action == "withdraw")
        .group_by(HistoryEntry.proposal_id),
        select(Cosigner.proposal_id, func.max(Cosigner.responded_at))
        .where(Cosigner.proposal_id.in_(ids)).group_by(Cosigner.proposal_id)]
    for column in (a.assigned_at, a.closed_at, a.accepted_at):
        branches.append(select(a.proposal_id, func.max(column))
                        .where(a.proposal_id.in_(ids)).group_by(a.proposal_id))
    branches.append(select(a.proposal_id, func.max(r.delivered_at)).select_from(r)
                    .join(a, by_assignment).where(a.proposal_id.in_(ids))
                    .group_by(a.proposal_id))
    branches.append(select(a.proposal_id, func.max(Rating.created_at)).select_from(Rating)
                    .join(r, r.id == Rating.reply_id).join(a, by_assignment)
                    .where(a.proposal_id.in_(ids)).group_by(a.proposal_id))
    branches.append(select(a.proposal_id, func.max(ExtensionRequest.decided_at))
                    .select_from(ExtensionRequest)
                    .join(a, a.id == ExtensionRequest.assignment_id)
                    .where(a.proposal_id.in_(ids)).group_by(a.proposal_id))
    return union_all(*branches)


def _month(moment):
    """'YYYY-MM' of a moment (aware, as UTCDateTime reads it) in local time."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m")


def contributions(proposal, items, cosigners):
    """[(figure, k, t, n)] of one counted proposal (a row of received_select with its
    proposer's sector, organisation type and whether an active individual member), its
    unit-items (rows of unit_items, each with the moments of its delivered replies) and the
    users who accepted to co-sign it (with whether each is an active individual member). The
    definitions are those of the sections in stats/intake.py and stats/handling.py (the tests
    compare every figure with them)."""
    c = Counter()
    kind, status = proposal.kind, proposal.status
    c["intake", 0, f"{status}|{proposal.disposition}|{kind}"] += 1
    c["month", 0, _month(proposal.submitted_at)] += 1
    c["category", proposal.category_id, "received"] += 1
    if status == "filed":
        c["category", proposal.category_id, "filed"] += 1
    c["sector", 0, "" if proposal.sector is None else "s:" + proposal.sector] += 1
    if kind == "collective" and proposal.org_type is not None:
        c["org_type", 0, proposal.org_type] += 1
    # participation: a row per member who took part (the distinct members: the rows)
    if proposal.member:
        c["participant", proposal.proposer_id, ""] += 1
    for user_id, member in cosigners:
        if member:
            c["participant", user_id, ""] += 1
    owed, completed = 0, []
    for item, delivered_at in items:
        d = item.department_id
        c["unit", d, "assigned"] += 1
        for figure, column in ITEM_FIGURES.items():
            c["unit", d, figure] += item._mapping[column]
        if item.rating in RATINGS:
            c["unit", d, item.rating] += 1
        if item.result is not None:
            c["result", d, item.result] += 1
        if item.overdue_after is not None:
            c["overdue", d, item.overdue_after.isoformat()] += 1
        if item.awaiting_until is not None:
            c["awaiting", d, item.awaiting_until.isoformat()] += 1
        for moment in delivered_at:
            c["reply_month", 0, _month(moment)] += 1
        owed += item.required
        if item.replied:
            completed.append(item.first_delivered.astimezone(LOCAL_TZ).year)
    if owed and len(completed) == owed:  # replied (办复): by the year of its last owed reply
        c["replied", max(completed), ""] += 1
    return [[f, k, t, n] for (f, k, t), n in c.items() if n]


def period_key(kind, value):
    """How stats_counts names a period: y<year> or s<session id>."""
    return ("s" if kind == "session" else "y") + str(value)


def periods(year, session_id):
    """The periods a proposal counts in: its year and, when it has one, its session."""
    return [period_key("year", year)] + (
        [period_key("session", session_id)] if session_id is not None else [])


def fold(session=None, *, limit=None):
    """Fold marked proposals into the kept counts (at most ``limit``, all when None), in
    rounds of CHUNK, in the session's transaction (the caller commits). Returns how many."""
    session = session or db.session
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": FOLD_LOCK})
    folded = 0
    while limit is None or folded < limit:
        size = CHUNK if limit is None else min(CHUNK, limit - folded)
        ids = _take_marks(conn, size)
        if not ids:
            break
        _fold_chunk(conn, ids, postgres)
        folded += len(ids)
    return folded


def _take_marks(conn, size):
    """The proposals of the oldest marks (at most ``size``), all their marks taken."""
    oldest = select(StatsDirty.proposal_id).order_by(StatsDirty.id).limit(size)
    taken = conn.execute(delete(StatsDirty).where(StatsDirty.proposal_id.in_(
        select(oldest.subquery().c.proposal_id))).returning(StatsDirty.proposal_id))
    return sorted(set(taken.scalars()))


def _fold_chunk(conn, ids, postgres):
    proposals_stmt, items_stmt, cosigners_stmt, latest_stmt = _fold_statements()
    params = {"fold_ids": ids}
    proposals = {p.id: p for p in conn.execute(proposals_stmt, params)}
    items = defaultdict(dict)
    for row in conn.execute(items_stmt, params):
        entry = items[row.proposal_id].setdefault(row.id, (row, []))
        if row.delivered_at is not None:
            entry[1].append(row.delivered_at)
    cosigners = defaultdict(list)
    for proposal_id, user_id, member in conn.execute(cosigners_stmt, params):
        cosigners[proposal_id].append((user_id, member))
    latest = {}  # every proposal that exists: its latest moment (None: nothing yet)
    for proposal_id, moment in conn.execute(latest_stmt, params):
        current = latest.get(proposal_id)
        latest[proposal_id] = (moment if current is None or (moment is not None
                                                             and moment > current)
                               else current)
    old = {row.proposal_id: row for row in conn.execute(
        select(StatsContribution).where(StatsContribution.proposal_id.in_(ids)))}

    delta = Counter()
    new_rows = []
    for pid in ids:
        before = old.get(pid)
        if before is not None:
            for figure, k, t, n in json.loads(before.counts):
                for period in periods(before.year, before.session_id):
                    delta[period, figure, k, t] -= n
        p = proposals.get(pid)
        year = session_id = None
        counts = []
        if p is not None:
            year, session_id = p.submitted_at.astimezone(LOCAL_TZ).year, p.session_id
            counts = contributions(p, items.get(pid, {}).values(), cosigners.get(pid, ()))
            for figure, k, t, n in counts:
                for period in periods(year, session_id):
                    delta[period, figure, k, t] += n
        if pid in latest:
            new_rows.append({"proposal_id": pid, "year": year, "session_id": session_id,
                             "latest": latest.get(pid),
                             "counts": json.dumps(counts, separators=(",", ":"))})
    changes = [{"period": p, "figure": f, "k": k, "t": t, "n": n}
               for (p, f, k, t), n in sorted(delta.items()) if n]
    if changes:
        c = StatsCount
        insert = (postgresql.insert if postgres else sqlite.insert)(c)
        conn.execute(insert.on_conflict_do_update(
            index_elements=["period", "figure", "k", "t"], set_={"n": c.n + insert.excluded.n}),
            changes)
        # no zero rows: a period's participants are its rows (counted by the index alone)
        decreased = [change for change in changes if change["n"] < 0]
        if decreased:
            conn.execute(delete(c).where(
                c.period == bindparam("period"), c.figure == bindparam("figure"),
                c.k == bindparam("k"), c.t == bindparam("t"), c.n == 0), decreased)
    conn.execute(delete(StatsContribution).where(StatsContribution.proposal_id.in_(ids)))
    if new_rows:
        conn.execute(StatsContribution.__table__.insert(), new_rows)


# --- reading ---------------------------------------------------------------------------------

KEPT_FIGURES = ("intake", "month", "category", "sector", "org_type", "unit", "result",
                "reply_month", "replied")


@functools.lru_cache(maxsize=4)
def _read_statement(kind):
    """The period's kept counts (and, read live, the number of active members and the
    categories' and units' names), with the key proposals computed from the records, in one
    statement: sections as in figures_statement."""
    from .period import BoundWindow
    c = StatsCount
    mine = c.period == bindparam("k_period", type_=String())
    as_of = bindparam("k_as_of", type_=String())

    def per_unit(name, *where):
        return Section(name, key=c.k, ints=[func.sum(c.n)],
                       shape=lambda s: s.where(mine, c.figure == name, *where).group_by(c.k))

    sections = [Section(f, key=c.k, texts=[c.t], ints=[c.n],
                        shape=lambda s, f=f: s.where(mine, c.figure == f, c.n != 0))
                for f in KEPT_FIGURES]
    sections += [
        # kept by date: overdue after its deadline, awaiting a rating until its window ends
        per_unit("overdue", c.t < as_of),
        per_unit("awaiting", c.t >= as_of),
        Section("participation", ints=[func.count()],
                shape=lambda s: s.select_from(c).where(mine, c.figure == "participant")),
        Section("members", ints=[func.count()],
                shape=lambda s: s.select_from(User).where(ACTIVE_MEMBER)),
        Section("category_ref", key=Category.id, texts=[Category.code, Category.name],
                ints=[flag(Category.active)], shape=lambda s: s.select_from(Category)),
        Section("department", key=Department.id, texts=[Department.code, Department.name],
                shape=lambda s: s.select_from(Department).where(Department.id.in_(
                    select(c.k).where(mine, c.figure == "unit", c.t == "assigned",
                                      c.n > 0))))]
    w = BoundWindow(kind)
    received = received_select(w, key_only=True).cte("received").prefix_with("MATERIALIZED")
    items = unit_items(w, received).cte("items").prefix_with("MATERIALIZED")
    return union_of_sections(sections + key_sections(w, received, items))


def _status(conn):
    """How many marks wait (counted up to FOLD_AT_READ + 1), and the latest moment of the
    folded proposals."""
    marked = select(func.count()).select_from(
        select(StatsDirty.proposal_id).limit(FOLD_AT_READ + 1).subquery()).scalar_subquery()
    marked, latest = conn.execute(select(
        marked, select(func.max(StatsContribution.latest)).scalar_subquery())).one()
    return marked, latest


def fold_all():
    """Fold every marked proposal, committing after each round (the periodic task, the
    ``stats fold`` command). Returns how many."""
    total = 0
    while True:
        folded = fold(limit=CHUNK)
        db.session.commit()
        total += folded
        if folded < CHUNK:
            return total


def kept_rows(window, codes):
    """The rows annual_figures reads (section → rows, as from its statement) from the kept
    counts, or None when they cannot answer for ``window`` (something recorded after the end
    of its date, or more than FOLD_AT_READ marks waiting to be folded). Folds the marked
    proposals first and commits."""
    session = db.session
    marked, latest = _status(session.connection())
    if marked > FOLD_AT_READ:
        return None
    if marked:
        fold(session, limit=FOLD_AT_READ)
        session.commit()  # (and on PostgreSQL: the fold's lock released)
        marked, latest = _status(session.connection())
    if latest is not None and latest >= window.end:
        return None
    period = period_key(window.kind,
                        window.session_id if window.kind == "session" else window.year)
    rows = section_rows(session.connection().execute(_read_statement(window.kind), {
        "k_period": period, "k_as_of": window.as_of.isoformat(), **window.parameters()}))
    return _section_rows(window, codes, rows)


def _section_rows(window, codes, read):
    """The sections of figures_statement from those of _read_statement (the key proposals'
    are the same)."""
    def first(name):
        rows = read.get(name)
        return int(rows[0].ints[0] or 0) if rows else 0

    def counts(name):  # (k, t) → n
        return Counter({(r.k, r.texts[0]): int(r.ints[0]) for r in read.get(name, ())})

    def per_unit(name):
        return {r.k: int(r.ints[0] or 0) for r in read.get(name, ())}

    intake = Counter()
    for (_k, t), n in counts("intake").items():
        status, disposition, kind = t.split("|")
        intake["received"] += n
        intake["status", status] += n
        intake["disposition", disposition] += n if status == "not_filed" else 0
        intake["kind", kind] += n
    org_types = {t: n for (_k, t), n in counts("org_type").items()}
    received, replies = counts("month"), counts("reply_month")
    months = [label for label, _s, _e in window.months()]
    rows = {"intake": [SectionRow(None, (), [
        intake["received"], *(intake["status", b] for b in BUCKETS),
        *(intake["disposition", d] for d in DISPOSITIONS), *(intake["kind", k] for k in KINDS),
        *(org_types.get(t, 0) for t in ORG_TYPES), *(received[0, m] for m in months)])]}
    rows["sector"] = [SectionRow(None, (t[2:] if t else None,), (n,))
                      for (_k, t), n in counts("sector").items()]
    category = counts("category")
    rows["category"] = [SectionRow(r.k, r.texts[:2], (int(r.ints[0]), category[r.k, "received"],
                                                     category[r.k, "filed"]))
                        for r in read.get("category_ref", ())]
    rows["participation"] = [SectionRow(None, (), (first("participation"), first("members")))]
    unit, result = counts("unit"), counts("result")
    dated = {"overdue": per_unit("overdue"), "awaiting_rating": per_unit("awaiting")}
    rows["unit"] = [SectionRow(r.k, r.texts[:2], [
        dated[key].get(r.k, 0) if key in dated else unit[r.k, key] for key in UNIT_KEYS]
        + [result[r.k, code] for code in codes]) for r in read.get("department", ())]
    rows["monthly"] = [SectionRow(None, (), [replies[0, m] for m in months])]
    replied = counts("replied")  # (year of the last owed reply, "") → proposals
    rows["replied"] = [SectionRow(None, (), (sum(replied.values()), sum(
        n for (year, _t), n in replied.items() if year <= window.year)))]
    rows["key"], rows["key_item"] = read.get("key", []), read.get("key_item", [])
    return rows
