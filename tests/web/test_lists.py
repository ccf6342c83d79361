"""The lists: each role sees only what it may; filters, sorting, pagination; CSV export."""

import csv
import io
import re
from datetime import timedelta

import pytest

from proposals.committee.calendar import utcnow
from proposals.extensions import db
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows


def text(resp):
    return resp.get_data(as_text=True)


def listed_ids(page):
    """The proposal ids in the list table, in order."""
    table = page.split('data-testid="proposal-list"', 1)[1] if "proposal-list" in page else ""
    return [int(i) for i in re.findall(r'href="/proposals/(\d+)"', table)]


def listed_assignments(page):
    table = page.split('data-testid="assignment-list"', 1)[1] if "assignment-list" in page else ""
    return [int(i) for i in re.findall(r'#assignment-(\d+)"', table)]


def read_csv(resp):
    raw = resp.get_data()
    assert raw.startswith("\ufeff".encode("utf-8")), "UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def overdue_assigned(world, title, unit=None):
    """Assigned 120 days ago: the 3-month reply deadline has passed."""
    p = flows.filed(world, title=title)
    ops.assign_proposal(
        world.secretariat,
        p,
        [{"code": (unit or world.unit_a).code, "role": "lead"}],
        now=utcnow() - timedelta(days=120),
    )
    db.session.commit()
    return p


# ---------------------------------------------------------------- who sees what


def test_a_member_lists_only_own_and_cosigned_proposals(world, web):
    own = flows.submitted(world, title="关于发展夜间经济的建议")
    draft = flows.draft(world, title="关于建设口袋公园的建议")
    cosigned = flows.submitted(
        world, proposer=world.member2, cosigners=[world.member], title="关于老旧小区加装电梯的建议"
    )
    other = flows.submitted(world, proposer=world.member3, title="关于治理噪声扰民的建议")
    page = text(web(world.member).get("/proposals"))
    assert set(listed_ids(page)) == {own.id, draft.id, cosigned.id}
    assert other.title not in page and "我的提案" in page
    assert set(listed_ids(text(web(world.member3).get("/proposals")))) == {other.id}


def test_a_unit_lists_only_proposals_assigned_to_it(world, web):
    mine = flows.assigned(world, title="关于发展夜间经济的建议")
    theirs = flows.assigned(world, plan=[(world.unit_b, "lead")], title="关于治理噪声扰民的建议")
    flows.filed(world, title="关于建设口袋公园的建议")
    assert listed_ids(text(web(world.clerk_a).get("/proposals"))) == [mine.id]
    assert listed_ids(text(web(world.head_b).get("/proposals"))) == [theirs.id]


def test_the_secretariat_lists_everything_submitted_but_no_drafts(world, web):
    a = flows.submitted(world, title="关于发展夜间经济的建议")
    b = flows.assigned(world, title="关于治理噪声扰民的建议")
    flows.draft(world, title="关于建设口袋公园的建议")
    page = text(web(world.secretariat).get("/proposals"))
    assert set(listed_ids(page)) == {a.id, b.id} and "口袋公园" not in page


def test_the_admin_sees_an_empty_list(world, web):
    flows.submitted(world)
    assert listed_ids(text(web(world.admin).get("/proposals"))) == []


def test_lists_need_a_login(world, web):
    for url in ("/proposals", "/assignments", "/proposals.csv", "/assignments.csv"):
        r = web().get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"]


# ---------------------------------------------------------------- filters


def test_filters_state_category_key_q_year_session_department(world, web):
    sub = flows.submitted(world, title="关于发展夜间经济的建议", category="economy")
    filed = flows.filed(world, title="关于治理噪声扰民的建议")
    assigned = flows.assigned(
        world, plan=[(world.unit_b, "lead")], title="关于老旧小区加装电梯的建议"
    )
    ops.mark_key(world.secretariat, filed, True, "m2")
    db.session.commit()
    client = web(world.secretariat)

    def ids(query):
        r = client.get("/proposals?" + query)
        assert r.status_code == 200, query
        return set(listed_ids(text(r)))

    assert ids("state=filed") == {filed.id}
    assert ids("category=economy") == {sub.id}
    assert ids("key=true") == {filed.id}
    assert ids("key=false") == {sub.id, assigned.id}
    assert ids("q=电梯") == {assigned.id}
    assert ids("department=CZJ") == {assigned.id}
    assert ids(f"year={world.session.year}") == {sub.id, filed.id, assigned.id}
    assert ids(f"year={world.session.year - 1}") == set()
    assert "没有符合条件的提案。" in text(client.get(f"/proposals?year={world.session.year - 1}"))
    assert ids(f"session={world.session.id}") == {sub.id, filed.id, assigned.id}
    assert ids("state=submitted&category=economy&q=夜间") == {sub.id}


def test_filter_overdue(world, web):
    late = overdue_assigned(world, "关于治理噪声扰民的建议")
    on_time = flows.assigned(world, title="关于发展夜间经济的建议")
    client = web(world.secretariat)
    assert set(listed_ids(text(client.get("/proposals?overdue=true")))) == {late.id}
    assert on_time.id in listed_ids(text(client.get("/proposals?overdue=false")))
    assert late.id not in listed_ids(text(client.get("/proposals?overdue=false")))


@pytest.mark.parametrize(
    "query,message",
    [
        ("state=bogus", "未知的状态"),
        ("key=maybe", "应为 true 或 false"),
        ("overdue=yes", "应为 true 或 false"),
        ("year=twenty", "应为整数"),
        ("page=abc", "应为正整数"),
        ("per_page=0", "应为正整数"),
        (f"page={2**80}", "不能大于 2147483647"),
    ],
)
def test_a_bad_filter_shows_the_message_not_a_500(world, web, query, message):
    flows.submitted(world)
    r = web(world.secretariat).get("/proposals?" + query)
    assert r.status_code == 400 and message in text(r)
    assert 'data-testid="filter-errors"' in text(r)


def test_a_bad_filter_on_the_csv_is_a_400_with_the_message(world, web):
    r = web(world.secretariat).get("/proposals.csv?state=bogus")
    assert r.status_code == 400 and "未知的状态" in text(r)
    r = web(world.secretariat).get("/assignments.csv?overdue=perhaps")
    assert r.status_code == 400 and "应为 true 或 false" in text(r)


# ---------------------------------------------------------------- sorting and pagination


def test_sorting_by_title_number_and_submission(world, web):
    b = flows.filed(world, title="关于B的建议")
    a = flows.filed(world, title="关于A的建议")
    c = flows.submitted(world, title="关于C的建议")
    client = web(world.secretariat)
    assert listed_ids(text(client.get("/proposals?sort=title"))) == [a.id, b.id, c.id]
    assert listed_ids(text(client.get("/proposals?sort=number"))) == [b.id, a.id, c.id]
    assert listed_ids(text(client.get("/proposals?sort=submitted_asc"))) == [b.id, a.id, c.id]
    assert listed_ids(text(client.get("/proposals")))[0] == c.id  # newest first by default
    page = text(client.get("/proposals?sort=title&state=filed"))
    assert 'aria-sort="ascending"' in page
    assert "sort=number" in page and "state=filed" in page  # header links keep the filters


def test_pagination(world, web):
    made = [flows.submitted(world, title=f"关于第{n:02d}件事的建议") for n in range(25)]
    client = web(world.secretariat)
    first = text(client.get("/proposals?per_page=10&sort=title"))
    assert listed_ids(first) == [p.id for p in made[:10]] and "共 25 件" in first
    assert "page=2" in first
    third = text(client.get("/proposals?per_page=10&page=3&sort=title"))
    assert listed_ids(third) == [p.id for p in made[20:]]
    assert len(listed_ids(text(client.get("/proposals?per_page=1000")))) == 25  # capped at 100
    beyond = text(client.get("/proposals?per_page=10&page=99&sort=title"))
    assert listed_ids(beyond) == [p.id for p in made[20:]]
    # the links: previous, first, current ± 2, last, next, "…" where pages are left out; each
    # keeps the other filters (13 pages of 2)
    nav = text(client.get("/proposals?per_page=2&page=7&sort=title"))
    nav = nav[nav.index('class="pagination') : nav.index("</nav>", nav.index('class="pagination'))]
    links = re.findall(r'<a class="page-link" href="([^"]+)"[^>]*>([^<]+)</a>', nav)
    assert [label for _href, label in links] == [
        "上一页",
        "1",
        "5",
        "6",
        "7",
        "8",
        "9",
        "13",
        "下一页",
    ]
    assert nav.count("…") == 2 and 'aria-current="page">7<' in nav
    assert all(
        href == f"/proposals?per_page=2&amp;sort=title&amp;page={n}"
        for href, n in zip([h for h, _label in links], [6, 1, 5, 6, 7, 8, 9, 13, 8])
    )
    first = text(client.get("/proposals?per_page=2&sort=title"))
    assert 'aria-disabled="true" tabindex="-1">上一页<' in first
    assert 'aria-disabled="true"' not in first[first.index("上一页<") + 1 :]


# ---------------------------------------------------------------- CSV


def test_csv_has_the_header_and_the_filtered_rows(world, web):
    flows.submitted(world, title="关于发展夜间经济的建议")
    filed = flows.assigned(world, title="关于治理噪声扰民的建议")
    r = web(world.secretariat).get("/proposals.csv?state=assigned")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = read_csv(r)
    assert rows[0][:4] == ["编号", "提案号", "收件号", "案由"]
    assert len(rows) == 2 and rows[1][0] == str(filed.id) and rows[1][3] == filed.title
    assert "市住房和城乡建设局（主办）" in rows[1][-1]


def test_csv_keeps_each_role_to_its_own_rows(world, web):
    flows.submitted(world, proposer=world.member3, title="关于治理噪声扰民的建议")
    mine = flows.submitted(world, title="关于发展夜间经济的建议")
    rows = read_csv(web(world.member).get("/proposals.csv"))
    assert [r[0] for r in rows[1:]] == [str(mine.id)]


def test_csv_neutralises_formula_cells(world, web):
    for title in ('=HYPERLINK("http://evil")关于', "+1+2关于", "-3关于", "@SUM(A1)关于"):
        flows.submitted(world, title=title)
    rows = read_csv(web(world.secretariat).get("/proposals.csv?sort=title"))
    titles = sorted(r[3] for r in rows[1:])
    assert all(t.startswith("'") for t in titles), titles
    assert '\'=HYPERLINK("http://evil")关于' in titles


# ---------------------------------------------------------------- assignments


def test_assignment_list_per_role_with_deadlines(world, web):
    mine = flows.assigned(world, title="关于发展夜间经济的建议")
    theirs = flows.assigned(world, plan=[(world.unit_b, "lead")], title="关于治理噪声扰民的建议")
    a_mine = loaded(mine, "assignments").assignments[0]
    a_theirs = loaded(theirs, "assignments").assignments[0]
    clerk = text(web(world.clerk_a).get("/assignments"))
    assert listed_assignments(clerk) == [a_mine.id] and "本单位承办" in clerk
    assert "剩 " in clerk and a_mine.reply_due.isoformat() in clerk
    sec = text(web(world.secretariat).get("/assignments"))
    assert set(listed_assignments(sec)) == {a_mine.id, a_theirs.id}
    assert listed_assignments(text(web(world.secretariat).get("/assignments?department=CZJ"))) == [
        a_theirs.id
    ]
    # a clerk's department filter cannot reach another unit
    assert listed_assignments(text(web(world.clerk_a).get("/assignments?department=CZJ"))) == []
    assert listed_assignments(text(web(world.member).get("/assignments"))) == []


def test_assignment_list_filters_overdue_and_state(world, web):
    late = overdue_assigned(world, "关于治理噪声扰民的建议")
    fresh = flows.handling(world, title="关于发展夜间经济的建议")
    client = web(world.secretariat)
    page = text(client.get("/assignments?overdue=true"))
    late_id = loaded(late, "assignments").assignments[0].id
    assert listed_assignments(page) == [late_id] and "逾期" in page
    assert listed_assignments(text(client.get("/assignments?state=handling"))) == [
        loaded(fresh, "assignments").assignments[0].id
    ]
    r = client.get("/assignments?state=bogus")
    assert r.status_code == 400 and "未知的状态" in text(r)


def test_assignment_csv(world, web):
    late = overdue_assigned(world, "关于治理噪声扰民的建议")
    flows.assigned(world, plan=[(world.unit_b, "lead")], title="关于发展夜间经济的建议")
    rows = read_csv(web(world.clerk_a).get("/assignments.csv"))
    assert rows[0][:4] == ["交办编号", "提案号", "案由", "承办单位"]
    assert len(rows) == 2 and rows[1][0] == str(loaded(late, "assignments").assignments[0].id)
    assert rows[1][3] == "市住房和城乡建设局" and rows[1][-1].startswith("逾期")
    all_rows = read_csv(web(world.secretariat).get("/assignments.csv?overdue=false"))
    assert [r[3] for r in all_rows[1:]] == ["市财政局"]
