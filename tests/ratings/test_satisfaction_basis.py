"""The satisfaction figures on both bases (the setting rating_by when counted): 'first' counts
each replied unit-item once by the first proposer's latest rating; 'all' counts every
proposer's rating (first proposer and accepted co-signers, never a merged proposer) of each
item's latest rated reply, so that rated counts ratings while unrated still counts items. The
expected numbers are worked out by hand from the records made here."""

from datetime import date
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from proposals.cli.stats import text_report
from proposals.committee.calendar import local_date, utcnow
from proposals.committee.models import Category
from proposals.documents.service import annual_docx
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.stats import annual_figures
from proposals.stats.exports import annual_xlsx
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows
from ..conftest import recorded
from ..stats.test_figures import bulk_proposals
from .helpers import joint_replied, rating_by


def rate(user, reply, rating):
    hops.rate_reply(user, reply, {"rating": rating, "comment": "意见"})
    db.session.commit()


@pytest.fixture()
def year(world, make):
    """Four replied unit-items of this year, rated while rating_by was 'all':

    P1 (unit A; m1 first, m2 and m3 accepted; m4's proposal merged into it):
        m1 satisfied, m2 unsatisfied, m3 basically satisfied, m4 (merged) unsatisfied
    P2 (unit A; m1 first, m2 and m4 accepted, m3 declined):
        m1 basically satisfied, m2 satisfied (m4 does not rate: a co-signer here, m4's rating
        of P1 still does not count)
    P3 (unit B; m2 alone): not rated, its window open
    P4 (unit A; m3 first, m1 accepted), re-handled:
        first reply: m1 satisfied, m3 unsatisfied; second reply: m3 satisfied
    """
    rating_by("all")
    m1, m2, m3 = world.member, world.member2, world.member3
    m4 = make.user("member", username="m4", name="赵委员")
    db.session.commit()
    p1, (r1,) = joint_replied(world, m1, accepted=(m2, m3), title="关于P1的建议")
    merged = flows.submitted(world, proposer=m4, title="关于P1补充的建议")
    ops.review_proposal(world.secretariat, merged, {"decision": "merge", "merge_into": p1.id})
    ops.mark_key(world.secretariat, p1, True, "sec")
    db.session.commit()
    rate(m1, r1, "satisfied")
    rate(m2, r1, "unsatisfied")
    rate(m3, r1, "basically_satisfied")
    rate(m4, r1, "unsatisfied")
    p2, (r2,) = joint_replied(world, m1, accepted=(m2, m4), declined=(m3,), title="关于P2的建议")
    rate(m1, r2, "basically_satisfied")
    rate(m2, r2, "satisfied")
    p3, (r3,) = joint_replied(
        world, m2, plan=[(world.unit_b, "lead")], title="关于P3的建议"
    )  # no co-signer: individual
    p4, (r4a,) = joint_replied(world, m3, accepted=(m1,), title="关于P4的建议")
    rate(m1, r4a, "satisfied")
    rate(m3, r4a, "unsatisfied")
    assignment = loaded(p4, "assignments").assignments[0]
    assert assignment.state == "rehandling"
    r4b = flows.delivered_reply(world, assignment)
    rate(m3, r4b, "satisfied")
    return local_date(utcnow()).year


def figures(year_, basis):
    rating_by(basis)
    return annual_figures(year=year_)


def by_unit(f, code):
    return next(u for u in f["by_department"] if u["code"] == code)


def test_first_counts_the_first_proposers_latest_rating_per_item(year):
    f = figures(year, "first")
    assert f["rating_basis"] == "first"
    assert f["replied_items"] == 4
    # P1 satisfied, P2 basically, P3 unrated, P4 second reply satisfied
    assert f["satisfaction"] == {
        "satisfied": 2,
        "basically_satisfied": 1,
        "unsatisfied": 0,
        "unrated": 1,
        "awaiting_rating": 1,
        "rated": 3,
        "rate": 1.0,
        "strict_rate": round(2 / 3, 4),
    }
    a = by_unit(f, "ZJJ")
    assert (a["rated"], a["satisfied"], a["basically_satisfied"], a["unsatisfied"]) == (3, 2, 1, 0)
    assert a["satisfaction_rate"] == 1.0
    b = by_unit(f, "CZJ")
    assert (b["rated"], b["unrated"], b["satisfaction_rate"]) == (0, 1, None)
    (key,) = f["key_proposals"]
    assert key["rating"] == "satisfied"  # P1: the first proposer's


def test_all_counts_every_proposers_rating_of_the_latest_rated_reply(year):
    f = figures(year, "all")
    assert f["rating_basis"] == "all"
    assert f["replied_items"] == 4
    # P1: m1 satisfied, m2 unsatisfied, m3 basically (m4 merged: not counted)  -> 1, 1, 1
    # P2: m1 basically, m2 satisfied                                           -> 1, 1, 0
    # P3: none                                                                 -> unrated item
    # P4: the second reply's one rating, m3 satisfied (the first reply's left) -> 1, 0, 0
    satisfied, basically, unsatisfied = 1 + 1 + 1, 1 + 1, 1
    rated = satisfied + basically + unsatisfied
    assert f["satisfaction"] == {
        "satisfied": satisfied,
        "basically_satisfied": basically,
        "unsatisfied": unsatisfied,
        "unrated": 1,
        "awaiting_rating": 1,
        "rated": rated,
        "rate": round((satisfied + basically) / rated, 4),
        "strict_rate": round(satisfied / rated, 4),
    }
    a = by_unit(f, "ZJJ")
    assert (a["rated"], a["satisfied"], a["basically_satisfied"], a["unsatisfied"]) == (6, 3, 2, 1)
    assert a["satisfaction_rate"] == round(5 / 6, 4)
    assert (a["replied"], a["unrated"]) == (3, 0)  # items, not ratings
    b = by_unit(f, "CZJ")
    assert (b["rated"], b["unrated"]) == (0, 1)
    (key,) = f["key_proposals"]
    assert key["rating"] == "unsatisfied"  # P1: the least satisfied of its proposers
    assert f["headline"].endswith(f"满意率达 {round(5 / 6 * 100, 2)}%。")


def test_an_item_rated_only_by_a_cosigner_counts_under_all_and_stays_unrated_under_first(
    world,
):
    rating_by("all")
    p, (reply,) = joint_replied(world, accepted=(world.member2,))
    rate(world.member2, reply, "unsatisfied")
    this_year = local_date(utcnow()).year
    first = figures(this_year, "first")["satisfaction"]
    assert (first["rated"], first["unrated"], first["awaiting_rating"]) == (0, 1, 1)
    every = figures(this_year, "all")["satisfaction"]
    assert (every["rated"], every["unsatisfied"], every["unrated"], every["rate"]) == (1, 1, 0, 0.0)


def test_the_reports_say_which_ratings_they_count(year):
    for basis, words, denominator in (
        ("first", "按第一提案人测评计", "已测评件次（分母）"),
        ("all", "按每位提案人的测评计", "测评人次（分母）"),
    ):
        f = figures(year, basis)
        text = text_report(f)
        assert f"满意度（{words}）" in text
        assert f"已测评 {f['satisfaction']['rated']} {'人次' if basis == 'all' else '件次'}" in text
        out = BytesIO()
        annual_xlsx(f, [], out)
        sheet = load_workbook(BytesIO(out.getvalue()))["汇总"]
        values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row}
        assert values["测评口径"] == words
        assert values[denominator] == f["satisfaction"]["rated"]
        paragraphs = [p.text for p in Document(BytesIO(annual_docx(f))).paragraphs]
        assert any(p.startswith(f"满意率{words}") for p in paragraphs), paragraphs


def test_every_proposers_basis_is_still_one_statement_whatever_the_size(make):
    """With rating_by 'all' the figures still take the settings and one statement, the same for
    100 proposals as for 2,000 (each item's ratings are index lookups, not a scan)."""
    rating_by("all")
    session = make.session(year=2023)
    members = [make.user("member") for _ in range(5)]
    unit = make.department()
    clerk = make.user("clerk", unit)
    categories = db.session.scalars(select(Category.id)).all()
    args = (session.id, [m.id for m in members], categories, [unit.id], members[0].id, clerk.id)
    bulk_proposals(100, *args, start=0)
    db.session.commit()
    small, seen_small = recorded(lambda: annual_figures(year=2023, as_of=date(2023, 12, 31)))
    bulk_proposals(1900, *args, start=100)
    db.session.commit()
    large, seen_large = recorded(lambda: annual_figures(year=2023, as_of=date(2023, 12, 31)))
    # bulk_proposals rates every filed item once, by members[0] as the first proposer
    assert (small["satisfaction"]["rated"], large["satisfaction"]["rated"]) == (75, 1500)
    assert large["rating_basis"] == "all"
    assert len(seen_small) == len(seen_large) == 2
