"""What a page keeps between requests (issue 7) shows what is true now: the navigation bar kept
per worker (web/layout.py) is each person's own, carries this session's CSRF token and follows
the unread count; the unread count read with the login session follows notifications written
or read in the same request; kept list statements answer for the person who asks."""
import re
from datetime import date

import pytest

from proposals import create_app
from proposals.extensions import db
from proposals.notifications.models import Notification

from .conftest import WebClient, log_in
from .flows import submitted


def notify(user, n):
    for i in range(n):
        db.session.add(Notification(recipient_id=user.id, kind="test", record_type="digest",
                                    record_id=i, deadline=date(2026, 1, 1), text="x",
                                    link="/"))
    db.session.commit()


def current_user_shown(html):
    return re.search(r'data-testid="current-user">([^<]*)<', html).group(1)


def unread_shown(html):
    found = re.search(r'data-testid="unread-count">(\d+)<', html)
    return int(found.group(1)) if found else 0


def test_each_person_gets_their_own_bar(world, web):
    a, b = web(world.member), web(world.member2)
    for _ in range(2):  # the second time from the kept bars
        assert world.member.name in current_user_shown(a.get("/proposals").get_data(True))
        assert world.member2.name in current_user_shown(b.get("/proposals").get_data(True))


def test_the_unread_count_follows_notifications(world, web):
    client = web(world.member)
    assert unread_shown(client.get("/proposals").get_data(True)) == 0
    notify(world.member, 2)
    assert unread_shown(client.get("/proposals").get_data(True)) == 2
    response = client.post("/notifications/read-all", follow_redirects=True)
    assert response.status_code == 200
    assert unread_shown(response.get_data(True)) == 0
    assert unread_shown(client.get("/proposals").get_data(True)) == 0


def test_the_count_read_at_login_is_dropped_when_notifications_change(world, app):
    """A request that writes or reads notifications counts them again (security/sessions.py
    reads the count with the login session; notifications/service.py drops it)."""
    from proposals.notifications import service
    from proposals.security import request_state
    from proposals.security.sessions import UNREAD, unread_at_login
    with app.test_request_context("/"):
        request_state()[UNREAD] = 7
        notify(world.member, 1)  # a notification written in the request
        assert unread_at_login() is None
        request_state()[UNREAD] = 7
        service.mark_all_read(world.member)
        assert unread_at_login() is None


def test_the_active_entry_is_the_page_shown(world, web):
    client = web(world.secretariat)
    lists = client.get("/proposals").get_data(True)
    home = client.get("/").get_data(True)
    active = r'class="nav-link active" aria-current="page" href="([^"]+)"'
    assert re.search(active, lists).group(1).endswith("/proposals")
    assert re.search(active, home).group(1) != re.search(active, lists).group(1)


@pytest.fixture()
def csrf_app(app):
    config = {k: app.config[k] for k in ("ENV", "TESTING", "SECRET_KEY",
                                         "SQLALCHEMY_DATABASE_URI", "PASSWORD_HASH_METHOD")}
    config.update({"WTF_CSRF_ENABLED": True, "LOGIN_RATE_LIMIT_ENABLED": False})
    return create_app(config)


def logout_token(html):
    form = html[html.index('action="/logout"'):]
    return re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)


def test_a_kept_bar_carries_this_sessions_csrf_token(world, csrf_app):
    """The same person on the same page in two sessions gets the kept bar with each session's
    own token: the logout form works in each, and one session's token fails in the other."""
    first = log_in(WebClient(csrf_app, csrf_app.response_class, use_cookies=True), world.member)
    second = log_in(WebClient(csrf_app, csrf_app.response_class, use_cookies=True), world.member)
    token_1 = logout_token(first.get("/proposals").get_data(True))
    token_2 = logout_token(second.get("/proposals").get_data(True))  # the kept bar
    assert "\x00" not in token_2 and token_1 != token_2
    assert first.post("/logout", data={"csrf_token": token_2}).status_code == 400
    assert second.post("/logout", data={"csrf_token": token_2}).status_code in (302, 303)
    assert first.post("/logout", data={"csrf_token": token_1}).status_code in (302, 303)


def test_a_signed_csrf_token_is_used_again_within_a_minute(world, csrf_app, monkeypatch):
    """One session's pages within a minute carry the same signed token (signing it was a
    part of every page); it still works, and a minute later the page has a new one."""
    from proposals.web import layout
    clock = [1000.0]
    monkeypatch.setattr(layout.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(layout, "_signed", layout.TTLCache(
        maxsize=16, ttl=layout.CSRF_REUSE_SECONDS, timer=lambda: clock[0]))
    signed = []
    generate = layout.generate_csrf
    monkeypatch.setattr(layout, "generate_csrf", lambda: signed.append(1) or generate())
    client = log_in(WebClient(csrf_app, csrf_app.response_class, use_cookies=True), world.member)
    first = logout_token(client.get("/proposals").get_data(True))
    clock[0] += 30
    signed.clear()
    again = logout_token(client.get("/proposals?page=2").get_data(True))
    assert again == first and not signed
    clock[0] += 31
    logout_token(client.get("/proposals").get_data(True))
    assert signed  # signed again: its time limit runs from now
    assert client.post("/logout", data={"csrf_token": first}).status_code in (302, 303)


def test_kept_list_statements_answer_for_who_asks(world, web, api):
    mine = submitted(world, title="我的提案")
    theirs = submitted(world, world.member2, title="别人的提案")
    for _ in range(2):  # the second time from the kept statements
        member = web(world.member).get("/proposals").get_data(True)
        assert "我的提案" in member and "别人的提案" not in member
        other = api(world.member2).get("/proposals").get_json()
        assert [p["id"] for p in other["items"]] == [theirs.id]
        secretariat = api(world.secretariat).get("/proposals").get_json()
        assert {p["id"] for p in secretariat["items"]} == {mine.id, theirs.id}


# ---------------------------------------------------------------- the kept list page

def page(client, path):
    r = client.get(path)
    assert r.status_code == 200, path
    return r.get_data(True)


@pytest.mark.parametrize("who", ["secretariat", "member", "clerk_a"])
def test_a_kept_list_page_is_the_page_rendered_whole(world, csrf_app, who, monkeypatch):
    """The list page filled into its kept shell (web/shell.py) is, byte for byte, the page
    rendered whole: for each role, both languages, sorting, filters, pages, a search, an
    empty result; the second request (from the kept shell) too."""
    from proposals.web import shell
    for n in range(3):
        submitted(world, title=f"关于第{n}件小事的建议")
    client = log_in(WebClient(csrf_app, csrf_app.response_class, use_cookies=True),
                    getattr(world, who))
    paths = ["/proposals", "/proposals?sort=title", "/proposals?per_page=1&page=2&sort=number",
             "/proposals?q=%E5%B0%8F%E4%BA%8B", "/proposals?state=closed",
             "/proposals?per_page=2&state=submitted"]
    for lang in ("zh_CN", "en"):
        with client.session_transaction() as sess:
            sess["lang"] = lang
        for path in paths:
            monkeypatch.setattr(shell, "KEEP", False)
            whole = page(client, path)
            monkeypatch.setattr(shell, "KEEP", True)
            assert page(client, path) == whole, (lang, path)
            assert page(client, path) == whole, (lang, path)  # from the kept shell
            assert "\x00" not in whole


def test_a_kept_list_page_shows_new_rows_and_totals_and_a_flash_once(world, web):
    client = web(world.secretariat)
    first = page(client, "/proposals")
    page(client, "/proposals")  # kept
    new = submitted(world, title="关于新来的一件事的建议")
    again = page(client, "/proposals")
    assert new.title in again and new.title not in first
    total = re.compile(r'data-testid="total">([^<]*)<')
    assert total.search(again).group(1) != total.search(first).group(1)
    with client.session_transaction() as sess:
        sess["_flashes"] = [("success", "已保存一件事")]
    assert "已保存一件事" in page(client, "/proposals")  # shown once, the page whole
    assert "已保存一件事" not in page(client, "/proposals")


@pytest.mark.parametrize("who", ["secretariat", "clerk_a"])
def test_the_assignment_list_from_its_kept_filter_form_is_the_page_rendered_afresh(
        world, web, app, who):
    """The assignment list's filter form is kept per worker (web/lists.py filter_form_html):
    the page built with the kept form is the page with the form rendered afresh, for each
    role, both languages and several filters; a bad filter still shows its message."""
    from .flows import assigned
    assigned(world, title="关于一件交办的事的建议")
    client = web(getattr(world, who))
    paths = ["/assignments", "/assignments?state=handling", "/assignments?overdue=true",
             "/assignments?per_page=50&department=" + world.unit_a.code]
    for lang in ("zh_CN", "en"):
        with client.session_transaction() as sess:
            sess["lang"] = lang
        fresh = {}
        for path in paths:
            app.extensions.pop("lists.filter_form_html", None)  # rendered afresh
            fresh[path] = page(client, path)
            assert 'name="state"' in fresh[path] and "<form" in fresh[path]
        for path in paths:  # each from the kept forms of all four
            assert page(client, path) == fresh[path], (lang, path)
    bad = client.get("/assignments?overdue=perhaps")
    assert bad.status_code == 400 and 'data-testid="filter-errors"' in bad.get_data(True)
