"""Snapshot the whole database so that a refused call can be shown to have changed nothing.

A snapshot holds the row count of every table, the (id, state, version) of every proposal,
assignment and reply, the history row count, the counters, and the full content of every row;
:func:`assert_unchanged` compares two and names what differs.
"""

from sqlalchemy import select

from proposals.extensions import db

TRACKED = ("proposals", "assignments", "replies")
# bookkeeping that a refusal is meant to write: the audit record of the refusal and
# the login session's "last seen" time
BOOKKEEPING = ("audit_events", "login_sessions")


def _rows(table):
    order = list(table.primary_key.columns) or list(table.columns)
    return [tuple(row) for row in db.session.execute(select(table).order_by(*order))]


def snapshot():
    db.session.commit()  # end the test's own transaction: read what the requests committed
    tables = [t for t in db.metadata.sorted_tables if t.name not in BOOKKEEPING]
    rows = {t.name: _rows(t) for t in tables}
    db.session.commit()
    columns = {t.name: [c.name for c in t.columns] for t in tables}

    def pick(table, *names):
        idx = [columns[table].index(n) for n in names]
        return [tuple(r[i] for i in idx) for r in rows[table]]

    snap = {
        "counts": {name: len(r) for name, r in rows.items()},
        "history": len(rows["history"]),
        "counters": pick("counters", "session_id", "kind", "last_value"),
        "rows": rows,
    }
    for name in TRACKED:
        snap[name] = pick(name, "id", "state", "version")
    return snap


def differences(before, after):
    out = []
    for key in ("counts", "history", "counters", *TRACKED):
        if before[key] != after[key]:
            out.append(f"{key}: {before[key]!r} -> {after[key]!r}")
    for name, rows in before["rows"].items():
        if rows != after["rows"].get(name):
            out.append(f"rows of {name} changed")
    return out


def assert_unchanged(before):
    after = snapshot()
    diff = differences(before, after)
    assert not diff, "the refused call changed the database: " + "; ".join(diff)


def assert_refused(resp, status, code, before, field=None):
    """A refusal with the API's error shape, the field named when given, and nothing changed."""
    body = resp.get_json()
    assert resp.status_code == status, (resp.status_code, body)
    assert body["error"]["code"] == code, body
    assert body["error"]["message"], body
    if field is not None:
        assert field in body["error"].get("fields", {}), body
    assert_unchanged(before)
    return body
