"""The web shell: login, logout, home pages per role, error pages, language switch."""
from proposals.extensions import db

from . import flows


def test_anonymous_visitor_is_sent_to_the_login_page(world, web):
    r = web().get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    page = web().get("/login")
    assert page.status_code == 200 and "登录" in page.get_data(as_text=True)


def test_login_with_the_right_password_and_logout(world, web, app):
    world.member.set_password("correct-horse-9")
    db.session.commit()
    client = web()
    bad = client.post("/login", data={"username": "m1", "password": "wrong"})
    assert "用户名或密码错误" in bad.get_data(as_text=True)
    ok = client.post("/login", data={"username": "m1", "password": "correct-horse-9"})
    assert ok.status_code == 302
    home = client.get("/")
    assert home.status_code == 200 and "张委员" in home.get_data(as_text=True)
    out = client.post("/logout")
    assert out.status_code == 302
    assert client.get("/").status_code == 302


def test_login_never_redirects_to_another_site(world, web):
    world.member.set_password("correct-horse-9")
    db.session.commit()
    r = web().post("/login?next=//evil.example/x",
                   data={"username": "m1", "password": "correct-horse-9"})
    assert r.headers["Location"] == "/"


def test_each_role_home_shows_what_waits_for_that_person(world, web):
    p = flows.assigned(world)
    flows.submitted(world, title="关于发展夜间经济的建议")
    sec = web(world.secretariat).get("/").get_data(as_text=True)
    assert "待立案审查" in sec and "关于发展夜间经济的建议" in sec
    clerk = web(world.clerk_a).get("/").get_data(as_text=True)
    assert "新交办" in clerk and p.title in clerk
    other = web(world.clerk_b).get("/").get_data(as_text=True)
    assert p.title not in other
    member = web(world.member).get("/").get_data(as_text=True)
    assert "待测评的答复" in member
    assert web(world.admin).get("/").status_code == 200


def test_error_pages_are_in_chinese(world, web):
    r = web(world.member).get("/no-such-page")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)


def test_language_switch_to_english_and_back(world, web):
    client = web(world.member)
    client.post("/lang/en", data={"next": "/"})
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    client.post("/lang/zh_CN", data={"next": "/"})
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)
