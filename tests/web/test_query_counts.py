"""Every list and detail page issues a fixed, small number of SQL statements: at
most 10, and the same for a page of 1 row as for 50 (no lazy load per row). Counted with a
before_cursor_execute listener around one request."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from proposals.committee.models import Category
from proposals.extensions import db
from proposals.handling.models import Assignment
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from ..conftest import recorded
from ..stats.test_figures import bulk_proposals

LIMIT = 10


class Count(int):
    """A statement count that shows the statements when an assertion fails."""

    def __new__(cls, seen):
        self = super().__new__(cls, len(seen))
        self.seen = seen
        return self

    def __repr__(self):
        return f"{int(self)} statements:\n" + "\n".join(
            " ".join(s.split())[:200] for s in self.seen
        )


def statements(call):
    response, seen = recorded(call)
    assert response.status_code == 200, (response.status_code, response.request.path)
    return Count(seen)


@pytest.fixture()
def busy(make):
    """60 proposals of 2023 (45 filed with an assignment, a reply and a rating) for members,
    with units and staff; returns the people."""
    session = make.session(year=2023)
    members = [make.user("member") for _ in range(3)]
    units = [make.department() for _ in range(2)]
    sec = make.user("secretariat")
    clerk = make.user("clerk", units[0])
    categories = db.session.scalars(select(Category.id)).all()
    bulk_proposals(
        60,
        session.id,
        [m.id for m in members],
        categories,
        [units[0].id],
        members[0].id,
        clerk.id,
        start=0,
    )
    db.session.commit()
    head = make.user("department_head", units[0])
    admin = make.user("admin")
    db.session.commit()
    return {
        "secretariat": sec,
        "member": members[0],
        "clerk": clerk,
        "head": head,
        "admin": admin,
        "unit": units[0],
    }


LISTS = {
    "secretariat": [
        "/proposals?per_page={n}",
        "/assignments?per_page={n}",
        "api:/proposals?per_page={n}",
        "api:/assignments?per_page={n}",
    ],
    "member": ["/proposals?per_page={n}", "api:/proposals?per_page={n}"],
    "clerk": [
        "/proposals?per_page={n}",
        "/assignments?per_page={n}",
        "api:/proposals?per_page={n}",
        "api:/assignments?per_page={n}",
    ],
}
PAGES = {
    "secretariat": ["/", "/notifications", "/stats?year=2023"],
    "member": ["/", "/notifications"],
    "clerk": ["/", "/notifications"],
}


def client_for(web, api, user, path):
    if path.startswith("api:"):
        client = api(user)
        return path[4:], client.get
    client = web(user)
    return path, client.get


@pytest.mark.parametrize("role", sorted(LISTS))
def test_lists_issue_the_same_few_statements_for_1_and_50_rows(busy, web, api, role):
    user = busy[role]
    for spec in LISTS[role]:
        path, get = client_for(web, api, user, spec)
        get(path.format(n=1))  # warm: reference caches, first-request work
        one = statements(lambda: get(path.format(n=1)))
        fifty = statements(lambda: get(path.format(n=50)))
        assert one == fifty, (spec, one, fifty)
        assert fifty <= LIMIT, (spec, fifty)


def fill_queues(busy, k):
    """Put ``k`` rows into each queue the home pages show (rows rewritten in place): member's
    drafts and replies to rate, new, overdue, due-soon and to-sign items of the unit, the
    secretariat's replies to check (its proposals to review are the bulk's submitted ones)."""
    member, unit = busy["member"], busy["unit"]
    today = date.today()
    own = db.session.scalars(
        select(Proposal)
        .where(Proposal.proposer_id == member.id, Proposal.state == "closed")
        .order_by(Proposal.id)
    ).all()
    items = (
        db.session.scalars(
            select(Assignment)
            .where(Assignment.department_id == unit.id)
            .options(joinedload(Assignment.proposal), selectinload(Assignment.replies))
            .order_by(Assignment.id)
        )
        .unique()
        .all()
    )
    for p in own[:k]:
        p.state, p.number, p.filed_at = "draft", None, None
    mine = [
        a for a in items if a.proposal.proposer_id == member.id and a.proposal.state == "closed"
    ]
    for a in mine[:k]:
        for r in a.replies:
            r.state = "delivered"
    others = [a for a in items if a not in mine]
    for n, (state, due) in enumerate((("pending", 30), ("handling", -5), ("handling", 10))):
        for a in others[n * 10 : n * 10 + k]:
            a.state, a.reply_due, a.accept_due = state, today + timedelta(days=due), today
            a.proposal.state = "assigned"
            for r in a.replies:
                r.state = "awaiting_signoff" if n == 1 else "awaiting_review"
    db.session.commit()


@pytest.mark.parametrize("role", ["member", "secretariat", "clerk", "head", "admin"])
def test_home_pages_issue_the_same_few_statements_for_1_and_many_rows(busy, web, role):
    client = web(busy[role])
    fill_queues(busy, 1)
    client.get("/")
    one = statements(lambda: client.get("/"))
    fill_queues(busy, 6)
    many = statements(lambda: client.get("/"))
    assert one == many, (role, one, many)
    assert many <= LIMIT, (role, many)


def test_key_proposal_board_does_not_grow_with_the_proposals(busy, web):
    client = web(busy["secretariat"])
    filed = db.session.scalars(
        select(Proposal).where(Proposal.number.is_not(None)).order_by(Proposal.id)
    ).all()
    counts = []
    for k in (1, 12):
        for n, p in enumerate(filed):
            p.is_key = n < k
            p.supervisor_id = busy["secretariat"].id if n < k else None
        db.session.commit()
        client.get("/key-proposals")
        counts.append(statements(lambda: client.get("/key-proposals")))
    assert counts[0] == counts[1], counts
    assert counts[1] <= LIMIT, counts


def test_public_portal_and_attachment_pages_stay_small(busy, web, app):
    """The public list and a published proposal (no login), a proposal's attachments page."""
    from proposals.disclosure import queries
    from proposals.disclosure.rules import current_cutoff

    page = queries.published_page(current_cutoff(date.today()), {}, 1, 20)
    assert page.items, "the bulk proposals of 2023 are published"
    shown = page.items[0]
    member, client = web(busy["member"]), app.test_client()
    own = db.session.scalar(
        select(Proposal.id)
        .where(Proposal.proposer_id == busy["member"].id)
        .order_by(Proposal.id)
        .limit(1)
    )
    for get, path in (
        (client.get, "/public"),
        (client.get, f"/public/proposals/{shown.id}"),
        (web(busy["secretariat"]).get, f"/proposals/{shown.id}/attachments"),
        (member.get, f"/proposals/{own}/attachments"),
    ):
        get(path)
        n = statements(lambda: get(path))
        assert n <= LIMIT, (path, n)


@pytest.mark.parametrize("role", sorted(PAGES))
def test_home_notifications_and_dashboard_stay_small(busy, web, role):
    client = web(busy[role])
    for path in PAGES[role]:
        client.get(path)
        n = statements(lambda: client.get(path))
        assert n <= LIMIT + (25 if path.startswith("/stats") else 2), (path, n)


def test_the_proposal_page_and_answer_do_not_grow_with_its_parts(busy, web, api):
    """A proposal with one unit and one with three units, replies and ratings: the same
    statements."""
    sec = busy["secretariat"]
    small = db.session.scalar(select(Assignment.proposal_id).order_by(Assignment.id).limit(1))
    big = db.session.scalar(select(Assignment.proposal_id).order_by(Assignment.id.desc()).limit(1))
    others = db.session.scalars(
        select(Assignment)
        .where(Assignment.proposal_id != big)
        .order_by(Assignment.id.desc())
        .limit(2)
    ).all()
    for a in others:  # move two more items (with their replies) onto the big proposal
        a.proposal_id = big
    db.session.commit()
    assert db.session.get(Proposal, big) is not None
    page, answer = web(sec), api(sec)
    counts = {}
    for pid in (small, big):
        page.get(f"/proposals/{pid}")
        counts[pid] = (
            statements(lambda: page.get(f"/proposals/{pid}")),
            statements(lambda: answer.get(f"/proposals/{pid}")),
        )
    assert counts[small] == counts[big], counts
    assert max(counts[big]) <= LIMIT, counts


# ---------------------------------------------------------------- the list page's render cost


def test_page_links_show_a_window_not_every_page(busy, web):
    """60 pages of 1 row: the links are the first, the last and the current ± 2 (with an
    ellipsis at ± 3), not one per page (the loop over every page would be most of the
    page's time at 100,000 proposals)."""
    import re

    client = web(busy["secretariat"])
    html = client.get("/proposals?per_page=1&page=30").get_data(as_text=True)
    nav = html[html.index('class="pagination') :]
    nav = nav[: nav.index("</nav>")]
    shown = sorted({int(n) for n in re.findall(r'class="page-link"[^>]*>(\d+)</a>', nav)})
    assert shown == [1, 28, 29, 30, 31, 32, 60], shown
    assert nav.count("…") == 2
    first = client.get("/proposals?per_page=1").get_data(as_text=True)
    nav = first[first.index('class="pagination') :]
    shown = sorted(
        {
            int(n)
            for n in re.findall(r'class="page-link"[^>]*>(\d+)</a>', nav[: nav.index("</nav>")])
        }
    )
    assert shown == [1, 2, 3, 60], shown


def test_the_filter_form_follows_the_data_and_the_query(busy, web, make):
    """A new unit shows in the filter form at once, and the chosen values follow the query."""
    client = web(busy["secretariat"])
    before = client.get("/proposals?state=filed").get_data(as_text=True)
    assert '<option selected value="filed">' in before
    unit = make.department(name="新设测试单位")
    db.session.commit()
    after = client.get("/proposals?state=filed").get_data(as_text=True)
    assert "新设测试单位" in after and "新设测试单位" not in before
    other = client.get("/proposals?state=closed").get_data(as_text=True)
    assert '<option selected value="closed">' in other
    assert '<option selected value="filed">' not in other
    assert unit.code in other


def test_list_rows_show_the_proposal_and_its_units(busy, web):
    """The list page reads its rows as plain columns: each row still shows its number,
    proposer, category, session and units, as the proposal page knows them."""
    p = db.session.scalars(
        select(Proposal)
        .where(Proposal.number.is_not(None))
        .order_by(Proposal.submitted_at.desc().nulls_first(), Proposal.id.desc())
    ).first()
    html = (
        web(busy["secretariat"])
        .get(f"/proposals?per_page=100&state={p.state}")
        .get_data(as_text=True)
    )
    row = html[html.index(f'href="/proposals/{p.id}"') :]
    row = row[: row.index("</tr>")]
    assert p.title in row and p.proposer.name in row and p.session.label in row
    units = [
        a.department.name for a in loaded(p, "assignments").assignments if a.state != "reassigned"
    ]
    assert units and all(name in row for name in units)
    assert p.number_label in html[: html.index(f'href="/proposals/{p.id}"')][-300:]
