"""The annual figures of docs/domain.md (proposals/stats): exact numbers over a constructed
committee year driven through the operations with backdated ``now=``, the headline's variants,
the API and the command line, and a fixed number of SQL statements whatever the data size.

The year (2025, with a small 2024 and one 2026 proposal around it), event by event in
``build_year``; every expected number below can be checked against that timeline:

  P1  m1 individual, economy, key     filed #1, sole 住建 (ZJJ), A on time, satisfied
  P7  m4, economy                     merged into P1 (m4 also rates P1's reply: not counted)
  P2  m2 joint (m3, m7 accept; m4     filed #2, split ZJJ (B, basically) + CZJ (C, satisfied)
      declines), society
  P3  org1 party collective, politics filed #3, lead CZJ + co 教育 (JYJ); CZJ extended to 6-30,
                                      replies 6-10 (after its first deadline): on time, satisfied
  P4  m1, culture                     filed #4, sole JYJ: late reply (unsatisfied) → re-handled,
                                      second reply on time, satisfied
  P5  m3, society                     filed #5, sole ZJJ, B on time, never rated (unrated)
  P13 m3, culture                     submitted 3-01, returned 3-05, resubmitted 3-10, filed #6,
                                      sole ZJJ, A, satisfied
  P16 m5, politics                    filed #7, ZJJ asks reassignment → CZJ, A, basically
  P6  m2, economy, key                filed #8, sole CZJ (due 9-02): overdue at year end,
                                      replied late on 2026-02-10, satisfied
  P8–P11                              not filed: opinion, letter, social_info, none (P11 by
                                      org2, an 'organization' collective)
  P12 m4, ecology                     withdrawn
  P17 m5, culture                     submitted 9-01, returned 9-05, never resubmitted (draft)
  P14 m1, society                     submitted 12-08, filed #9, sole JYJ, replied 2026-01-20,
                                      basically satisfied
  P15 m5, ecology                     submitted 12-28, pending review
  not counted: m6's draft, m6's proposal awaiting its co-signer, Q1/Q2 (2024), R1 (2026)
"""

import json
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import insert, select, text

from proposals.accounts.models import Department, User
from proposals.cli.committee import create_session
from proposals.committee.calendar import LOCAL_TZ, local_date, utcnow
from proposals.committee.models import Category
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.handling.models import Assignment, Rating, Reply
from proposals.stats import annual_figures
from proposals.stats.headline import percent
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from ..conftest import LONG, ApiClient, database_at, recorded, wipe

ZJJ, CZJ, JYJ = "ZJJ", "CZJ", "JYJ"
UNIT_NAMES = {ZJJ: "市住房和城乡建设局", CZJ: "市财政局", JYJ: "市教育局"}


def at(day, hour=10):
    """A local (Asia/Shanghai) moment on ``day`` ("2025-04-10")."""
    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=LOCAL_TZ)


class Year:
    """Builds the committee of the module docstring through the operations."""

    def __init__(self):
        self.p = {}

    def user(self, username, role="member", name=None, **kw):
        u = User(username=username, name=name or username, role=role, password_hash="!", **kw)
        db.session.add(u)
        db.session.flush()
        return u

    def people(self):
        self.sec = self.user("sec", "secretariat", "办公室")
        self.leader = self.user("leader", "secretariat", "王主席")
        self.m = {
            1: self.user("m1", sector="经济界"),
            2: self.user("m2", sector="教育界"),
            3: self.user("m3", sector="经济界"),
            4: self.user("m4", sector="医卫界"),
            5: self.user("m5"),
            6: self.user("m6", sector="农业界"),
            7: self.user("m7", sector="教育界"),
        }
        self.org1 = self.user("org1", name="民盟市委", org_type="party")
        self.org2 = self.user("org2", name="市总工会", org_type="organization")
        self.units, self.staff = {}, {}
        for code, name in UNIT_NAMES.items():
            unit = Department(code=code, name=name)
            db.session.add(unit)
            db.session.flush()
            self.units[code] = unit
            self.staff[unit.id] = (
                self.user(code.lower() + "_clerk", "clerk", department=unit),
                self.user(code.lower() + "_head", "department_head", department=unit),
            )

    # --- proposals -----------------------------------------------------------------------
    def new(self, key, proposer, category, day, cosigners=(), submit=True):
        data = {
            "title": f"关于{key}的建议",
            "category": category,
            "analysis": "情况分析：" + "情况说明。" * 10,
            "suggestions": LONG,
        }
        if cosigners:
            data["cosigners"] = [u.username for u in cosigners]
        p = ops.create_proposal(proposer, data, now=at(day, 9))
        self.p[key] = p
        if submit:
            ops.submit_proposal(proposer, p, now=at(day))
        return p

    def review(self, key, day, decision, **data):
        ops.review_proposal(self.sec, self.p[key], dict(data, decision=decision), now=at(day, 14))

    def assign(self, key, day, *plan):
        ops.assign_proposal(
            self.sec, self.p[key], [{"code": c, "role": r} for c, r in plan], now=at(day)
        )

    def item(self, key, code):
        unit = self.units[code]
        return next(
            a
            for a in loaded(self.p[key], "assignments").assignments
            if a.department_id == unit.id and a.state != "reassigned"
        )

    def clerk(self, a):
        return self.staff[a.department_id][0]

    def accept(self, key, code, day):
        a = self.item(key, code)
        hops.accept_assignment(self.clerk(a), a, now=at(day))

    def contact(self, key, code, day):
        a = self.item(key, code)
        hops.record_contact(
            self.clerk(a), a, {"mode": "phone", "date": day, "summary": "电话沟通"}, now=at(day)
        )

    def reply(self, key, code, result, day):
        a = self.item(key, code)
        clerk, head = self.staff[a.department_id]
        data = {
            "result": result,
            "text": "答复正文：逐条答复如下。",
            "signer": "局长",
            "contact": "赵某 0571-88888888",
        }
        if result == "B":
            data["promised_date"] = "2026-12-31"
        reply = hops.draft_reply(clerk, a, data, now=at(day, 9))
        hops.signoff_reply(head, reply, {"approve": True}, now=at(day, 11))
        hops.review_reply(self.sec, reply, {"approve": True}, now=at(day, 15))
        return reply

    def rate(self, key, code, rating, day, rater=None):
        a = self.item(key, code)
        reply = loaded(a, "replies").replies[-1]
        hops.rate_reply(
            rater or self.p[key].proposer,
            reply,
            {"rating": rating, "comment": "意见" if rating == "unsatisfied" else None},
            now=at(day, 16),
        )

    def build(self):
        """The timeline, in date order (proposal numbers follow the order of filing)."""
        self.people()
        p, m = self.p, self.m
        s2024 = create_session(10, 2, 2024, date(2024, 1, 15), date(2024, 1, 19), True)
        # --- 2024: Q1 filed, replied and rated in the year; Q2 not filed --------------------
        self.new("Q1", m[1], "economy", "2024-01-16")
        self.review("Q1", "2024-01-22", "file")
        self.new("Q2", m[2], "society", "2024-02-01")
        self.review("Q2", "2024-02-05", "not_file", reason_code="other", disposition="none")
        self.assign("Q1", "2024-02-01", (ZJJ, "lead"))
        self.accept("Q1", ZJJ, "2024-02-02")
        self.contact("Q1", ZJJ, "2024-02-05")
        self.reply("Q1", ZJJ, "A", "2024-04-01")
        self.rate("Q1", ZJJ, "satisfied", "2024-04-05")
        # --- 2025 ---------------------------------------------------------------------------
        self.s2025 = create_session(10, 3, 2025, date(2025, 1, 10), date(2025, 1, 14), True)
        self.new("P2", m[2], "society", "2025-01-11", cosigners=(m[3], m[4], m[7]), submit=False)
        self.new("P1", m[1], "economy", "2025-01-12")
        ops.submit_proposal(m[2], p["P2"], now=at("2025-01-12"))
        ops.respond_to_invitation(m[3], p["P2"], True, now=at("2025-01-12", 11))
        ops.respond_to_invitation(m[7], p["P2"], True, now=at("2025-01-12", 12))
        ops.respond_to_invitation(m[4], p["P2"], False, now=at("2025-01-13"))
        self.new("P7", m[4], "economy", "2025-01-13")
        self.new("P3", self.org1, "politics", "2025-01-14")
        self.review("P1", "2025-01-20", "file")
        ops.mark_key(self.sec, p["P1"], True, "leader", now=at("2025-01-20", 15))
        self.review("P7", "2025-01-21", "merge", merge_into=p["P1"].id)
        self.review("P2", "2025-01-22", "file")
        self.review("P3", "2025-01-22", "file")
        self.assign("P1", "2025-02-03", (ZJJ, "lead"))
        self.accept("P1", ZJJ, "2025-02-04")
        self.assign("P2", "2025-02-05", (ZJJ, "lead"), (CZJ, "lead"))
        self.assign("P3", "2025-02-05", (CZJ, "lead"), (JYJ, "co"))
        for key, code in (("P2", ZJJ), ("P2", CZJ), ("P3", CZJ), ("P3", JYJ)):
            self.accept(key, code, "2025-02-06")
        self.contact("P1", ZJJ, "2025-02-10")
        self.new("P4", m[1], "culture", "2025-02-10")
        for key, code in (("P2", ZJJ), ("P2", CZJ), ("P3", CZJ)):
            self.contact(key, code, "2025-02-12")
        self.review("P4", "2025-02-14", "file")
        self.assign("P4", "2025-02-17", (JYJ, "lead"))
        self.accept("P4", JYJ, "2025-02-18")
        self.contact("P4", JYJ, "2025-02-20")
        co = self.item("P3", JYJ)
        hops.submit_opinion(self.clerk(co), co, "会办意见：同意。", now=at("2025-02-20"))
        self.new("P13", m[3], "culture", "2025-02-25", submit=False)
        ops.submit_proposal(m[3], p["P13"], now=at("2025-03-01"))
        self.new("P5", m[3], "society", "2025-03-03")
        self.review("P5", "2025-03-05", "file")
        self.review("P13", "2025-03-05", "return", comment="请补充具体建议")
        self.assign("P5", "2025-03-10", (ZJJ, "lead"))
        ops.submit_proposal(m[3], p["P13"], now=at("2025-03-10"))
        self.accept("P5", ZJJ, "2025-03-11")
        self.contact("P5", ZJJ, "2025-03-12")
        self.review("P13", "2025-03-12", "file")
        self.assign("P13", "2025-03-17", (ZJJ, "lead"))
        self.accept("P13", ZJJ, "2025-03-18")
        self.contact("P13", ZJJ, "2025-03-20")
        self.new("P16", m[5], "politics", "2025-04-01")
        self.review("P16", "2025-04-03", "file")
        self.assign("P16", "2025-04-07", (ZJJ, "lead"))
        first = self.item("P16", ZJJ)
        hops.request_reassignment(self.clerk(first), first, "不属本单位职责", now=at("2025-04-08"))
        hops.decide_reassignment(
            self.sec, first, {"approve": True, "department": CZJ}, now=at("2025-04-09")
        )
        self.accept("P16", CZJ, "2025-04-10")
        self.new("P8", m[5], "economy", "2025-04-10")
        self.reply("P1", ZJJ, "A", "2025-04-10")
        self.new("P9", m[2], "society", "2025-04-11")
        self.new("P10", m[4], "culture", "2025-04-12")
        self.new("P11", self.org2, "ecology", "2025-04-13")
        self.review("P8", "2025-04-15", "not_file", reason_code="other", disposition="opinion")
        self.review("P9", "2025-04-15", "not_file", reason_code="personal", disposition="letter")
        self.rate("P1", ZJJ, "satisfied", "2025-04-15")
        self.contact("P16", CZJ, "2025-04-15")
        self.review("P10", "2025-04-16", "not_file", reason_code="other", disposition="social_info")
        self.review("P11", "2025-04-16", "not_file", reason_code="out_of_remit", disposition="none")
        self.rate("P1", ZJJ, "unsatisfied", "2025-04-16", rater=m[4])  # merged proposer
        self.reply("P2", ZJJ, "B", "2025-04-20")
        lead = self.item("P3", CZJ)
        hops.request_extension(
            self.clerk(lead),
            lead,
            {"until": "2025-06-30", "reason": "需跨部门协调"},
            now=at("2025-04-20"),
        )
        hops.decide_extension(self.sec, lead, {"approve": True}, now=at("2025-04-22"))
        self.rate("P2", ZJJ, "basically_satisfied", "2025-04-25")
        self.reply("P2", CZJ, "C", "2025-04-28")
        self.new("D1", m[6], "economy", "2025-05-01", submit=False)  # a draft, never counted
        self.rate("P2", CZJ, "satisfied", "2025-05-06")
        self.new("P6", m[2], "economy", "2025-05-06")
        self.review("P6", "2025-05-12", "file")
        ops.mark_key(self.sec, p["P6"], True, "leader", now=at("2025-05-12", 15))
        self.reply("P5", ZJJ, "B", "2025-05-15")
        self.reply("P13", ZJJ, "A", "2025-05-20")
        self.rate("P13", ZJJ, "satisfied", "2025-05-22")
        self.reply("P4", JYJ, "C", "2025-05-26")  # due 5-17: late
        self.rate("P4", JYJ, "unsatisfied", "2025-05-30")  # re-handling, due 8-30
        self.assign("P6", "2025-06-02", (CZJ, "lead"))  # due 9-02
        self.accept("P6", CZJ, "2025-06-03")
        self.contact("P6", CZJ, "2025-06-10")
        self.reply("P3", CZJ, "A", "2025-06-10")
        self.rate("P3", CZJ, "satisfied", "2025-06-15")
        self.reply("P16", CZJ, "A", "2025-06-20")
        self.rate("P16", CZJ, "basically_satisfied", "2025-06-25")
        expired = hops.expire_ratings(now=at("2025-07-01", 1))  # P5's window closed 6-06
        assert [r.assignment.proposal_id for r in expired] == [p["P5"].id]
        self.new("P12", m[4], "ecology", "2025-07-01")
        ops.withdraw_proposal(m[4], p["P12"], "问题已解决", now=at("2025-07-03"))
        self.reply("P4", JYJ, "A", "2025-08-20")
        self.rate("P4", JYJ, "satisfied", "2025-08-25")
        self.new("P17", m[5], "culture", "2025-09-01")
        self.review("P17", "2025-09-05", "return", comment="请补充情况分析")
        self.new("W1", m[6], "economy", "2025-11-03", cosigners=(m[1],))  # awaiting
        self.new("P14", m[1], "society", "2025-12-08")
        self.review("P14", "2025-12-10", "file")
        self.assign("P14", "2025-12-12", (JYJ, "lead"))  # due 2026-03-12
        self.accept("P14", JYJ, "2025-12-15")
        self.contact("P14", JYJ, "2025-12-18")
        self.new("P15", m[5], "ecology", "2025-12-28")
        # --- 2026 ---------------------------------------------------------------------------
        create_session(10, 4, 2026, date(2026, 1, 12), date(2026, 1, 16), True)
        self.new("R1", m[1], "economy", "2026-01-05")
        self.reply("P14", JYJ, "A", "2026-01-20")
        self.rate("P14", JYJ, "basically_satisfied", "2026-01-25")
        self.reply("P6", CZJ, "C", "2026-02-10")  # due 2025-09-02: late
        self.rate("P6", CZJ, "satisfied", "2026-02-16")
        m[7].active = False  # left the committee: no longer an active member
        db.session.flush()
        assert p["P2"].kind == "joint" and p["P3"].kind == "collective"
        assert [
            p[k].number for k in ("P1", "P2", "P3", "P4", "P5", "P13", "P16", "P6", "P14")
        ] == list(range(1, 10))
        return {"ids": {k: v.id for k, v in p.items()}, "s2024": s2024.id, "s2025": self.s2025.id}


_BUILT = {}


@pytest.fixture()
def year(app):
    """The constructed year, built once and kept while no other test wipes the database (one
    that does, e.g. through the ``ctx`` fixture, gets it rebuilt)."""
    with app.app_context():
        built = _BUILT.get("year")
        if (
            built is None
            or db.session.scalar(select(Proposal.id).where(Proposal.title == "关于P1的建议"))
            != built["ids"]["P1"]
        ):
            wipe()
            built = _BUILT["year"] = Year().build()
            db.session.commit()
        yield built
        db.session.rollback()
        db.session.remove()


def figures(as_of, year_=2025, **kw):
    return annual_figures(year=year_, as_of=date.fromisoformat(as_of), **kw)


# --- intake: received and its buckets --------------------------------------------------------


def test_received_and_its_buckets_at_the_end_of_the_year(year):
    f = figures("2025-12-31")
    assert f["year"] == 2025 and f["as_of"] == "2025-12-31"
    assert f["period"] == {"kind": "year", "year": 2025, "session": None, "label": "2025 年"}
    assert (
        f["received"],
        f["filed"],
        f["merged"],
        f["not_filed"],
        f["withdrawn"],
        f["pending_review"],
    ) == (16, 9, 1, 4, 1, 1)
    assert f["received"] == (
        f["filed"] + f["merged"] + f["not_filed"] + f["withdrawn"] + f["pending_review"]
    )
    assert f["filing_rate"] == 0.5625
    assert f["not_filed_by_disposition"] == {"opinion": 1, "letter": 1, "social_info": 1, "none": 1}


def test_by_kind_by_organisation_type_by_category_and_by_sector(year):
    f = figures("2025-12-31")
    assert f["by_kind"] == {"individual": 13, "joint": 1, "collective": 2}
    assert f["collective_by_org_type"] == {
        "party": 1,
        "organization": 1,
        "sector": 0,
        "special_committee": 0,
    }
    assert f["by_category"] == [
        {"code": "economy", "name": "经济建设", "received": 4, "filed": 2},
        {"code": "politics", "name": "政治建设", "received": 2, "filed": 2},
        {"code": "culture", "name": "文化建设", "received": 3, "filed": 2},
        {"code": "society", "name": "社会建设", "received": 4, "filed": 3},
        {"code": "ecology", "name": "生态文明建设", "received": 3, "filed": 0},
    ]
    assert f["by_sector"] == [
        {"sector": "经济界", "received": 5},
        {"sector": None, "received": 5},
        {"sector": "医卫界", "received": 3},
        {"sector": "教育界", "received": 3},
    ]


def test_participation_counts_active_individual_members_who_proposed_or_cosigned(year):
    """m1–m5 proposed or co-signed (m3 both); m6 only drafted and invited; m7 co-signed but is
    no longer active; organisation accounts are not members."""
    assert figures("2025-12-31")["participation"] == {
        "members": 5,
        "active_members": 6,
        "rate": 0.8333,
    }
    # on 31 January: m1, m2, m4 (proposers) and m3 (co-signer); org1 does not count
    assert figures("2025-01-31")["participation"] == {
        "members": 4,
        "active_members": 6,
        "rate": 0.6667,
    }


def test_a_proposal_returned_for_revision_counts_once_and_not_while_it_is_a_draft(year):
    ids = year["ids"]
    # P13 returned on 3-05, resubmitted 3-10: a draft in between
    f = figures("2025-03-07")
    assert (f["received"], f["filed"], f["merged"], f["pending_review"]) == (6, 5, 1, 0)
    f = figures("2025-03-11")
    assert (f["received"], f["filed"], f["pending_review"]) == (7, 5, 1)
    f = figures("2025-03-31")
    assert (f["received"], f["filed"], f["pending_review"]) == (7, 6, 0)
    # P17 submitted 9-01 and returned 9-05: pending review in between, then never counted
    f = figures("2025-09-03")
    assert (f["received"], f["filed"], f["withdrawn"], f["pending_review"]) == (15, 8, 1, 1)
    assert figures("2025-09-05")["received"] == 14
    assert db.session.get(Proposal, ids["P17"]).state == "draft"


def test_buckets_as_of_a_date_follow_the_decisions_and_the_withdrawal_then(year):
    f = figures("2025-04-12")  # P8–P10 in, not yet reviewed
    assert (f["received"], f["filed"], f["merged"], f["not_filed"], f["pending_review"]) == (
        11,
        7,
        1,
        0,
        3,
    )
    f = figures("2025-07-02")  # P12 submitted 7-01, withdrawn 7-03
    assert (f["withdrawn"], f["pending_review"], f["received"]) == (0, 1, 14)
    f = figures("2025-07-03")
    assert (f["withdrawn"], f["pending_review"], f["received"]) == (1, 0, 14)


def test_the_monthly_series_counts_submissions_and_deliveries(year):
    f = figures("2025-12-31")
    assert [m["month"] for m in f["monthly"]] == [f"2025-{n:02d}" for n in range(1, 13)]
    assert [m["received"] for m in f["monthly"]] == [4, 1, 2, 5, 1, 0, 1, 0, 0, 0, 0, 2]
    assert [m["replies_delivered"] for m in f["monthly"]] == [0, 0, 0, 3, 3, 2, 0, 1, 0, 0, 0, 0]


# --- handling: unit-items, replies, results, satisfaction ---------------------------------------


def test_unit_items_replies_and_on_time_at_the_end_of_the_year(year):
    f = figures("2025-12-31")
    assert f["units_involved"] == 3
    assert f["assignment_items"] == 11  # split P2 = 2, lead + co P3 = 2, reassigned P16 = 1
    assert (f["co_handling_items"], f["reply_items"], f["accepted_items"]) == (1, 10, 11)
    assert f["replied_items"] == 8  # all but P6 (overdue) and P14 (replied in January)
    assert (f["replied_proposals"], f["reply_rate"]) == (7, 0.7778)
    assert f["replied_proposals_by_year_end"] == 7
    # nine replies delivered (P4 twice); P4's first was late; P3's came after its first
    # deadline but within the extension
    assert (f["replies_delivered"], f["replies_on_time"], f["on_time_rate"]) == (9, 8, 0.8889)
    assert (f["overdue_items"], f["extended_items"]) == (1, 1)
    assert f["results"] == {"A": 5, "B": 2, "C": 1}  # P4 counts its second reply (A)


def test_satisfaction_counts_each_item_once_by_its_latest_primary_rating(year):
    f = figures("2025-12-31")
    # P4: unsatisfied, then satisfied after re-handling; P5 unrated; m4's rating of P1's reply
    # (as the proposer of the merged P7) is not the first proposer's and is not counted
    assert f["satisfaction"] == {
        "satisfied": 5,
        "basically_satisfied": 2,
        "unsatisfied": 0,
        "unrated": 1,
        "awaiting_rating": 0,
        "rated": 7,
        "rate": 1.0,
        "strict_rate": 0.7143,
    }
    f = figures("2025-06-30")  # P4 between its two ratings
    assert f["satisfaction"] == {
        "satisfied": 4,
        "basically_satisfied": 2,
        "unsatisfied": 1,
        "unrated": 1,
        "awaiting_rating": 0,
        "rated": 7,
        "rate": 0.8571,
        "strict_rate": 0.5714,
    }
    f = figures("2025-06-01")  # P5's rating window still open (until 6-06)
    assert f["satisfaction"]["unrated"] == f["satisfaction"]["awaiting_rating"] == 1


def test_per_unit_figures(year):
    f = figures("2025-12-31")
    assert f["by_department"] == [
        {
            "code": CZJ,
            "name": "市财政局",
            "assigned": 4,
            "co_handled": 0,
            "accepted": 4,
            "replied": 3,
            "replies_delivered": 3,
            "on_time": 3,
            "overdue": 1,
            "extended": 1,
            "results": {"A": 2, "B": 0, "C": 1},
            "rated": 3,
            "satisfied": 2,
            "basically_satisfied": 1,
            "unsatisfied": 0,
            "unrated": 0,
            "satisfaction_rate": 1.0,
            "on_time_rate": 1.0,
        },
        {
            "code": JYJ,
            "name": "市教育局",
            "assigned": 3,
            "co_handled": 1,
            "accepted": 3,
            "replied": 1,
            "replies_delivered": 2,
            "on_time": 0,  # items: P4's first reply was late
            "overdue": 0,
            "extended": 0,
            "results": {"A": 1, "B": 0, "C": 0},
            "rated": 1,
            "satisfied": 1,
            "basically_satisfied": 0,
            "unsatisfied": 0,
            "unrated": 0,
            "satisfaction_rate": 1.0,
            "on_time_rate": 0.0,
        },
        {
            "code": ZJJ,
            "name": "市住房和城乡建设局",
            "assigned": 4,
            "co_handled": 0,
            "accepted": 4,
            "replied": 4,
            "replies_delivered": 4,
            "on_time": 4,
            "overdue": 0,
            "extended": 0,
            "results": {"A": 2, "B": 2, "C": 0},
            "rated": 3,
            "satisfied": 2,
            "basically_satisfied": 1,
            "unsatisfied": 0,
            "unrated": 1,
            "satisfaction_rate": 1.0,
            "on_time_rate": 1.0,
        },
    ]


def test_overdue_as_of_a_date_is_the_deadline_of_the_round_then(year):
    f = figures("2025-05-20")  # P4's first reply was due 5-17, delivered 5-26
    assert f["overdue_items"] == 1
    assert [u["overdue"] for u in f["by_department"]] == [0, 1, 0]
    assert figures("2025-05-26")["overdue_items"] == 0
    # P3 was due 5-05 but extended (approved 4-22) to 6-30: never overdue
    assert figures("2025-06-09")["overdue_items"] == 0
    f = figures("2025-09-03")  # P6 due 9-02; P4's second round due 8-30 but replied 8-20
    assert f["overdue_items"] == 1
    assert [u["overdue"] for u in f["by_department"]] == [1, 0, 0]


def test_a_reassigned_item_counts_until_the_reassignment_then_its_successor(year):
    before = {u["code"]: u["assigned"] for u in figures("2025-04-08")["by_department"]}
    after = {u["code"]: u["assigned"] for u in figures("2025-04-09")["by_department"]}
    assert before == {CZJ: 2, JYJ: 2, ZJJ: 5}
    assert after == {CZJ: 3, JYJ: 2, ZJJ: 4}


def test_a_proposal_submitted_in_december_and_replied_in_january(year):
    """P14 counts in 2025 (its submission), replied in 2026: not by the year's end."""
    f = figures("2026-03-31")
    assert (f["received"], f["filed"], f["replied_items"]) == (16, 9, 10)
    assert (f["replied_proposals"], f["replied_proposals_by_year_end"], f["reply_rate"]) == (
        9,
        7,
        1.0,
    )
    assert (f["replies_delivered"], f["replies_on_time"], f["on_time_rate"]) == (11, 9, 0.8182)
    assert f["satisfaction"] == {
        "satisfied": 6,
        "basically_satisfied": 3,
        "unsatisfied": 0,
        "unrated": 1,
        "awaiting_rating": 0,
        "rated": 9,
        "rate": 1.0,
        "strict_rate": 0.6667,
    }
    assert f["results"] == {"A": 6, "B": 2, "C": 2}
    assert f["overdue_items"] == 0
    # the month series stays within 2025
    assert sum(m["replies_delivered"] for m in f["monthly"]) == 9
    # and 2026 holds only R1, submitted there
    f = figures("2026-03-31", year_=2026)
    assert (f["received"], f["pending_review"], f["assignment_items"]) == (1, 1, 0)
    assert (f["filing_rate"], f["reply_rate"], f["on_time_rate"]) == (0.0, None, None)
    assert f["satisfaction"]["rate"] is None and f["participation"]["members"] == 1


def test_key_proposals_with_their_progress(year):
    ids = year["ids"]
    f = figures("2025-12-31")
    assert f["key_proposals"] == [
        {
            "id": ids["P1"],
            "number_label": "第0001号",
            "title": "关于P1的建议",
            "supervisor": "王主席",
            "units": ["市住房和城乡建设局"],
            "items": [
                {
                    "code": ZJJ,
                    "name": "市住房和城乡建设局",
                    "role": "lead",
                    "replied": True,
                    "overdue": False,
                    "result": "A",
                    "rating": "satisfied",
                }
            ],
            "state": "closed",
            "replied": True,
            "overdue": False,
            "rating": "satisfied",
        },
        {
            "id": ids["P6"],
            "number_label": "第0008号",
            "title": "关于P6的建议",
            "supervisor": "王主席",
            "units": ["市财政局"],
            "items": [
                {
                    "code": CZJ,
                    "name": "市财政局",
                    "role": "lead",
                    "replied": False,
                    "overdue": True,
                    "result": None,
                    "rating": None,
                }
            ],
            "state": "assigned",
            "replied": False,
            "overdue": True,
            "rating": None,
        },
    ]
    early = figures("2025-05-31")["key_proposals"]
    assert [(k["state"], k["units"]) for k in early] == [
        ("closed", ["市住房和城乡建设局"]),
        ("filed", []),
    ]


def test_a_session_counts_its_own_proposals(year):
    by_year = figures("2025-12-31")
    by_session = annual_figures(session_id=year["s2025"], as_of=date(2025, 12, 31))
    assert by_session["period"] == {
        "kind": "session",
        "year": 2025,
        "session": year["s2025"],
        "label": "第十届第三次会议",
    }
    for key in (
        "received",
        "filed",
        "by_category",
        "by_department",
        "satisfaction",
        "reply_rate",
        "monthly",
    ):
        assert by_session[key] == by_year[key], key
    s2024 = annual_figures(session_id=year["s2024"], as_of=date(2024, 12, 31))
    assert (s2024["received"], s2024["filed"], s2024["not_filed"]) == (2, 1, 1)


# --- the headline ------------------------------------------------------------------------------


def test_headline_when_everything_was_delivered_by_the_end_of_the_year(year):
    expected = (
        "一年来，共接受提案 2 件，经审查，立案 1 件，截至 2024 年底，提案已全部办复，"
        "满意率达 100%。"
    )
    assert figures("2024-12-31", 2024)["headline"] == expected
    assert annual_figures(year=2024)["headline"] == expected  # as of today
    assert annual_figures(session_id=year["s2024"])["headline"] == (
        "本次会议以来，共接受提案 2 件，经审查，立案 1 件，截至 2024 年底，提案已全部办复，"
        "满意率达 100%。"
    )


def test_headline_when_not_everything_is_delivered(year):
    assert figures("2025-12-31")["headline"] == (
        "一年来，共接受提案 16 件，经审查，立案 9 件，截至 2025 年底，已办复 7 件，"
        "办复率 77.78%，满意率达 100%。"
    )


def test_headline_as_of_a_date_within_the_year(year):
    assert figures("2025-06-30")["headline"] == (
        "一年来，共接受提案 13 件，经审查，立案 8 件，截至 2025 年 6 月 30 日，已办复 7 件，"
        "办复率 87.5%，满意率达 85.71%。"
    )


def test_headline_when_all_were_delivered_but_some_after_the_year_end(year):
    assert figures("2026-03-31")["headline"] == (
        "一年来，共接受提案 16 件，经审查，立案 9 件，截至 2026 年 3 月 31 日，提案已全部办复，"
        "满意率达 100%。"
    )


def test_headline_without_ratings_has_no_satisfaction_clause(year):
    assert figures("2025-04-12")["headline"] == (
        "一年来，共接受提案 11 件，经审查，立案 7 件，截至 2025 年 4 月 12 日，已办复 1 件，"
        "办复率 14.29%。"
    )
    assert figures("2024-04-02", 2024)["headline"] == (
        "一年来，共接受提案 2 件，经审查，立案 1 件，截至 2024 年 4 月 2 日，提案已全部办复。"
    )
    assert figures("2024-01-20", 2024)["headline"] == (
        "一年来，共接受提案 1 件，经审查，立案 0 件。"
    )


def test_percentages_drop_trailing_zeros():
    assert [percent(r) for r in (1.0, 0.975, 0.9231, 0.5, 0.0)] == [
        "100",
        "97.5",
        "92.31",
        "50",
        "0",
    ]


def test_as_of_later_than_today_counts_as_of_today(year):
    today = local_date(utcnow())
    f = annual_figures(year=2025, as_of=today + timedelta(days=400))
    assert f["as_of"] == today.isoformat()
    assert annual_figures(year=2025)["as_of"] == today.isoformat()


# --- the API and the command line ---------------------------------------------------------------


def client(app, username):
    return ApiClient(
        app.test_client(), db.session.scalar(select(User).where(User.username == username))
    )


def test_api_answers_the_figures_to_the_secretariat(app, year):
    resp = client(app, "sec").get("/stats/annual?year=2025&as_of=2025-12-31")
    assert resp.status_code == 200
    assert resp.get_json() == json.loads(json.dumps(figures("2025-12-31")))
    resp = client(app, "sec").get(f"/stats/annual?session={year['s2024']}&as_of=2024-12-31")
    assert resp.status_code == 200 and resp.get_json()["received"] == 2


@pytest.mark.parametrize("username", ["m1", "org1", "zjj_clerk", "zjj_head"])
def test_api_refuses_everyone_but_the_secretariat(app, year, username):
    resp = client(app, username).get("/stats/annual?year=2025")
    assert resp.status_code == 403
    assert resp.get_json()["error"]["code"] == "forbidden"


def test_api_needs_a_token(app, year):
    assert ApiClient(app.test_client()).get("/stats/annual").status_code == 401


@pytest.mark.parametrize(
    "query, field",
    [
        ("year=twenty", "year"),
        ("year=0", "year"),
        ("as_of=2025-13-01", "as_of"),
        ("session=x", "session"),
        ("session=999999", "session"),
        ("year=2025&session=1", "session"),
    ],
)
def test_api_validates_the_query(app, year, query, field):
    resp = client(app, "sec").get("/stats/annual?" + query)
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error" and field in error["fields"]


def test_cli_prints_the_figures_as_json_and_text(app, year, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["stats", "annual", "--year", "2025", "--as-of", "2025-12-31", "--format", "json"]
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert json.loads(result.output) == json.loads(json.dumps(figures("2025-12-31")))
    result = runner.invoke(args=["stats", "annual", "--year", "2025", "--as-of", "2025-12-31"])
    assert result.exit_code == 0, result.output
    assert figures("2025-12-31")["headline"] in result.output
    out = tmp_path / "stats.json"
    result = runner.invoke(
        args=[
            "stats",
            "annual",
            "--session",
            str(year["s2024"]),
            "--format",
            "json",
            "--output",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["period"]["kind"] == "session"


@pytest.mark.parametrize(
    "args, phrase",
    [
        (["--format", "pdf"], "--format"),
        (["--as-of", "31/12/2025"], "--as-of"),
        (["--session", "999999"], "会次不存在"),
    ],
)
def test_cli_refuses_bad_options(app, year, args, phrase):
    result = app.test_cli_runner().invoke(args=["stats", "annual"] + args)
    assert result.exit_code != 0
    assert phrase in result.output


# --- a fixed number of statements --------------------------------------------------------------


def bulk_proposals(n, session_id, proposer_ids, category_ids, unit_ids, rater_id, clerk_id, start):
    """``n`` proposals of 2023 inserted as rows (not through the operations): filed and
    assigned with a delivered and rated reply, or submitted and pending, some key."""
    base = datetime(2023, 3, 1, 2, tzinfo=LOCAL_TZ)
    rows = []
    for k in range(start, start + n):
        filed = k % 4 != 0
        submitted = base + timedelta(minutes=k)
        rows.append(
            {
                "session_id": session_id,
                "proposer_id": proposer_ids[k % len(proposer_ids)],
                "kind": "individual",
                "state": "closed" if filed else "submitted",
                "title": f"提案{k}",
                "category_id": category_ids[k % len(category_ids)],
                "analysis": "",
                "suggestions": "建议",
                "receipt_serial": k + 1,
                "number": k + 1 if filed else None,
                "submitted_at": submitted,
                "filed_at": submitted + timedelta(days=5) if filed else None,
                "is_key": k % 50 == 1,
                "closed_at": None,
            }
        )
    ids = db.session.scalars(
        insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True), rows
    ).all()
    filed_ids = [(pid, rows[i]) for i, pid in enumerate(ids) if rows[i]["number"]]
    assignments = []
    for n, (pid, row) in enumerate(filed_ids):
        day = local_date(row["filed_at"]) + timedelta(days=3)
        assignments.append(
            {
                "proposal_id": pid,
                "department_id": unit_ids[n % len(unit_ids)],
                "role": "lead",
                "state": "closed",
                "round": 1,
                "assigned_at": row["filed_at"] + timedelta(days=3),
                "accepted_at": row["filed_at"] + timedelta(days=4),
                "accept_due": day + timedelta(days=7),
                "contact_due": day + timedelta(days=21),
                "round_started_on": day,
                "reply_due": day + timedelta(days=90),
            }
        )
    a_ids = db.session.scalars(
        insert(Assignment).returning(Assignment.id, sort_by_parameter_order=True), assignments
    ).all()
    replies = []
    for a_id, a in zip(a_ids, assignments):
        delivered = a["assigned_at"] + timedelta(days=60 + a_id % 60)
        replies.append(
            {
                "assignment_id": a_id,
                "round": 1,
                "state": "rated",
                "result": "ABC"[a_id % 3],
                "text": "答复",
                "signer": "局长",
                "contact": "联系人",
                "promised_date": date(2024, 12, 31),
                "drafted_by_id": clerk_id,
                "delivered_at": delivered,
                "due_on": a["reply_due"],
                "rating_due": local_date(delivered) + timedelta(days=21),
            }
        )
    r_ids = db.session.scalars(
        insert(Reply).returning(Reply.id, sort_by_parameter_order=True), replies
    ).all()
    db.session.execute(
        insert(Rating),
        [
            {
                "reply_id": r_id,
                "rater_id": rater_id,
                "is_primary": True,
                "rating": ("satisfied", "basically_satisfied", "unsatisfied")[r_id % 3],
                "created_at": r["delivered_at"] + timedelta(days=5),
            }
            for r_id, r in zip(r_ids, replies)
        ],
    )
    db.session.commit()


def test_the_number_of_statements_does_not_grow_with_the_proposals(make):
    session = make.session(year=2023)
    members = [make.user("member", sector=f"界别{i % 3}") for i in range(20)]
    units = [make.department() for _ in range(8)]
    clerk = make.user("clerk", units[0])
    categories = db.session.scalars(select(Category.id)).all()
    args = (
        session.id,
        [u.id for u in members],
        categories,
        [u.id for u in units],
        members[0].id,
        clerk.id,
    )
    bulk_proposals(100, *args, start=0)
    db.session.commit()
    f100, small = recorded(lambda: annual_figures(year=2023, as_of=date(2023, 12, 31)))
    bulk_proposals(9900, *args, start=100)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # as autovacuum would in production: without statistics on freshly bulk-loaded tables
        # the planner can pick nested loops over 10,000 rows
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    f10k, large = recorded(lambda: annual_figures(year=2023, as_of=date(2023, 12, 31)))
    assert (f100["received"], f10k["received"]) == (100, 10000)
    assert (f100["filed"], f10k["filed"]) == (75, 7500)
    assert f10k["assignment_items"] == 7500 and f10k["units_involved"] == 8
    assert sum(f10k["results"].values()) == 7500 and f10k["satisfaction"]["rated"] == 7500
    assert len(f10k["key_proposals"]) == 200
    assert len(small) == len(large)
    # the settings and the one statement that computes every figure
    assert len(small) == 2


# --- the migration that adds replies.due_on ----------------------------------------------------


def test_the_migration_backfills_the_deadline_each_delivered_reply_had(tmp_path):
    """Existing replies get the deadline in force at their delivery: the extension approved
    before it, the assignment's deadline for its current round, and for the first reply of a
    re-handled item the assignment date plus the reply period (3 months)."""
    from flask_migrate import upgrade

    with database_at(tmp_path, "7d2c41a0b9e3") as (conn, t):
        now = datetime(2025, 2, 17, 2)
        d = lambda s: date.fromisoformat(s)  # noqa: E731
        conn.execute(
            insert(t["departments"]), {"id": 1, "code": "X", "name": "单位", "active": True}
        )
        conn.execute(
            insert(t["proposals"]),
            {
                "id": 1,
                "version": 1,
                "session_id": 1,
                "proposer_id": 1,
                "kind": "individual",
                "state": "assigned",
                "title": "t",
                "category_id": 1,
                "analysis": "",
                "number": 1,
                "suggestions": "s",
                "is_key": False,
                "is_excellent": False,
                "not_for_disclosure": False,
                "consultation_due": False,
                "created_at": now,
            },
        )
        common = {
            "version": 1,
            "proposal_id": 1,
            "department_id": 1,
            "role": "lead",
            "state": "replied",
            "assigned_at": now,
            "accept_due": d("2025-02-24"),
            "contact_due": d("2025-03-10"),
            "follow_up_open": False,
        }
        conn.execute(
            insert(t["assignments"]),
            [
                # re-handled: round 2 due 8-30 (its first round was due 5-17)
                dict(
                    common,
                    id=1,
                    round=2,
                    round_started_on=d("2025-05-30"),
                    reply_due=d("2025-08-30"),
                ),
                # extended to 6-30 (approved 4-22) before its reply of 6-10
                dict(
                    common,
                    id=2,
                    round=1,
                    round_started_on=d("2025-02-17"),
                    reply_due=d("2025-05-17"),
                    extended_to=d("2025-06-30"),
                ),
                # extension approved only after the reply was delivered
                dict(
                    common,
                    id=3,
                    round=1,
                    round_started_on=d("2025-02-17"),
                    reply_due=d("2025-05-17"),
                    extended_to=d("2025-07-31"),
                ),
            ],
        )
        conn.execute(
            insert(t["extension_requests"]),
            [
                {
                    "assignment_id": a,
                    "round": 1,
                    "until": until,
                    "reason": "r",
                    "state": "approved",
                    "requested_by_id": 1,
                    "created_at": now,
                    "decided_at": decided,
                }
                for a, until, decided in (
                    (2, d("2025-06-30"), datetime(2025, 4, 22, 2)),
                    (3, d("2025-07-31"), datetime(2025, 6, 1, 2)),
                )
            ],
        )
        reply = {
            "version": 1,
            "state": "rated",
            "result": "A",
            "text": "t",
            "signer": "s",
            "contact": "c",
            "drafted_by_id": 1,
            "created_at": now,
        }
        conn.execute(
            insert(t["replies"]),
            [
                dict(reply, id=1, assignment_id=1, round=1, delivered_at=datetime(2025, 5, 26, 7)),
                dict(reply, id=2, assignment_id=1, round=2, delivered_at=datetime(2025, 8, 20, 7)),
                dict(reply, id=3, assignment_id=2, round=1, delivered_at=datetime(2025, 6, 10, 7)),
                dict(reply, id=4, assignment_id=3, round=1, delivered_at=datetime(2025, 5, 10, 7)),
                dict(reply, id=5, assignment_id=3, round=1, state="returned", delivered_at=None),
            ],
        )
        db.session.commit()
        upgrade()
        rows = dict(db.session.execute(select(Reply.id, Reply.due_on).order_by(Reply.id)).all())
        assert rows == {
            1: date(2025, 5, 17),
            2: date(2025, 8, 30),
            3: date(2025, 6, 30),
            4: date(2025, 5, 17),
            5: None,
        }
