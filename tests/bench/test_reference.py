"""The benchmark's hand-written reference (bench/sql/annual.sql, read by bench/reference.py)
computes the same figures as proposals.stats.annual_figures, every one that comes from the
database, on both databases: over the constructed year of tests/test_stats.py (returned and
resubmitted, withdrawn, merged, not filed with each disposition, a reassigned item, a co-unit,
a second round after an unsatisfied rating, an approved extension, overdue items, key
proposals, a merged proposer's rating, dates in the past, a session) and over a small world of
its own for what that year lacks (an overdue second round within its extension, a split
proposal half replied, rows imported without review decisions)."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text

from bench.reference import differences, reference_figures
from proposals.accounts.models import User
from proposals.cli.committee import create_session
from proposals.committee.calendar import LOCAL_TZ
from proposals.committee.models import Category
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.handling.models import Assignment, Reply
from proposals.stats import annual_figures
from proposals.workflow import operations as ops
from proposals.workflow.models import Proposal

from ..conftest import wipe
from ..stats import test_figures as test_stats
from ..stats.test_figures import CZJ, JYJ, ZJJ, at


class Timeline(test_stats.Year):
    """The constructed year of tests/test_stats.py, its items and replies looked up by query
    (relationships that are not loaded raise)."""

    def item(self, key, code):
        return db.session.scalars(
            select(Assignment).where(
                Assignment.proposal_id == self.p[key].id,
                Assignment.department_id == self.units[code].id,
                Assignment.state != "reassigned",
            )
        ).one()

    def rate(self, key, code, rating, day, rater=None):
        a = self.item(key, code)
        reply = db.session.scalars(
            select(Reply).where(Reply.assignment_id == a.id).order_by(Reply.id.desc())
        ).first()
        rater = rater or db.session.get(User, self.p[key].proposer_id)
        hops.rate_reply(
            rater,
            reply,
            {"rating": rating, "comment": "意见" if rating == "unsatisfied" else None},
            now=at(day, 16),
        )


@pytest.fixture()
def year(app):
    """The constructed year, shared with tests/test_stats.py while no other test wiped it."""
    with app.app_context():
        built = test_stats._BUILT.get("year")
        if (
            built is None
            or db.session.scalar(select(Proposal.id).where(Proposal.title == "关于P1的建议"))
            != built["ids"]["P1"]
        ):
            wipe()
            built = test_stats._BUILT["year"] = Timeline().build()
            db.session.commit()
        yield built
        db.session.rollback()
        db.session.remove()


def reference(**kw):
    return reference_figures(db.session.connection(), **kw)


def agree(**kw):
    """The API's figures and the reference's, and what differs (nothing, we expect)."""
    api, ref = annual_figures(**kw), reference(**kw)
    return api, ref, differences(api, ref)


# the constructed year: dates around each of its events
YEAR_DATES = [
    "2025-01-13",
    "2025-01-31",
    "2025-03-07",
    "2025-03-11",
    "2025-04-08",
    "2025-04-09",
    "2025-04-12",
    "2025-04-16",
    "2025-05-20",
    "2025-05-31",
    "2025-06-01",
    "2025-06-30",
    "2025-07-02",
    "2025-09-03",
    "2025-09-05",
    "2025-12-31",
    "2026-02-12",
    "2026-03-31",
]


def test_the_reference_agrees_on_every_figure_of_the_constructed_year(year):
    for day in YEAR_DATES:
        api, ref, differ = agree(year=2025, as_of=date.fromisoformat(day))
        assert differ == [], (day, differ)
    # what the dates above went through (so that the comparison compared something)
    api, ref, _ = agree(year=2025, as_of=date(2025, 12, 31))
    assert (ref["received"], ref["filed"], ref["overdue_items"], ref["extended_items"]) == (
        16,
        9,
        1,
        1,
    )
    assert len(ref["key_proposals"]) == 2 and len(ref["by_department"]) == 3


@pytest.mark.parametrize(
    "kw",
    [
        {"year": 2024, "as_of": "2024-12-31"},
        {"year": 2024, "as_of": "2024-04-02"},
        {"year": 2026, "as_of": "2026-03-31"},
        {"year": 2025},
        {"year": 2023},
    ],
)
def test_the_reference_agrees_on_other_years_and_as_of_today(year, kw):
    kw = dict(kw)
    if "as_of" in kw:
        kw["as_of"] = date.fromisoformat(kw["as_of"])
    _api, _ref, differ = agree(**kw)
    assert differ == []


def test_the_reference_agrees_for_a_session(year):
    for session, day in (
        (year["s2025"], "2025-12-31"),
        (year["s2025"], "2025-05-31"),
        (year["s2024"], "2024-12-31"),
    ):
        _api, ref, differ = agree(session_id=session, as_of=date.fromisoformat(day))
        assert differ == [], (session, day, differ)
    assert ref["received"] == 2


def test_a_difference_is_reported_with_its_path(year):
    api = annual_figures(year=2025, as_of=date(2025, 12, 31))
    ref = reference(year=2025, as_of=date(2025, 12, 31))
    assert differences(api, ref) == []
    ref["by_department"][0]["overdue"] += 1
    ref["key_proposals"][1]["items"][0]["rating"] = "satisfied"
    ref["monthly"][3]["received"] -= 1
    ref["satisfaction"]["awaiting_rating"] += 2
    ref["by_sector"].pop()
    api["key_proposals"][0]["number_label"] = "第0042号"
    paths = [p for p, _a, _b in differences(api, ref)]
    assert sorted(paths) == sorted(
        [
            "satisfaction.awaiting_rating",
            "by_department[0].overdue",
            "by_sector[]",
            "monthly[3].received",
            "key_proposals[0].number",
            "key_proposals[1].items[0].rating",
        ]
    )


# --- a world of its own: what the constructed year does not have ----------------------------


class Extra(Timeline):
    def build(self):
        self.people()
        p = self.p
        create_session(10, 1, 2023, date(2023, 1, 10), date(2023, 1, 14), True)
        # X1: a lead and a co-unit; replied, rated unsatisfied, its second round extended,
        # overdue after the extension
        self.new("X1", self.m[1], "economy", "2023-01-11")
        self.review("X1", "2023-01-16", "file")
        ops.mark_key(self.sec, p["X1"], True, "leader", now=at("2023-01-16", 15))
        self.assign("X1", "2023-02-01", (ZJJ, "lead"), (JYJ, "co"))
        self.accept("X1", ZJJ, "2023-02-02")
        self.accept("X1", JYJ, "2023-02-02")
        self.contact("X1", ZJJ, "2023-02-03")
        co = self.item("X1", JYJ)
        hops.submit_opinion(self.clerk(co), co, "会办意见：同意。", now=at("2023-02-10"))
        self.reply("X1", ZJJ, "C", "2023-03-01")
        self.rate("X1", ZJJ, "unsatisfied", "2023-03-05")
        second = self.item("X1", ZJJ)
        hops.request_extension(
            self.clerk(second),
            second,
            {"until": "2023-07-20", "reason": "需二次协调"},
            now=at("2023-05-18"),
        )
        hops.decide_extension(self.sec, second, {"approve": True}, now=at("2023-05-20"))
        # X2: split between two units; one replies, the other never does
        self.new("X2", self.m[2], "society", "2023-01-12", cosigners=(self.m[3],), submit=False)
        ops.submit_proposal(self.m[2], p["X2"], now=at("2023-01-12"))
        ops.respond_to_invitation(self.m[3], p["X2"], True, now=at("2023-01-12", 11))
        self.review("X2", "2023-01-16", "file")
        ops.mark_key(self.sec, p["X2"], True, "leader", now=at("2023-01-16", 16))
        self.assign("X2", "2023-02-01", (ZJJ, "lead"), (CZJ, "lead"))
        for code in (ZJJ, CZJ):
            self.accept("X2", code, "2023-02-02")
        self.contact("X2", ZJJ, "2023-02-03")
        self.reply("X2", ZJJ, "B", "2023-03-10")
        self.rate("X2", ZJJ, "basically_satisfied", "2023-03-12")
        # X3: filed, never assigned; X4: not filed
        self.new("X3", self.org1, "politics", "2023-02-20")
        self.review("X3", "2023-02-22", "file")
        self.new("X4", self.m[4], "ecology", "2023-02-21")
        self.review("X4", "2023-02-23", "not_file", reason_code="other", disposition="social_info")
        # X1's second reply, late (due 7-20 with its extension), then satisfied
        self.reply("X1", ZJJ, "A", "2023-08-01")
        self.rate("X1", ZJJ, "satisfied", "2023-08-05")
        # rows imported without any review decision: their state is their outcome
        session_id = p["X1"].session_id
        economy = db.session.scalar(select(Category.id).where(Category.code == "economy"))
        other = db.session.scalar(text("SELECT id FROM not_filed_reasons WHERE code = 'other'"))
        moment = datetime(2023, 3, 1, 10, tzinfo=LOCAL_TZ)
        common = {
            "session_id": session_id,
            "kind": "individual",
            "category_id": economy,
            "analysis": "",
            "suggestions": "建议",
            "submitted_at": moment,
        }
        db.session.execute(
            insert(Proposal),
            [
                dict(
                    common,
                    proposer_id=self.m[5].id,
                    state="closed",
                    title="导入的立案提案",
                    receipt_serial=901,
                    number=901,
                    filed_at=moment + timedelta(days=3),
                    closed_at=moment + timedelta(days=90),
                ),
                dict(
                    common,
                    proposer_id=self.m[6].id,
                    state="not_filed",
                    title="导入的不立案提案",
                    receipt_serial=902,
                    not_filed_reason_id=other,
                    not_filed_disposition="letter",
                ),
                dict(
                    common,
                    proposer_id=self.m[6].id,
                    state="submitted",
                    title="导入的待审提案",
                    receipt_serial=903,
                ),
            ],
        )
        db.session.flush()


@pytest.fixture()
def extra(ctx):
    Extra().build()
    db.session.commit()
    return ctx


EXTRA_DATES = [
    "2023-01-31",
    "2023-02-28",
    "2023-03-06",
    "2023-03-11",
    "2023-05-19",
    "2023-06-10",
    "2023-07-21",
    "2023-07-25",
    "2023-08-02",
    "2023-12-31",
]


def test_the_reference_agrees_on_a_world_of_its_own(extra):
    seen = {}
    for day in EXTRA_DATES:
        api, ref, differ = agree(year=2023, as_of=date.fromisoformat(day))
        assert differ == [], (day, differ)
        seen[day] = ref
    # the cases are there: X1 overdue in its second round only after its extension, X2 half
    # replied, the imported rows counted by their state
    assert [k["overdue"] for k in seen["2023-06-10"]["key_proposals"]] == [False, True]
    assert seen["2023-06-10"]["extended_items"] == 1
    assert [k["overdue"] for k in seen["2023-07-25"]["key_proposals"]] == [True, True]
    assert seen["2023-07-25"]["overdue_items"] == 2
    end = seen["2023-12-31"]
    assert (end["received"], end["filed"], end["not_filed"], end["pending_review"]) == (7, 4, 2, 1)
    assert end["not_filed_by_disposition"]["letter"] == 1
    assert end["replied_proposals"] == 1  # X1; X2 waits for CZJ
    assert [k["rating"] for k in end["key_proposals"]] == ["satisfied", "basically_satisfied"]
