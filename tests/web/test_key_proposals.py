"""The key-proposal board (重点提案督办): what it shows, the overdue flags, who may see it, and a
fixed number of queries whatever the number of key proposals."""

from datetime import timedelta

from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.handling import operations as hops
from proposals.workflow import operations as ops
from proposals.workflow.core import loaded

from .. import flows
from ..conftest import recorded


def key_case(world, supervisor, title="关于加快老旧小区改造的建议", rated=True):
    """A key proposal with a contact, a delivered reply and (optionally) its rating."""
    p, reply = flows.replied(world, title=title, cosigners=[world.member3])
    if rated:
        hops.rate_reply(world.member, reply, {"rating": "basically_satisfied"})
    ops.mark_key(world.secretariat, p, True, supervisor.username)
    db.session.commit()
    return p, reply


def test_the_board_shows_units_deadlines_contacts_replies_and_ratings(world, web):
    p, reply = key_case(world, world.member2, title="关于重点事项甲的建议")
    late = flows.handling(
        world, title="关于重点事项乙的建议", plan=[(world.unit_a, "lead"), (world.unit_b, "co")]
    )
    ops.mark_key(world.secretariat, late, True, "m2")
    lead = next(a for a in loaded(late, "assignments").assignments if a.role == "lead")
    today = local_date(utcnow())
    lead.reply_due = today - timedelta(days=3)  # past its deadline, no reply: overdue
    db.session.commit()
    plain = flows.handling(world, title="关于普通事项的建议")  # not a key proposal

    html = web(world.secretariat).get("/key-proposals").get_data(True)
    assert "关于重点事项甲的建议" in html and "关于重点事项乙的建议" in html
    assert plain.title not in html
    assert p.number_label in html and "李委员" in html  # supervisor m2
    assert "王委员" in html  # the co-signer among the proposers
    assert "市住房和城乡建设局" in html and "市财政局" in html and "会办" in html
    a = loaded(p, "assignments").assignments[0]
    assert a.reply_due.isoformat() in html and a.accept_due.isoformat() in html
    assert a.contact_due.isoformat() in html
    assert "办前沟通 1 次" in html
    assert "已解决或采纳" in html and "基本满意" in html
    assert local_date(reply.delivered_at).isoformat() in html  # delivered on
    # the overdue flags: exactly one unit and one proposal are overdue
    assert html.count('data-testid="unit-overdue"') == 1
    assert html.count('data-testid="overdue-flag"') == 1
    assert "逾期 3 天" in html
    assert "共 2 件重点提案，其中逾期 1 件" in html
    only_late = web(world.secretariat).get("/key-proposals?overdue=true").get_data(True)
    assert "关于重点事项乙的建议" in only_late and "关于重点事项甲的建议" not in only_late


def test_who_may_see_the_board(world, web):
    mine, _ = key_case(world, world.member2, title="关于李委员督办事项的建议", rated=False)
    theirs, _ = key_case(world, world.head_b, title="关于财政局长督办事项的建议", rated=False)
    # the secretariat: all, and may filter by supervisor
    sec = web(world.secretariat)
    html = sec.get("/key-proposals").get_data(True)
    assert mine.title in html and theirs.title in html
    html = sec.get("/key-proposals?supervisor=m2").get_data(True)
    assert mine.title in html and theirs.title not in html
    # each supervising leader: their own only, whatever the filter says
    html = web(world.member2).get("/key-proposals?supervisor=head_b").get_data(True)
    assert mine.title in html and theirs.title not in html
    html = web(world.head_b).get("/key-proposals").get_data(True)
    assert theirs.title in html and mine.title not in html
    assert "重点提案督办" in web(world.member2).get("/").get_data(True)  # in the navigation
    # anyone else: refused; nobody logged in: to the login page
    for user in (world.member3, world.clerk_a, world.head_a, world.admin, world.member):
        assert web(user).get("/key-proposals").status_code == 403, user.username
        assert web(user).get("/key-proposals/print").status_code == 403, user.username
    assert web().get("/key-proposals").status_code == 302
    # an unmarked proposal leaves the board and its supervisor loses the page
    ops.mark_key(world.secretariat, theirs, False)
    db.session.commit()
    assert web(world.head_b).get("/key-proposals").status_code == 403


def test_filters_by_year_and_session_and_the_print_view(world, web, make):
    p, _ = key_case(world, world.member2, title="关于本届重点事项的建议", rated=False)
    sec = web(world.secretariat)
    year = world.session.year
    assert p.title in sec.get(f"/key-proposals?year={year}").get_data(True)
    assert p.title not in sec.get(f"/key-proposals?year={year - 1}").get_data(True)
    assert p.title in sec.get(f"/key-proposals?session={world.session.id}").get_data(True)
    assert p.title not in sec.get(f"/key-proposals?session={world.session.id + 999}").get_data(True)
    resp = sec.get(f"/key-proposals/print?year={year}")
    html = resp.get_data(True)
    assert resp.status_code == 200 and p.title in html and "重点提案督办情况表" in html
    assert "navbar" not in html and "<form" not in html and "<script" not in html
    assert 'style="' not in html and "disclosure.css" in html  # print rules in a CSS file


def test_the_board_reads_a_fixed_number_of_queries(world, web):
    key_case(world, world.member2, title="关于第00号重点事项的建议")
    sec = web(world.secretariat)
    paths = ("/key-proposals", "/key-proposals/print")
    one = {path: len(recorded(lambda: sec.get(path))[1]) for path in paths}
    for n in range(1, 20):
        key_case(
            world, world.member2 if n % 2 else world.head_a, title=f"关于第{n:02d}号重点事项的建议"
        )
    for path in paths:
        resp, seen = recorded(lambda: sec.get(path))
        twenty = len(seen)
        assert resp.get_data(True).count('data-testid="key-row"') == 20
        assert twenty == one[path], (path, one[path], twenty)
