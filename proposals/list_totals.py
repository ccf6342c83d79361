"""Exact list totals without counting every visible row on every page (issue 7).

A list page shows its rows and the number of all its rows (API.md: ``total``). Counting is
the one part of a page whose cost grows with the data: the secretariat's list counts every
visible proposal on every request (5–7 ms on SQLite, 15–30 ms on PostgreSQL at 100,000
proposals), while the page's rows are an index walk of 20.

So each worker keeps the totals it counted, keyed by the count statement and its parameters
(visibility, filters, today's date for the deadline filters), together with the database's
**data version** at the time: a random token in the one-row table ``data_version``, replaced
after every committed transaction that wrote anything other than the bookkeeping tables
below. A page reads the token in the same statement as its ids, and counts only when the
token is no longer the one its kept total was counted under:

    SELECT id, (SELECT token FROM data_version),
           CASE WHEN (SELECT token FROM data_version) = :kept_token THEN :kept_total
                ELSE (SELECT count(*) FROM … the same filters …) END
    FROM … ORDER BY … LIMIT 20

Both databases evaluate the count only in the branch that needs it (SQLite's CASE stops at
its first true branch, PostgreSQL runs an InitPlan only when its value is used), so a page is
still one statement for its ids and total, and the statement counts stay the same whether the
total was kept or counted.

Why the token is replaced after the commit, in its own short transaction, rather than inside
the writing transaction: inside, every writing transaction would lock the same row until it
commits, serialising them and inviting deadlocks on PostgreSQL. After the commit, a page read
in the few milliseconds between the commit and the new token can still show the total from
before that commit; after the new token, never. A process killed in that window, or a change
made outside the application (psql, a restore), shows at the latest after KEPT_SECONDS.
"""
import secrets
import threading
import time

from cachetools import LRUCache, TTLCache
from sqlalchemy import BigInteger, Integer, String, bindparam, case, event, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .extensions import db, read_rows

KEPT_SECONDS = 60.0   # a kept total is counted again after this long, token or not
KEPT_TOTALS = 2048    # totals kept per worker (least recently used dropped first)
CHANGED = "proposals.data_changed"
# writes that change no list's rows: the bookkeeping of sessions, tokens and the audit
BOOKKEEPING = frozenset({"login_sessions", "audit_events", "api_tokens", "data_version"})


class DataVersion(db.Model):
    """One row: a token replaced after every committed change to the data."""
    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))  # NOT NULL (Mapped[str])


def new_token():
    return secrets.token_hex(16)


# --- which transactions change the data ------------------------------------------------------

@event.listens_for(Session, "after_flush")
def _flushed(session, _flush_context):
    if session.info.get(CHANGED):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table not in BOOKKEEPING and (obj not in session.dirty
                                         or session.is_modified(obj)):
            session.info[CHANGED] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _executed(state):
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table not in BOOKKEEPING:
            state.session.info[CHANGED] = True


@event.listens_for(Session, "after_commit")
def _committed(session):
    if session.info.pop(CHANGED, None):
        bump(session.get_bind())


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction):
    # after a commit (after_commit ran first and took the flag) or a rollback: nothing changed
    if transaction.parent is None:
        session.info.pop(CHANGED, None)


def bump(engine):
    """A new data version (its own transaction: see the module's docstring)."""
    with engine.begin() as conn:
        conn.execute(update(DataVersion.__table__).values(token=new_token()))


# --- the kept totals -------------------------------------------------------------------------

# per worker: count statement and parameters -> (token, total), for KEPT_SECONDS
kept = TTLCache(maxsize=KEPT_TOTALS, ttl=KEPT_SECONDS, timer=time.monotonic)
_lock = threading.Lock()  # the development server answers in threads


def kept_total(key):
    """(token, total) kept under ``key``, or (None, None)."""
    with _lock:
        return kept.get(key, (None, None))


def keep_total(key, token, total):
    """Keep ``total`` counted under the data version ``token`` (none: a database without the
    row, never kept)."""
    if token is not None:
        with _lock:
            kept[key] = (token, total)


def statement_key(statement):
    """What identifies a count: its SQL structure and the values of its parameters."""
    cache_key = statement._generate_cache_key()
    if cache_key is None:  # not cacheable: never kept
        return None
    return cache_key.key, tuple(_hashable(p.effective_value) for p in cache_key.bindparams)


def _hashable(value):
    if isinstance(value, (list, set, frozenset)):
        return tuple(value)
    return value


class PageStatements:
    """The statements of one list (a select of one entity with its filters and order): the
    count of its rows, and its page statement in two forms, counting or returning the kept
    total (the module's docstring), with LIMIT, OFFSET and the kept total as parameters.

    Built once per list and kept per worker (:func:`page_statements`): building a statement
    and deriving SQLAlchemy's cache key from it cost more than running it (a third of the
    list API's time at 100,000 proposals); a kept statement's cache key is computed once."""

    def __init__(self, query):
        entity = query.column_descriptions[0]["entity"]
        self.counted = select(func.count()).select_from(
            query.with_only_columns(entity.id).order_by(None).subquery())
        self.key = statement_key(self.counted)
        version = select(DataVersion.token).where(DataVersion.id == 1).scalar_subquery()

        def page(total_column):
            # BigInteger: PostgreSQL would cast a plain Integer parameter to int4, and a page
            # far past the end (API.md allows any page number) overflows it
            return (query.with_only_columns(entity.id, version, total_column)
                    .limit(bindparam("page_limit", type_=BigInteger))
                    .offset(bindparam("page_offset", type_=BigInteger)))
        self.counting = page(self.counted.scalar_subquery())
        self.keeping = page(case(
            (version == bindparam("kept_token", type_=String),
             bindparam("kept_total", type_=Integer)),
            else_=self.counted.scalar_subquery()))

    def statement(self, limit, offset):
        """The page's statement and its parameters: the kept total's form while this worker
        keeps one, else the counting one."""
        token, total = kept_total(self.key) if self.key is not None else (None, None)
        params = {"page_limit": limit, "page_offset": offset}
        if token is None:
            return self.counting, params
        return self.keeping, dict(params, kept_token=token, kept_total=int(total))

    def rows(self, limit, offset):
        """Run the page's statement. Returns its rows of (id, token, total)."""
        statement, params = self.statement(limit, offset)
        rows = read_rows(statement, params).all()
        if rows and self.key is not None:
            keep_total(self.key, rows[0][1], rows[0][2])
        return rows


BUILT_LISTS = 1024    # lists whose statements are kept per worker (least recently used out)
_built = LRUCache(maxsize=BUILT_LISTS)


def page_statements(key, build):
    """The PageStatements of the list ``build()`` returns, kept under ``key`` (None: built
    every time). ``key`` must name everything the statement depends on (who asks, the
    filters, the date for deadline filters); ``build`` may raise (a bad filter): nothing is
    kept then, and the same key raises again, built again."""
    if key is None:
        return PageStatements(build())
    with _lock:
        hit = _built.get(key)
    if hit is None:
        hit = PageStatements(build())
        with _lock:
            _built[key] = hit
    return hit
