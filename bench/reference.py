"""The hand-written reference for /api/v1/stats/annual: bench/sql/annual.sql (ONE statement,
per dialect) run for a year or a session as of a date, its rows turned into the API's figure
structure (the same keys), and a comparison with the API's JSON over every figure that comes
from the database (rates, the headline and labels are derived in Python from these, and left
out; a key proposal's number is compared through its label).

    from bench.reference import reference_figures, differences
    ref = reference_figures(connection, year=2025, as_of=date(2025, 12, 31))
    differences(annual_figures(year=2025, as_of=date(2025, 12, 31)), ref)   # [] when equal

Used by bench/run.py, bench/stats_only.py and tests/bench/test_reference.py.
"""

import os
import re
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlalchemy import text

HERE = os.path.dirname(os.path.abspath(__file__))
LOCAL = timezone(timedelta(hours=8))  # Asia/Shanghai: UTC+8 without daylight saving

# the value sets of the schema (CHECK constraints), i.e. the keys of the API's dicts
BUCKETS = ("filed", "merged", "not_filed", "withdrawn", "pending")
DISPOSITIONS = ("opinion", "letter", "social_info", "none")
KINDS = ("individual", "joint", "collective")
ORG_TYPES = ("party", "organization", "sector", "special_committee")
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
WORST_FIRST = ("unsatisfied", "basically_satisfied", "satisfied")
UNIT_COUNTS = (
    "assigned",
    "co",
    "required",
    "accepted",
    "replied",
    "replies",
    "on_time",
    "overdue",
    "extended",
    "unrated",
    "awaiting_rating",
    *RATINGS,
)


def local_midnight(day):
    """The start of a local date as a naive UTC datetime (how the columns store moments)."""
    return datetime.combine(day, time(), tzinfo=LOCAL).astimezone(UTC).replace(tzinfo=None)


def sql_text(dialect, kind="year", path=None):
    """bench/sql/annual.sql (or the file ``path``) with its placeholders filled for ``dialect``
    and a period ``kind`` ("year" or "session")."""
    with open(path or os.path.join(HERE, "sql", "annual.sql")) as f:
        # without its comments (they name the parameters and placeholders)
        sql = re.sub(r"--[^\n]*", "", f.read()).strip()
    period = (
        "p.submitted_at >= :year_start AND p.submitted_at < :year_end"
        if kind == "year"
        else "p.session_id = :session_id"
    )
    sql = sql.replace("{period}", period)
    sql = sql.replace("{fence}", "LIMIT -1 OFFSET 0" if dialect == "sqlite" else "OFFSET 0")
    if dialect == "sqlite":
        sql = sql.replace("{due_end}", "datetime(due_on, '+16 hours')")
        month = r"strftime('%Y-%m', \1, '+8 hours')"
    else:
        sql = sql.replace("{due_end}", "(due_on + INTERVAL '16 hours')")
        month = r"to_char(\1 + INTERVAL '8 hours', 'YYYY-MM')"
    return re.sub(r"\{local_month\(([^)]*)\)\}", month, sql)


def statement(dialect, *, year, as_of, session_id=None, path=None):
    """The statement and its parameters for a year (or the session ``session_id`` of that
    year), as of the end of ``as_of`` (a later date than today counts as today)."""
    as_of = min(as_of, datetime.now(LOCAL).date())
    params = {
        "as_of_end": local_midnight(as_of + timedelta(days=1)),
        "as_of": as_of,
        "year_end": local_midnight(date(year + 1, 1, 1)),
    }
    if session_id is None:
        params["year_start"] = local_midnight(date(year, 1, 1))
    else:
        params["session_id"] = session_id
    if dialect == "sqlite":  # the text SQLAlchemy stores, so that comparisons are textual
        params = {
            k: v.strftime("%Y-%m-%d %H:%M:%S.%f")
            if isinstance(v, datetime)
            else v.isoformat()
            if isinstance(v, date)
            else v
            for k, v in params.items()
        }
    return text(sql_text(dialect, "year" if session_id is None else "session", path)), params


def result_codes(connection):
    """A, B, C and the codes the committee configured (the keys of ``results``)."""
    value = connection.execute(
        text("SELECT value FROM settings WHERE key = 'result_codes'")
    ).scalar()  # stored as "A,B,C,D" (committee/settings.py)
    codes = [c.strip() for c in (value or "").replace("，", ",").split(",") if c.strip()]
    return list(dict.fromkeys(["A", "B", "C"] + codes))


def reference_figures(connection, *, year=None, session_id=None, as_of=None, codes=None):
    """Run the statement on ``connection`` and return the figures, keyed as the API's."""
    if session_id is not None:
        year = connection.execute(
            text("SELECT year FROM committee_sessions WHERE id = :id"), {"id": session_id}
        ).scalar_one()
    today = datetime.now(LOCAL).date()
    year = today.year if year is None else year
    as_of = min(as_of or today, today)
    stmt, params = statement(connection.dialect.name, year=year, as_of=as_of, session_id=session_id)
    rows = connection.execute(stmt, params).all()
    return to_figures(rows, codes if codes is not None else result_codes(connection), year)


def to_figures(rows, codes, year):
    """The API's figure structure from the statement's tagged rows."""
    buckets = dict.fromkeys(BUCKETS, 0)
    disposition = dict.fromkeys(DISPOSITIONS, 0)
    kinds = dict.fromkeys(KINDS, 0)
    org_types = dict.fromkeys(ORG_TYPES, 0)
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    received_by_month, replies_by_month = {}, {}
    categories, sectors, units, keys, key_items = [], {}, {}, {}, []
    participation = replied = None
    on_time_items = {}
    for r in rows:
        tag = r.tag
        if tag == "intake":
            n = int(r.n1)
            buckets[r.t1] += n
            if r.t1 == "not_filed":
                disposition[r.t2] += n
            kinds[r.t3] += n
            if r.t4 in org_types:
                org_types[r.t4] += n
        elif tag == "received_month":
            received_by_month[r.t1] = int(r.n1)
        elif tag == "reply_month":
            replies_by_month[r.t1] = int(r.n1)
        elif tag == "category":
            categories.append((r.k, r.t1, r.t2, int(r.n1), int(r.n2), int(r.n3)))
        elif tag == "sector":
            sector = r.t1 or None
            sectors[sector] = sectors.get(sector, 0) + int(r.n1)
        elif tag == "participation":
            participation = {"members": int(r.n1), "active_members": int(r.n2)}
        elif tag == "unit":
            u = units.setdefault(
                r.k,
                {
                    "code": r.t1,
                    "name": r.t2,
                    "counts": dict.fromkeys(UNIT_COUNTS, 0),
                    "results": dict.fromkeys(codes, 0),
                },
            )
            values = [
                int(v or 0)
                for v in (
                    r.n1,
                    r.n2,
                    r.n3,
                    r.n4,
                    r.n5,
                    r.n6,
                    r.n7,
                    r.n8,
                    r.n9,
                    r.n10,
                    r.n11,
                    r.n12,
                    r.n13,
                    r.n14,
                )
            ]
            for name, v in zip(UNIT_COUNTS, values, strict=True):
                u["counts"][name] += v
            if r.t3 in u["results"]:  # a replied item's latest result
                u["results"][r.t3] += values[UNIT_COUNTS.index("replied")]
        elif tag == "unit_on_time":
            on_time_items[r.k] = int(r.n1 or 0)
        elif tag == "replied":
            replied = (int(r.n1), int(r.n2))
        elif tag == "key":
            keys[r.k] = r
        elif tag == "key_item":
            key_items.append(r)

    received = sum(buckets.values())
    out = {
        "received": received,
        "filed": buckets["filed"],
        "merged": buckets["merged"],
        "not_filed": buckets["not_filed"],
        "withdrawn": buckets["withdrawn"],
        "pending_review": buckets["pending"],
        "not_filed_by_disposition": disposition,
        "by_kind": kinds,
        "collective_by_org_type": org_types,
    }
    out["by_category"] = [
        {"code": code, "name": name, "received": rec, "filed": filed}
        for _id, code, name, active, rec, filed in sorted(categories)
        if active or rec
    ]
    out["by_sector"] = sorted(
        ({"sector": s, "received": n} for s, n in sectors.items()),
        key=lambda x: (-x["received"], x["sector"] is None, x["sector"] or ""),
    )
    out["participation"] = participation

    total = dict.fromkeys(UNIT_COUNTS, 0)
    results = dict.fromkeys(codes, 0)
    by_department = []
    for k, u in units.items():
        c = u["counts"]
        for name in UNIT_COUNTS:
            total[name] += c[name]
        for code in codes:
            results[code] += u["results"][code]
        by_department.append(
            {
                "code": u["code"],
                "name": u["name"],
                "assigned": c["assigned"],
                "co_handled": c["co"],
                "accepted": c["accepted"],
                "replied": c["replied"],
                "replies_delivered": c["replies"],
                # items, like replied: those each of whose replies was on time
                "on_time": on_time_items.get(k, 0),
                "overdue": c["overdue"],
                "extended": c["extended"],
                "results": u["results"],
                "rated": sum(c[x] for x in RATINGS),
                "satisfied": c["satisfied"],
                "basically_satisfied": c["basically_satisfied"],
                "unsatisfied": c["unsatisfied"],
                "unrated": c["unrated"],
            }
        )
    by_department.sort(key=lambda x: x["code"])
    out.update(
        {
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
            "results": results,
            "satisfaction": {
                "satisfied": total["satisfied"],
                "basically_satisfied": total["basically_satisfied"],
                "unsatisfied": total["unsatisfied"],
                "unrated": total["unrated"],
                "awaiting_rating": total["awaiting_rating"],
                "rated": sum(total[x] for x in RATINGS),
            },
            "by_department": by_department,
        }
    )
    out["monthly"] = [
        {
            "month": m,
            "received": received_by_month.get(m, 0),
            "replies_delivered": replies_by_month.get(m, 0),
        }
        for m in months
    ]
    out["replied_proposals"], out["replied_proposals_by_year_end"] = replied
    out["key_proposals"] = key_proposals(keys, key_items)
    return out


def key_proposals(keys, item_rows):
    items = {}
    for r in sorted(item_rows, key=lambda r: r.n1):
        items.setdefault(r.k, []).append(
            {
                "code": r.t4,
                "name": r.t5,
                "role": r.t1,
                "replied": bool(r.n3),
                "overdue": bool(r.n4),
                "result": r.t3,
                "rating": r.t2,
            }
        )
    out = []
    for pid, r in keys.items():
        mine = items.get(pid, [])
        owed = [x for x in mine if x["role"] != "co"]
        state = r.t2
        if state == "filed":
            state = "closed" if r.n2 else "assigned" if mine else "filed"
        ratings = [x["rating"] for x in owed if x["rating"]]
        out.append(
            {
                "id": pid,
                "number": None if r.n1 is None else int(r.n1),
                "title": r.t1,
                "supervisor": r.t3,
                "units": [x["name"] for x in mine],
                "items": mine,
                "state": state,
                "replied": bool(owed) and all(x["replied"] for x in owed),
                "overdue": any(x["overdue"] for x in owed),
                "rating": min(ratings, key=WORST_FIRST.index) if ratings else None,
            }
        )
    out.sort(key=lambda k: (k["number"] is None, k["number"] or 0, k["id"]))
    return out


def differences(api, ref, limit=None):
    """[(path, API value, reference value)] for every figure of ``ref`` that the API answers
    differently (a key proposal's number through the digits of its label)."""
    out = []

    def walk(path, a, b):
        if isinstance(b, dict):
            if not isinstance(a, dict):
                out.append((path, a, b))
                return
            for key, value in b.items():
                if key == "number" and "number_label" in a:
                    label = a.get("number_label")
                    digits = re.sub(r"\D", "", label) if label else None
                    walk(f"{path}.number", int(digits) if digits else None, value)
                elif key not in a:
                    out.append((f"{path}.{key}", "(missing)", value))
                else:
                    walk(f"{path}.{key}" if path else key, a[key], value)
        elif isinstance(b, list):
            if not isinstance(a, list) or len(a) != len(b):
                out.append(
                    (
                        path + "[]",
                        a if not isinstance(a, list) else f"{len(a)} rows",
                        f"{len(b)} rows",
                    )
                )
            else:
                for n, (x, y) in enumerate(zip(a, b, strict=True)):
                    walk(f"{path}[{n}]", x, y)
        elif a != b:
            out.append((path, a, b))

    walk("", api, ref)
    return out if limit is None else out[:limit]
