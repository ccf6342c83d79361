"""The text size (A / A+ / A++ in the header): kept on the person's account, so that it follows
them to another device; a value the buttons never send is refused and changes nothing; the
form needs its CSRF token; anonymous visitors see the default size."""

import re

import pytest

from proposals.accounts.models import User
from proposals.extensions import db

from ..conftest import WebClient
from ..security.helpers import form_login, with_password


def new_client(app):
    """A browser of its own (a device): cookies, no login yet."""
    return WebClient(app, app.response_class, use_cookies=True)


def html_class(resp):
    tag = re.search(r"<html[^>]*>", resp.get_data(as_text=True)).group(0)
    found = re.search(r'class="([^"]*)"', tag)
    return found.group(1) if found else ""


def pressed(resp):
    """The value of the header's size button marked aria-pressed="true"."""
    page = resp.get_data(as_text=True)
    return re.findall(r'name="size" value="(\w+)" aria-pressed="true"', page)


def stored(user):
    db.session.expire_all()
    return db.session.get(User, user.id).text_size


def test_the_size_is_stored_and_follows_the_person_to_another_device(world, app):
    with_password(world.member)
    phone = new_client(app)
    form_login(phone, "m1")
    page = phone.get("/proposals")
    assert html_class(page) == "" and pressed(page) == ["normal"]
    assert 'action="/account/text-size"' in page.get_data(as_text=True)

    resp = phone.post("/account/text-size", data={"size": "larger", "next": "/proposals?page=1"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/proposals?page=1"
    assert stored(world.member) == "larger"
    page = phone.get("/proposals")
    assert html_class(page) == "text-larger" and pressed(page) == ["larger"]

    desktop = new_client(app)  # another device: a new login
    form_login(desktop, "m1")
    assert html_class(desktop.get("/")) == "text-larger"

    desktop.post("/account/text-size", data={"size": "large", "next": "/"})
    assert html_class(desktop.get("/")) == "text-large"
    desktop.post("/account/text-size", data={"size": "normal", "next": "/"})
    assert html_class(desktop.get("/")) == "" and stored(world.member) == "normal"
    # someone else keeps their own size
    assert stored(world.member2) == "normal"


@pytest.mark.parametrize("bad", ["huge", "", "LARGE", "normal ", "x" * 500])
def test_a_bad_size_is_refused_and_changes_nothing(world, web, bad):
    world.member.text_size = "large"
    db.session.commit()
    resp = web(world.member).post("/account/text-size", data={"size": bad, "next": "/"})
    assert resp.status_code == 400
    assert stored(world.member) == "large"


def test_the_size_needs_a_login_and_goes_back_only_to_a_local_page(world, web):
    resp = web().post("/account/text-size", data={"size": "larger"})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    client = web(world.member)
    for unsafe in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""):
        resp = client.post("/account/text-size", data={"size": "large", "next": unsafe})
        assert resp.status_code == 302 and resp.headers["Location"] == "/", unsafe
    resp = client.get("/account/text-size")
    assert resp.status_code == 405


def test_anonymous_pages_keep_the_default_size(world, web):
    for path in ("/login", "/public"):
        resp = web().get(path)
        assert resp.status_code == 200 and html_class(resp) == "", path
        assert "/account/text-size" not in resp.get_data(as_text=True)


def test_the_size_form_requires_the_csrf_token(world, web, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = web(world.member)
    page = client.get("/").get_data(as_text=True)
    form = re.search(r'<form[^>]*action="/account/text-size".*?</form>', page, re.S).group(0)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    resp = client.post("/account/text-size", data={"size": "larger", "next": "/"})
    assert resp.status_code == 400 and stored(world.member) == "normal"
    resp = client.post(
        "/account/text-size", data={"size": "larger", "next": "/", "csrf_token": token}
    )
    assert resp.status_code == 302 and stored(world.member) == "larger"
