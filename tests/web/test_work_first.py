"""The lists and home pages open on the work to do ("work first", docs/domain.md): re-handling,
overdue, due soon, new, the other open items by nearest deadline, the closed ones last (latest
first); the sort choice; each person's sort and filters remembered, applied and reset."""

import re
from datetime import timedelta

from sqlalchemy import event, select

from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.handling.models import Assignment
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded
from proposals.workflow.models import Proposal

from .. import flows
from .test_lists import listed_assignments, listed_ids, read_csv, text


def today():
    return local_date(utcnow())


def unit_items(world):
    """One assignment of unit A of each kind, made in an order unlike the expected one:
    {kind: assignment}."""
    day = today()
    made = {}

    def handling(kind, **changes):
        p = flows.handling(world, title=f"关于{kind}事项的建议")
        a = loaded(p, "assignments").assignments[0]
        for name, value in changes.items():
            setattr(a, name, value)
        if changes.get("state") == "closed":
            p.state = "closed"
        made[kind] = a

    handling("closed_old", state="closed", closed_at=utcnow() - timedelta(days=300))
    handling("far_80", reply_due=day + timedelta(days=80))
    handling("due_soon", reply_due=day + timedelta(days=10))
    handling("closed_recent", state="closed", closed_at=utcnow() - timedelta(days=2))
    handling("far_60", reply_due=day + timedelta(days=60))
    handling("overdue", reply_due=day - timedelta(days=5))
    new = flows.assigned(world, title="关于new事项的建议")
    made["new"] = loaded(new, "assignments").assignments[0]
    made["new"].reply_due = day + timedelta(days=90)
    made["new"].accept_due = day + timedelta(days=20)
    handling("rehandling", state="rehandling", round=2, reply_due=day + timedelta(days=45))
    db.session.commit()
    return made


WORK_ORDER = [
    "rehandling",
    "overdue",
    "due_soon",
    "new",
    "far_60",
    "far_80",
    "closed_recent",
    "closed_old",
]


def ids(made, kinds):
    return [made[k].id for k in kinds]


def home_work_ids(page):
    return [int(i) for i in re.findall(r'data-assignment="(\d+)"', page)]


def test_the_assignment_list_opens_work_first_for_the_clerk_and_the_secretariat(world, web):
    made = unit_items(world)
    for user in (world.clerk_a, world.head_a, world.secretariat):
        page = text(web(user).get("/assignments"))
        assert listed_assignments(page) == ids(made, WORK_ORDER), user.username
        assert '<option selected value="work">' in page or 'value="work" selected' in page


def test_the_export_takes_the_lists_order(world, web):
    made = unit_items(world)
    rows = read_csv(web(world.clerk_a).get("/assignments.csv"))
    assert [int(r[0]) for r in rows[1:]] == ids(made, WORK_ORDER)
    rows = read_csv(web(world.clerk_a).get("/assignments.csv?sort=newest"))
    assert [int(r[0]) for r in rows[1:]][0] == made["rehandling"].id


def test_pages_keep_the_work_order(world, web):
    made = unit_items(world)
    client = web(world.clerk_a)
    first = listed_assignments(text(client.get("/assignments?per_page=20&page=1")))
    assert first == ids(made, WORK_ORDER)
    # three to a page: the pages, one after the other, are the whole order
    pages = []
    for n in (1, 2, 3):
        pages += listed_assignments(text(client.get(f"/assignments?per_page=3&page={n}")))
    assert pages == ids(made, WORK_ORDER)


def test_the_units_home_shows_every_open_item_work_first(world, web):
    made = unit_items(world)
    for user in (world.clerk_a, world.head_a):
        page = text(web(user).get("/"))
        assert home_work_ids(page) == ids(made, WORK_ORDER[:6]), user.username
        for kind, group in (
            ("rehandling", "rehandling"),
            ("overdue", "overdue"),
            ("due_soon", "due_soon"),
            ("new", "new"),
            ("far_60", "open"),
        ):
            assert f'data-group="{group}" data-assignment="{made[kind].id}"' in page
    assert home_work_ids(text(web(world.clerk_b).get("/"))) == []


def test_an_accepted_item_due_in_60_days_is_on_the_units_home(world, web):
    p = flows.handling(world, title="关于六十天后到期事项的建议")
    a = loaded(p, "assignments").assignments[0]
    a.reply_due = today() + timedelta(days=60)
    db.session.commit()
    page = text(web(world.clerk_a).get("/"))
    assert "关于六十天后到期事项的建议" in page
    assert home_work_ids(page) == [a.id]


def test_due_soon_follows_the_reminder_setting(world, web):
    from proposals.committee import settings

    made = unit_items(world)
    settings.set_value("reminder_reply_before_days", "7, 1")  # 10 days out is no longer soon
    db.session.commit()
    page = text(web(world.clerk_a).get("/"))
    assert f'data-group="open" data-assignment="{made["due_soon"].id}"' in page
    order = listed_assignments(text(web(world.clerk_a).get("/assignments")))
    assert order.index(made["due_soon"].id) > order.index(made["new"].id)


def test_the_secretariats_lists_and_home_open_on_its_work(world, web):
    day = today()
    old = flows.filed(world, title="关于较早已办结的建议")
    old.state, old.closed_at = "closed", utcnow() - timedelta(days=200)
    recent = flows.filed(world, title="关于最近已办结的建议")
    recent.state, recent.closed_at = "closed", utcnow() - timedelta(days=1)
    handled = flows.handling(world, title="关于正常办理的建议")
    late = flows.handling(world, title="关于逾期的建议")
    loaded(late, "assignments").assignments[0].reply_due = day - timedelta(days=3)
    rehandled = flows.handling(world, title="关于重新办理逾期的建议")
    a = loaded(rehandled, "assignments").assignments[0]
    a.state, a.round, a.reply_due = "rehandling", 2, day - timedelta(days=1)
    filed = flows.filed(world, title="关于待交办的建议")
    first = flows.submitted(world, title="关于先提交的建议")
    second = flows.submitted(world, title="关于后提交的建议")
    db.session.commit()
    client = web(world.secretariat)
    # waiting for review (oldest first), to assign, with an overdue unit (nearest deadline
    # first), the others open, the finished ones (latest first)
    assert listed_ids(text(client.get("/proposals"))) == [
        first.id,
        second.id,
        filed.id,
        late.id,
        rehandled.id,
        handled.id,
        recent.id,
        old.id,
    ]
    home = text(client.get("/"))
    assert home.index("关于先提交的建议") < home.index("关于后提交的建议")
    # the overdue queue: the re-handling one first, though its deadline is later
    overdue = home.split("逾期未答复", 1)[1]
    assert overdue.index("关于重新办理逾期的建议") < overdue.index("关于逾期的建议")


def test_the_members_list_opens_on_what_waits_for_them(world, web):
    _done, _reply = flows.replied(world, title="关于待测评的建议")
    closed = flows.filed(world, title="关于已办结的建议")
    closed.state, closed.closed_at = "closed", utcnow()
    submitted = flows.submitted(world, title="关于已提交的建议")
    invited = flows.draft(
        world, proposer=world.member2, cosigners=[world.member], title="关于待联名确认的建议"
    )
    ops.submit_proposal(world.member2, invited)
    draft = flows.draft(world, title="关于草稿的建议")
    db.session.commit()
    order = listed_ids(text(web(world.member).get("/proposals")))
    assert order == [_done.id, invited.id, draft.id, submitted.id, closed.id]


def test_the_phone_card_shows_the_latest_step(world, web):
    p = flows.assigned(world, title="关于最新进展的建议")
    page = text(web(world.member).get("/proposals"))
    step = re.search(r'data-testid="latest-step">(.*?)</div>', page, re.S).group(1)
    assert "已交办" in step and today().isoformat() in step
    assert p.id in listed_ids(page)


# ---------------------------------------------------------------- the sort choice


def test_the_sort_choice(world, web):
    made = unit_items(world)
    client = web(world.clerk_a)
    due = listed_assignments(text(client.get("/assignments?sort=due")))
    assert due[:6] == ids(made, ["overdue", "due_soon", "new", "rehandling", "far_60", "far_80"])
    newest = listed_assignments(text(client.get("/assignments?sort=newest")))
    assert newest == sorted(newest, reverse=True)
    number = listed_assignments(text(client.get("/assignments?sort=number")))
    numbers = dict(
        db.session.execute(
            select(Assignment.id, Proposal.number).join(
                Proposal, Proposal.id == Assignment.proposal_id
            )
        ).all()
    )
    assert [numbers[i] for i in number] == sorted(numbers.values())
    # an unknown value (an old link): the default order, not an error
    r = client.get("/assignments?sort=oldest_first")
    assert r.status_code == 200 and listed_assignments(text(r)) == ids(made, WORK_ORDER)
    r = web(world.secretariat).get("/proposals?sort=random")
    assert r.status_code == 200 and 'data-testid="filter-errors"' not in text(r)


# ---------------------------------------------------------------- remembered per person


def stored(user):
    db.session.refresh(user)
    return user.list_preferences


def test_the_filters_and_sort_are_stored_applied_and_reset(world, web):
    made = unit_items(world)
    client = web(world.clerk_a)
    r = client.get("/assignments?state=pending&overdue=&sort=due&per_page=50&page=2&submit=筛选")
    assert r.status_code == 200
    assert stored(world.clerk_a) == {
        "assignments": {"state": "pending", "sort": "due", "per_page": "50"}
    }
    # another device, another login: the bare list goes to the stored choice
    other = web(world.clerk_a)
    r = other.get("/assignments")
    assert r.status_code == 302
    assert "state=pending" in r.location and "sort=due" in r.location
    assert "page=" not in r.location.replace("per_page=", "")
    page = text(other.get(r.location))
    assert listed_assignments(page) == [made["new"].id]
    assert '<option selected value="pending">' in page or 'value="pending" selected' in page
    # the other list is not touched
    assert other.get("/proposals").status_code == 200
    # reset: forgotten, the default shown
    r = other.get("/assignments?reset=1")
    assert r.status_code == 302 and r.location.endswith("/assignments")
    assert stored(world.clerk_a) == {"assignments": {}}
    r = other.get("/assignments")
    assert r.status_code == 200 and listed_assignments(text(r)) == ids(made, WORK_ORDER)


def test_only_valid_values_are_stored(world, web):
    flows.assigned(world)
    client = web(world.secretariat)
    client.get("/assignments?state=nope&department=ZJJ&sort=random&per_page=7&submit=1")
    assert stored(world.secretariat) == {"assignments": {"department": "ZJJ"}}
    client.get("/proposals?year=soon&key=true&q=电梯&sort=number&submit=1")
    assert stored(world.secretariat)["proposals"] == {"key": "true", "sort": "number"}


def test_a_bad_stored_value_falls_back_to_the_default(world, web):
    made = unit_items(world)
    for bad in (
        {"assignments": {"sort": "oldest_first", "state": 5, "per_page": "1000"}},
        {"assignments": "state=pending", "proposals": ["x"]},
        ["not", "a", "dict"],
        "junk",
    ):
        world.clerk_a.list_preferences = bad
        db.session.commit()
        client = web(world.clerk_a)
        r = client.get("/assignments")
        assert r.status_code == 200, bad
        assert listed_assignments(text(r)) == ids(made, WORK_ORDER)
        assert client.get("/proposals").status_code == 200
    # a stored value of an old version among good ones: the good ones are applied
    world.clerk_a.list_preferences = {"assignments": {"sort": "gone", "state": "pending"}}
    db.session.commit()
    r = web(world.clerk_a).get("/assignments")
    assert r.status_code == 302 and "state=pending" in r.location and "sort" not in r.location


def test_viewing_a_list_does_not_write(world, web, app):
    unit_items(world)
    client = web(world.clerk_a)
    client.get("/assignments?sort=due&submit=1")
    writes = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE USERS"):
            writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/assignments?sort=due&submit=1")  # the same choice again
        client.get("/assignments?sort=due&page=2")  # a page link, no form submitted
        client.get("/assignments?sort=newest&state=pending")  # a link, not the form
        client.get("/assignments?reset=1")  # forgets: one write
        client.get("/assignments?reset=1")  # nothing left to forget
        client.get("/assignments")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(writes) == 1, writes
    assert stored(world.clerk_a) == {"assignments": {}}


def test_a_link_with_a_query_applies_but_does_not_store(world, web):
    unit_items(world)
    client = web(world.clerk_a)
    client.get("/assignments?sort=due&submit=1")
    client.get("/assignments?sort=newest&state=pending")
    assert stored(world.clerk_a) == {"assignments": {"sort": "due"}}
