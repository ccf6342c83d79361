"""Sessions with a collection window (征集期) and reply deadlines per kind of proposal.

A proposal received (its receipt date in Beijing time) within its session's collection window is
a plenary proposal (大会提案), any other one a proposal between sessions (平时提案). The window
runs by default from three calendar months before the plenary opens to the plenary's last day.
The reply deadline at assignment follows the proposal's kind: ``reply_due_months_plenary`` for
大会提案, ``reply_due_months`` for 平时提案."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, insert, inspect, select, text

from proposals.committee import settings as committee_settings
from proposals.committee.calendar import add_months, local_date
from proposals.committee.models import CommitteeSession, Setting
from proposals.committee.service import create_session
from proposals.errors import ValidationError
from proposals.extensions import db
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows
from ..conftest import database_at


def sessions():
    return [
        (s.term, s.meeting, s.plenary_start, s.plenary_end, s.collection_start, s.collection_end)
        for s in db.session.scalars(select(CommitteeSession).order_by(CommitteeSession.id))
    ]


def received(world, moment):
    """A proposal of world.session received at ``moment`` (UTC)."""
    p = flows.draft(world)
    ops.submit_proposal(world.member, p, now=moment)
    db.session.commit()
    return p


# --- the window and the plenary rule -----------------------------------------------------------


def test_the_default_window_is_three_months_before_the_plenary_to_its_last_day(make):
    s = create_session(10, 7, 2030, date(2030, 1, 10), date(2030, 1, 14))
    assert (s.collection_start, s.collection_end) == (date(2029, 10, 10), date(2030, 1, 14))
    # calendar months: 31 May less three months is the last day of February
    s = create_session(10, 8, 2031, date(2031, 5, 31), date(2031, 6, 3))
    assert s.collection_start == date(2031, 2, 28)


def test_an_explicit_window_is_kept(make):
    s = create_session(
        10,
        7,
        2030,
        date(2030, 1, 10),
        date(2030, 1, 14),
        collection_start=date(2029, 12, 1),
        collection_end=date(2030, 1, 20),
    )
    assert (s.collection_start, s.collection_end) == (date(2029, 12, 1), date(2030, 1, 20))
    assert s.in_collection_window(date(2030, 1, 20)) and not s.in_collection_window(
        date(2029, 11, 30)
    )


def test_a_proposal_received_two_months_before_the_plenary_is_a_plenary_proposal(world):
    s = world.session  # plenary 10–14 January of this year
    two_months_before = add_months(s.plenary_start, -2)
    p = received(world, datetime.combine(two_months_before, datetime.min.time(), UTC))
    assert p.is_plenary is True


def test_a_proposal_received_after_the_window_is_not(world):
    s = world.session
    after = datetime(s.plenary_end.year, s.plenary_end.month, s.plenary_end.day + 1, 2, tzinfo=UTC)
    assert received(world, after).is_plenary is False


@pytest.mark.parametrize(
    "moment, plenary",
    [
        # Beijing is UTC+8: 16:30 UTC on the last day is already the next day there
        ("{end}T15:59", True),
        ("{end}T16:30", False),
        # the first day of the window, in Beijing time
        ("{before_start}T16:30", True),
        ("{before_start}T15:00", False),
    ],
)
def test_the_window_is_counted_in_beijing_time(world, moment, plenary):
    s = world.session
    before_start = date.fromordinal(s.collection_start.toordinal() - 1)
    at = datetime.fromisoformat(
        moment.format(end=s.collection_end.isoformat(), before_start=before_start.isoformat())
    ).replace(tzinfo=UTC)
    assert received(world, at).is_plenary is plenary


def test_a_cosigned_proposal_counts_from_its_receipt_when_the_cosigners_have_answered(world):
    s = world.session
    inside = datetime.combine(s.plenary_end, datetime.min.time(), UTC)
    p = flows.draft(world, cosigners=[world.member2])
    ops.submit_proposal(world.member, p, now=inside)
    assert p.is_plenary is None  # not received yet
    ops.respond_to_invitation(world.member2, p, True, now=inside)
    db.session.commit()
    assert p.submitted_at is not None and p.is_plenary is True


# --- the command line --------------------------------------------------------------------------

CREATE = {
    "--term": "10",
    "--meeting": "4",
    "--year": "2026",
    "--plenary-start": "2026-01-09",
    "--plenary-end": "2026-01-13",
}


def invoke(runner, **change):
    options = dict(CREATE, **change)
    args = ["sessions", "create"] + [x for kv in options.items() for x in kv if kv[1] is not None]
    return runner.invoke(args=args)


def test_sessions_create_takes_the_window(runner):
    result = invoke(
        runner, **{"--collection-start": "2025-11-01", "--collection-end": "2026-01-20"}
    )
    assert result.exit_code == 0, result.output
    s = db.session.scalar(select(CommitteeSession))
    assert (s.collection_start, s.collection_end) == (date(2025, 11, 1), date(2026, 1, 20))
    listing = runner.invoke(args=["sessions", "list"]).output
    assert "2025-11-01–2026-01-20" in listing


def test_sessions_create_defaults_the_window(runner):
    assert invoke(runner).exit_code == 0
    s = db.session.scalar(select(CommitteeSession))
    assert (s.collection_start, s.collection_end) == (date(2025, 10, 9), date(2026, 1, 13))
    # one end given, the other defaulted
    result = invoke(runner, **{"--meeting": "5", "--collection-start": "2025-12-01"})
    assert result.exit_code == 0, result.output
    s = db.session.scalar(select(CommitteeSession).where(CommitteeSession.meeting == 5))
    assert (s.collection_start, s.collection_end) == (date(2025, 12, 1), date(2026, 1, 13))


@pytest.mark.parametrize(
    "change, phrases",
    [
        (
            {"--collection-start": "2026-01-05", "--collection-end": "2026-01-01"},
            ("--collection-end", "征集截止日期不能早于征集开始日期"),
        ),
        ({"--collection-start": "2026-01-10"}, ("--collection-start", "不能晚于大会开始日期")),
        ({"--collection-end": "2026-01-12"}, ("--collection-end", "不能早于大会结束日期")),
        ({"--collection-start": "1 Nov 2025"}, ("--collection-start", "日期应为 YYYY-MM-DD")),
        ({"--collection-end": "2026-02-30"}, ("--collection-end", "日期应为 YYYY-MM-DD")),
    ],
)
def test_sessions_create_refuses_a_bad_window(runner, make, change, phrases):
    make.session(year=2025, term=10, meeting=3)
    db.session.commit()
    before = sessions()
    result = invoke(runner, **change)
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for phrase in phrases:
        assert phrase in result.output
    assert sessions() == before


# --- the admin's page --------------------------------------------------------------------------

FORM = {
    "term": "10",
    "meeting": "9",
    "year": "2030",
    "plenary_start": "2030-01-08",
    "plenary_end": "2030-01-12",
    "current": "y",
}


def test_the_admin_sets_the_window_or_takes_the_default(world, web):
    client = web(world.admin)
    page = client.get("/admin/sessions").get_data(as_text=True)
    assert "征集期" in page and "大会开始前三个月" in page  # the default is explained
    s = world.session
    assert f"{s.collection_start.isoformat()} – {s.collection_end.isoformat()}" in page
    resp = client.post(
        "/admin/sessions",
        data=dict(FORM, collection_start="2029-11-15", collection_end="2030-01-31"),
    )
    assert resp.status_code == 302
    new = db.session.scalar(select(CommitteeSession).where(CommitteeSession.meeting == 9))
    assert (new.collection_start, new.collection_end) == (date(2029, 11, 15), date(2030, 1, 31))
    assert "2029-11-15 – 2030-01-31" in client.get("/admin/sessions").get_data(as_text=True)
    resp = client.post(
        "/admin/sessions", data=dict(FORM, meeting="10", collection_start="", collection_end="")
    )
    assert resp.status_code == 302
    new = db.session.scalar(select(CommitteeSession).where(CommitteeSession.meeting == 10))
    assert (new.collection_start, new.collection_end) == (date(2029, 10, 8), date(2030, 1, 12))


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"collection_start": "2030-01-05", "collection_end": "2030-01-01"},
            "征集截止日期不能早于征集开始日期",
        ),
        ({"collection_start": "2030-01-09"}, "征集开始日期不能晚于大会开始日期"),
        ({"collection_end": "2030-01-11"}, "征集截止日期不能早于大会结束日期"),
        ({"collection_end": "soon"}, "不是有效的日期值"),
    ],
)
def test_the_admin_form_refuses_a_bad_window_and_changes_nothing(world, web, change, message):
    before = sessions()
    resp = web(world.admin).post("/admin/sessions", data=dict(FORM, **change))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in body
    assert sessions() == before


def test_the_service_names_the_field(make):
    with pytest.raises(ValidationError) as refused:
        create_session(
            10,
            7,
            2030,
            date(2030, 1, 10),
            date(2030, 1, 14),
            collection_start=date(2030, 1, 11),
            collection_end=date(2030, 1, 13),
        )
    assert set(refused.value.fields) == {"collection_start", "collection_end"}
    assert sessions() == []


def test_the_api_lists_the_window(world, api):
    body = api(world.member).get("/sessions").get_json()
    s = world.session
    [row] = [r for r in body if r["id"] == s.id]
    assert row["collection_start"] == s.collection_start.isoformat()
    assert row["collection_end"] == s.collection_end.isoformat()


# --- the migration ------------------------------------------------------------------------------


def test_the_migration_backfills_the_window_and_keeps_a_changed_reply_deadline(tmp_path):
    from flask_migrate import downgrade, upgrade

    with database_at(tmp_path, "e1f2a3b4c5d6") as (conn, t):
        conn.execute(
            insert(t["committee_sessions"]),
            {
                "id": 2,
                "term": 1,
                "meeting": 2,
                "year": 2026,
                "plenary_start": date(2026, 5, 31),
                "plenary_end": date(2026, 6, 2),
                "is_current": False,
            },
        )
        conn.execute(  # a proposal refers to the session SQLite copies to alter
            insert(t["proposals"]),
            {
                "id": 1,
                "version": 1,
                "session_id": 1,
                "proposer_id": 1,
                "kind": "individual",
                "state": "submitted",
                "title": "t",
                "category_id": 1,
                "analysis": "",
                "suggestions": "s",
                "is_plenary": False,
                "is_key": False,
                "is_excellent": False,
                "not_for_disclosure": False,
                "consultation_due": False,
                "created_at": datetime(2024, 11, 1, 2),
                "submitted_at": datetime(2024, 11, 1, 2),
            },
        )
        conn.execute(
            insert(t["settings"]),
            {"key": "reply_due_months", "value": "4", "updated_at": datetime(2025, 3, 1)},
        )
        db.session.commit()
        upgrade()
        rows = db.session.execute(
            text("SELECT id, collection_start, collection_end FROM committee_sessions ORDER BY id")
        ).all()
        assert [(r[0], str(r[1]), str(r[2])) for r in rows] == [
            (1, "2024-10-10", "2025-01-14"),
            (2, "2026-02-28", "2026-06-02"),
        ]
        # the proposal keeps its session and the kind it was given at receipt
        assert db.session.execute(text("SELECT session_id, is_plenary FROM proposals")).all() == [
            (1, 0)
        ]
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        # an admin who had changed the reply deadline keeps it for both kinds
        assert committee_settings.get("reply_due_months") == 4
        assert committee_settings.get("reply_due_months_plenary") == 4
        db.session.commit()
        downgrade(revision="e1f2a3b4c5d6")
        columns = {c["name"] for c in inspect(db.engine).get_columns("committee_sessions")}
        assert "collection_start" not in columns and "collection_end" not in columns
        keys = set(db.session.execute(text("SELECT key FROM settings")).scalars())
        assert keys == {"reply_due_months"}
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("SELECT session_id FROM proposals")).scalar() == 1
        db.session.commit()


def test_the_migration_leaves_the_defaults_alone(tmp_path):
    from flask_migrate import upgrade

    with database_at(tmp_path, "e1f2a3b4c5d6"):
        db.session.commit()
        upgrade()
        assert db.session.scalar(select(func.count()).select_from(Setting)) == 0


# --- reply deadlines per kind ------------------------------------------------------------------


def assigned_on(world, moment, due_date=None):
    p = received(world, moment)
    ops.review_proposal(world.secretariat, p, {"decision": "file"})
    ops.assign_proposal(
        world.secretariat, p, [{"code": world.unit_a.code, "role": "lead"}], due_date=due_date
    )
    db.session.commit()
    return p, loaded(p, "assignments").assignments[0]


def test_the_reply_deadline_follows_the_kind_of_proposal(world):
    committee_settings.set_value("reply_due_months_plenary", "2")
    committee_settings.set_value("reply_due_months", "5")
    db.session.commit()
    s = world.session
    today = local_date(datetime.now(UTC))
    plenary, a = assigned_on(world, datetime.combine(s.plenary_start, datetime.min.time(), UTC))
    assert plenary.is_plenary and a.reply_due == add_months(today, 2)
    after = datetime.combine(add_months(s.plenary_end, 1), datetime.min.time(), UTC)
    regular, b = assigned_on(world, after)
    assert regular.is_plenary is False and b.reply_due == add_months(today, 5)


def test_both_kinds_default_to_three_months(world):
    assert committee_settings.get("reply_due_months_plenary") == 3
    assert committee_settings.get("reply_due_months") == 3
    today = local_date(datetime.now(UTC))
    s = world.session
    _p, a = assigned_on(world, datetime.combine(s.plenary_start, datetime.min.time(), UTC))
    assert a.reply_due == add_months(today, 3)


def test_a_due_date_given_at_assignment_wins(world):
    committee_settings.set_value("reply_due_months_plenary", "2")
    db.session.commit()
    s = world.session
    due = add_months(local_date(datetime.now(UTC)), 4)
    _p, a = assigned_on(
        world, datetime.combine(s.plenary_start, datetime.min.time(), UTC), due_date=due.isoformat()
    )
    assert a.reply_due == due


@pytest.mark.parametrize(
    "key, value, phrase",
    [
        ("reply_due_months_plenary", "7", "extension_max_months"),
        ("reply_due_months_plenary", "0", "应在 1 到 12 之间"),
        ("opinion_due_months", "4", "reply_due_months_plenary"),
    ],
)
def test_the_plenary_deadline_is_checked_like_the_other(make, key, value, phrase):
    committee_settings.set_value("reply_due_months", "5")
    with pytest.raises(ValidationError) as refused:
        committee_settings.set_value(key, value)
    assert phrase in refused.value.fields[key]
