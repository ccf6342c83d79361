"""The admin's pages (系统管理员): users, units, sessions, categories, not-filed reasons, settings
and holidays. Each page works for the admin, refuses everyone else (403) without changing
anything, and shows the service's message next to a bad field without changing anything."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from proposals.accounts.models import Department, User
from proposals.committee import settings as committee_settings
from proposals.committee.calendar import official_years
from proposals.committee.models import Category, CommitteeSession, Holiday, NotFiledReason, Setting
from proposals.extensions import db

from ..conftest import FAST_HASH


@pytest.fixture(autouse=True)
def restore_reference_lists(ctx):
    """Categories and reasons are seeded once and survive wipe(): put them back as they were."""
    seeds = {
        model: {r.code: r.name for r in db.session.scalars(select(model))}
        for model in (Category, NotFiledReason)
    }
    yield
    db.session.rollback()
    for model, names in seeds.items():
        for row in db.session.scalars(select(model)).all():
            if row.code not in names:
                db.session.delete(row)
            else:
                row.name, row.active = names[row.code], True
    db.session.commit()


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def text(resp):
    return resp.get_data(as_text=True)


def snapshot():
    """Everything the admin's pages can change, to prove a refused request changed nothing."""

    def rows(model, *cols):
        return sorted(tuple(getattr(r, c) for c in cols) for r in db.session.scalars(select(model)))

    return (
        rows(
            User,
            "username",
            "name",
            "role",
            "department_id",
            "active",
            "password_hash",
            "email",
            "org_type",
        ),
        rows(Department, "code", "name", "active"),
        rows(CommitteeSession, "term", "meeting", "is_current"),
        rows(Category, "code", "name", "active"),
        rows(NotFiledReason, "code", "name", "active"),
        rows(Setting, "key", "value"),
        rows(Holiday, "day", "is_workday", "name"),
    )


def beyond_official():
    """A Monday and the Saturday before it in the first year the official calendar lacks."""
    year = official_years()[1] + 1
    monday = date(year, 10, 1) + timedelta(days=(7 - date(year, 10, 1).weekday()) % 7)
    return monday, monday - timedelta(days=2)


NEW_USER = {
    "username": "zhang3",
    "name": "张三",
    "role": "member",
    "department": "",
    "email": "z3@example.org",
    "phone": "13800000000",
    "org_type": "",
    "sector": "经济界",
    "password": "s3cret-pass",
}


# --- who may use these pages ------------------------------------------------------------------


def admin_routes(world):
    """(method, path, data) of every admin page and action."""
    monday, _ = beyond_official()
    db.session.add(Holiday(day=monday, is_workday=False, name="国庆节"))
    db.session.commit()
    cat = db.session.scalar(select(Category).where(Category.code == "economy"))
    reason = db.session.scalar(select(NotFiledReason).where(NotFiledReason.code == "other"))
    uid, did, sid = world.member2.id, world.unit_a.id, world.session.id
    return [
        ("GET", "/admin/users", None),
        ("GET", "/admin/users/new", None),
        ("POST", "/admin/users/new", dict(NEW_USER)),
        ("GET", f"/admin/users/{uid}/edit", None),
        ("POST", f"/admin/users/{uid}/edit", {"name": "改名", "role": "admin"}),
        ("POST", f"/admin/users/{uid}/password", {"password": "new-password-1"}),
        ("POST", f"/admin/users/{uid}/active", {"active": "0"}),
        ("GET", "/admin/users/import", None),
        (
            "POST",
            "/admin/users/import",
            {
                "file": (
                    io.BytesIO(b"username,name,role,password\nx9,X,admin,password-1\n"),
                    "u.csv",
                )
            },
        ),
        ("GET", "/admin/departments", None),
        ("POST", "/admin/departments", {"code": "NEW", "name": "新单位"}),
        ("GET", f"/admin/departments/{did}/edit", None),
        ("POST", f"/admin/departments/{did}/edit", {"name": "改名局"}),
        ("POST", f"/admin/departments/{did}/active", {"active": "0"}),
        ("GET", "/admin/departments/import", None),
        (
            "POST",
            "/admin/departments/import",
            {"file": (io.BytesIO(b"code,name\nQQ,Q\n"), "d.csv")},
        ),
        ("GET", "/admin/sessions", None),
        (
            "POST",
            "/admin/sessions",
            {
                "term": "11",
                "meeting": "1",
                "year": "2030",
                "plenary_start": "2030-01-08",
                "plenary_end": "2030-01-12",
                "current": "y",
            },
        ),
        ("POST", f"/admin/sessions/{sid}/current", {}),
        ("GET", "/admin/categories", None),
        ("POST", "/admin/categories", {"code": "tech", "name": "科技创新"}),
        ("GET", f"/admin/categories/{cat.id}/edit", None),
        ("POST", f"/admin/categories/{cat.id}/edit", {"name": "经济"}),
        ("POST", f"/admin/categories/{cat.id}/active", {"active": "0"}),
        ("GET", "/admin/reasons", None),
        ("POST", "/admin/reasons", {"code": "dup", "name": "重复提交"}),
        ("GET", f"/admin/reasons/{reason.id}/edit", None),
        ("POST", f"/admin/reasons/{reason.id}/edit", {"name": "别的"}),
        ("POST", f"/admin/reasons/{reason.id}/active", {"active": "0"}),
        ("GET", "/admin/settings", None),
        ("POST", "/admin/settings", {"reply_due_months": "4"}),
        (
            "POST",
            "/admin/holidays",
            {"day": (monday + timedelta(days=1)).isoformat(), "kind": "holiday", "name": "国庆节"},
        ),
        ("POST", f"/admin/holidays/{monday.isoformat()}/remove", {}),
    ]


@pytest.mark.parametrize("who", ["secretariat", "member", "clerk_a", "head_a", "org"])
def test_everyone_but_the_admin_gets_403_on_every_admin_route_and_nothing_changes(world, web, who):
    routes = admin_routes(world)
    before = snapshot()
    client = web(getattr(world, who))
    for method, path, data in routes:
        resp = client.open(path, method=method, data=data)
        assert resp.status_code == 403, (method, path, resp.status_code)
        assert "没有权限" in text(resp)
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_the_login_page(world, web):
    routes = admin_routes(world)
    before = snapshot()
    for method, path, data in routes:
        resp = web().open(path, method=method, data=data)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], (method, path)
    assert snapshot() == before


def test_admin_sees_every_admin_page_and_the_navigation(world, web):
    client = web(world.admin)
    home = text(client.get("/"))
    for path in (
        "/admin/users",
        "/admin/departments",
        "/admin/sessions",
        "/admin/categories",
        "/admin/reasons",
        "/admin/settings",
    ):
        assert f'href="{path}"' in home
    for method, path, _ in admin_routes(world):
        if method == "GET":
            assert client.get(path).status_code == 200, path


def test_every_admin_form_carries_the_csrf_token(world, web, app):
    """With CSRF on (as in production), a POST without the token is refused and one with the
    token from the page works."""
    import re

    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = web(world.admin)
        before = snapshot()
        for path in (
            "/admin/users/new",
            f"/admin/users/{world.member2.id}/edit",
            "/admin/users/import",
            "/admin/departments",
            "/admin/departments/import",
            "/admin/sessions",
            "/admin/categories",
            "/admin/reasons",
            "/admin/settings",
        ):
            page = text(client.get(path))
            forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", page, re.S)
            assert forms, path
            assert all('name="csrf_token"' in f for f in forms), path
        assert client.post("/admin/settings", data={"reply_due_months": "4"}).status_code == 400
        assert (
            client.post(
                f"/admin/departments/{world.unit_a.id}/active", data={"active": "0"}
            ).status_code
            == 400
        )
        assert snapshot() == before
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"|'
            r'name="csrf_token" value="([^"]+)"',
            text(client.get("/admin/departments")),
        )
        client.post(
            f"/admin/departments/{world.unit_a.id}/active",
            data={"active": "0", "csrf_token": token.group(1) or token.group(2)},
        )
        assert not db.session.get(Department, world.unit_a.id).active
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# --- users ------------------------------------------------------------------------------------


def test_user_list_searches_filters_by_role_and_paginates(world, web, make):
    for i in range(35):
        make.user("member", username=f"bulk{i:02d}", name=f"批量委员{i:02d}")
    db.session.commit()
    client = web(world.admin)
    page = text(client.get("/admin/users?q=住房和城乡"))  # by unit name
    assert "clerk_a" in page and "head_a" in page and "clerk_b" not in page
    page = text(client.get("/admin/users?role=department_head"))
    assert "head_a" in page and "head_b" in page and "clerk_a" not in page and "m1" not in page
    first = text(client.get("/admin/users?role=member"))
    assert "共 39 个用户" in first and "下一页" in first
    second = text(client.get("/admin/users?role=member&page=2"))
    shown = lambda html: {f"bulk{i:02d}" for i in range(35) if f">bulk{i:02d}<" in html}  # noqa
    assert shown(first) and shown(second) and not shown(first) & shown(second)
    world.member3.active = False
    db.session.commit()
    disabled = text(client.get("/admin/users?status=disabled"))
    assert ">m3<" in disabled and ">m1<" not in disabled


def test_admin_creates_a_member_and_a_clerk_chosen_by_unit_name(world, web):
    client = web(world.admin)
    form = text(client.get("/admin/users/new"))
    assert "市住房和城乡建设局" in form and "党派" in form and "界别" in form
    resp = client.post("/admin/users/new", data=NEW_USER)
    assert resp.status_code == 302
    assert "已创建用户 zhang3" in text(client.get(resp.headers["Location"]))
    u = user("zhang3")
    assert (u.name, u.role, u.email, u.phone, u.sector, u.org_type, u.department) == (
        "张三",
        "member",
        "z3@example.org",
        "13800000000",
        "经济界",
        None,
        None,
    )
    assert u.password_hash.startswith(FAST_HASH + "$") and u.check_password("s3cret-pass")
    client.post(
        "/admin/users/new",
        data=dict(
            NEW_USER, username="czj2", role="clerk", department="CZJ", org_type="", sector=""
        ),
    )
    assert user("czj2").department.name == "市财政局" and user("czj2").role == "clerk"
    client.post(
        "/admin/users/new",
        data=dict(NEW_USER, username="jiusan", name="九三学社市委", org_type="party", sector=""),
    )
    assert user("jiusan").is_organisation and user("jiusan").org_type == "party"


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"username": "m1"}, "username", "用户名“m1”已存在"),
        ({"username": "a"}, "username", "用户名“a”无效"),
        ({"role": "clerk"}, "department", "经办人和负责人须填写单位代码"),
        ({"password": "short"}, "password", "密码至少 8 位"),
        ({"name": ""}, "name", "缺少姓名"),
        ({"email": "not-an-email"}, "email", "格式不正确"),
        ({"department": "ZJJ"}, "department", "只有经办人和负责人属于承办单位"),
        ({"role": "secretariat", "org_type": "party"}, "org_type", "组织账号的角色应为 member"),
    ],
)
def test_creating_a_user_with_bad_input_shows_the_message_and_creates_nothing(
    world, web, change, field, message
):
    before = snapshot()
    resp = web(world.admin).post("/admin/users/new", data=dict(NEW_USER, **change))
    page = text(resp)
    assert resp.status_code == 400 and message in page
    # the message sits under its own field
    assert page.index(f'id="{field}"') < page.index(message)
    assert snapshot() == before


def test_admin_edits_a_user(world, web):
    client = web(world.admin)
    page = text(client.get(f"/admin/users/{world.member2.id}/edit"))
    assert "李委员" in page and "重置密码" in page and "停用账号" in page
    resp = client.post(
        f"/admin/users/{world.member2.id}/edit",
        data={
            "name": "李四委员",
            "role": "member",
            "department": "",
            "email": "l4@example.org",
            "phone": "139",
            "org_type": "",
            "sector": "教育界",
            "active": "y",
        },
    )
    assert resp.status_code == 302
    assert "已保存用户 m2" in text(client.get(resp.headers["Location"]))
    u = user("m2")
    assert (u.name, u.email, u.phone, u.sector, u.active) == (
        "李四委员",
        "l4@example.org",
        "139",
        "教育界",
        True,
    )
    # a member becomes the clerk of a unit
    client.post(
        f"/admin/users/{u.id}/edit",
        data={"name": "李四", "role": "clerk", "department": "JYJ", "active": "y"},
    )
    assert user("m2").role == "clerk" and user("m2").department.code == "JYJ"


def test_editing_a_user_with_bad_input_changes_nothing(world, web):
    client = web(world.admin)
    before = snapshot()
    resp = client.post(
        f"/admin/users/{world.member2.id}/edit",
        data={"name": "李委员", "role": "clerk", "department": "", "active": "y"},
    )
    assert resp.status_code == 400 and "经办人和负责人须填写单位代码" in text(resp)
    resp = client.post(
        f"/admin/users/{world.clerk_a.id}/edit",
        data={"name": "改名", "role": "member", "department": "ZJJ", "active": "y"},
    )
    assert resp.status_code == 400 and "只有经办人和负责人属于承办单位" in text(resp)
    resp = client.post(
        f"/admin/users/{world.admin.id}/edit",
        data={"name": "管理员", "role": "admin", "department": ""},
    )  # active unticked
    assert resp.status_code == 400 and "不能停用自己的账号" in text(resp)
    resp = client.post(
        f"/admin/users/{world.admin.id}/edit",
        data={"name": "管理员", "role": "member", "department": "", "active": "y"},
    )
    assert resp.status_code == 400 and "不能更改自己的角色" in text(resp)
    assert snapshot() == before


def test_admin_resets_a_password(world, web):
    client = web(world.admin)
    resp = client.post(
        f"/admin/users/{world.member.id}/password", data={"password": "brand-new-pass"}
    )
    assert resp.status_code == 302
    assert "已重置 m1 的密码" in text(client.get(resp.headers["Location"]))
    assert user("m1").check_password("brand-new-pass")
    login = web().post("/login", data={"username": "m1", "password": "brand-new-pass"})
    assert login.status_code == 302


def test_a_short_new_password_is_refused(world, web):
    world.member.set_password("old-password-1")
    db.session.commit()
    before = snapshot()
    resp = web(world.admin).post(
        f"/admin/users/{world.member.id}/password", data={"password": "short"}
    )
    assert resp.status_code == 400 and "密码至少 8 位" in text(resp)
    assert snapshot() == before and user("m1").check_password("old-password-1")


def test_a_disabled_user_can_no_longer_log_in_until_enabled(world, web):
    world.member.set_password("correct-horse-9")
    db.session.commit()
    logged_in = web(world.member)
    assert logged_in.get("/").status_code == 200
    admin = web(world.admin)
    resp = admin.post(f"/admin/users/{world.member.id}/active", data={"active": "0"})
    assert resp.status_code == 302
    assert "已停用用户 m1" in text(admin.get(resp.headers["Location"]))
    assert not user("m1").active
    assert logged_in.get("/").status_code == 302  # the open session ends too
    refused = web().post("/login", data={"username": "m1", "password": "correct-horse-9"})
    assert refused.status_code == 200 and "用户名或密码错误" in text(refused)
    token = web().post("/api/v1/auth/token", json={"username": "m1", "password": "correct-horse-9"})
    assert token.status_code == 401
    admin.post(f"/admin/users/{world.member.id}/active", data={"active": "1"})
    assert user("m1").active
    assert (
        web().post("/login", data={"username": "m1", "password": "correct-horse-9"}).status_code
        == 302
    )


def test_the_admin_cannot_disable_their_own_account(world, web):
    client = web(world.admin)
    resp = client.post(
        f"/admin/users/{world.admin.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "不能停用自己的账号" in text(resp)
    assert user("admin").active


def write_xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def upload(client, path, content, name):
    data = content if isinstance(content, io.BytesIO) else io.BytesIO(content.encode("utf-8"))
    return client.post(path, data={"file": (data, name)}, content_type="multipart/form-data")


def test_import_users_from_csv_and_xlsx(world, web):
    client = web(world.admin)
    assert "用户名、姓名、角色、密码" in text(client.get("/admin/users/import"))
    resp = upload(
        client,
        "/admin/users/import",
        "username,name,role,password,department,sector\n"
        "wang5,王五,member,password-1,,经济界\n"
        "czj9,财政经办,clerk,password-2,CZJ,\n",
        "users.csv",
    )
    assert resp.status_code == 302
    assert "已导入 2 个用户" in text(client.get(resp.headers["Location"]))
    assert user("wang5").sector == "经济界" and user("czj9").department.code == "CZJ"
    assert user("wang5").check_password("password-1")
    resp = upload(
        client,
        "/admin/users/import",
        write_xlsx(
            [
                ["用户名", "姓名", "角色", "密码", "单位", "类型"],
                ["jyj9", "教育局长", "负责人", "password-3", "JYJ", None],
                ["gonghui", "市总工会", "委员", 73920561, None, "人民团体"],
            ]
        ),
        "名单.xlsx",
    )
    assert resp.status_code == 302
    assert user("jyj9").role == "department_head" and user("gonghui").org_type == "organization"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_users_with_a_bad_row_reports_its_line_and_imports_nothing(world, web, fmt):
    rows = [
        ["username", "name", "role", "password", "department"],
        ["ok1", "甲", "member", "password-1", ""],
        ["bad", "丙", "clerk", "password-3", "NOPE"],
        ["m1", "乙", "member", "password-2", ""],
    ]
    content = ("\n".join(",".join(r) for r in rows) + "\n") if fmt == "csv" else write_xlsx(rows)
    before = snapshot()
    resp = upload(web(world.admin), "/admin/users/import", content, f"users.{fmt}")
    page = text(resp)
    assert resp.status_code == 400
    assert "第 3 行：未知的单位代码“NOPE”" in page and "第 4 行：用户名“m1”已存在" in page
    assert "第 2 行" not in page and "未导入任何记录" in page
    assert snapshot() == before and user("ok1") is None


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("users.csv", "name,role,password\n甲,member,password-1\n", "缺少列：username"),
        ("users.csv", "username,name,role,password\n", "没有数据行"),
        ("users.txt", "username\n", "只支持 .csv 或 .xlsx"),
        ("users.xlsx", "not a zip file", "无法读取 XLSX"),
    ],
)
def test_import_users_refuses_unusable_files(world, web, name, content, message):
    before = snapshot()
    resp = upload(web(world.admin), "/admin/users/import", content, name)
    assert resp.status_code == 400 and message in text(resp)
    assert snapshot() == before


def test_import_without_a_file_says_so(world, web):
    resp = web(world.admin).post("/admin/users/import", data={}, content_type="multipart/form-data")
    assert resp.status_code == 400 and "请选择要导入的文件" in text(resp)


# --- handling units ----------------------------------------------------------------------------


def test_admin_creates_renames_and_deactivates_a_unit(world, web):
    client = web(world.admin)
    page = text(client.get("/admin/departments"))
    assert "市住房和城乡建设局" in page and "ZJJ" in page
    resp = client.post("/admin/departments", data={"code": "GAJ", "name": "市公安局"})
    assert resp.status_code == 302
    assert "已新增单位 市公安局" in text(client.get(resp.headers["Location"]))
    gaj = db.session.scalar(select(Department).where(Department.code == "GAJ"))
    assert gaj.name == "市公安局" and gaj.active
    assert "市公安局" in text(client.get(f"/admin/departments/{gaj.id}/edit"))
    client.post(f"/admin/departments/{gaj.id}/edit", data={"name": "市公安局（改）"})
    assert db.session.get(Department, gaj.id).name == "市公安局（改）"
    resp = client.post(
        f"/admin/departments/{gaj.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "已停用" in text(resp) and not db.session.get(Department, gaj.id).active
    # an inactive unit is no longer offered through the API either
    client.post(f"/admin/departments/{gaj.id}/active", data={"active": "1"})
    assert db.session.get(Department, gaj.id).active


@pytest.mark.parametrize(
    "data, message",
    [
        ({"code": "ZJJ", "name": "另一个单位"}, "单位代码“ZJJ”已存在"),
        ({"code": "NEW", "name": "市财政局"}, "单位名称“市财政局”已存在"),
        ({"code": "有 空格", "name": "新单位"}, "无效"),
        ({"code": "NEW", "name": ""}, "单位名称不能为空"),
    ],
)
def test_creating_a_unit_with_bad_input_changes_nothing(world, web, data, message):
    before = snapshot()
    resp = web(world.admin).post("/admin/departments", data=data)
    assert resp.status_code == 400 and message in text(resp)
    assert snapshot() == before


def test_renaming_a_unit_to_a_taken_name_changes_nothing(world, web):
    before = snapshot()
    resp = web(world.admin).post(
        f"/admin/departments/{world.unit_a.id}/edit", data={"name": "市财政局"}
    )
    assert resp.status_code == 400 and "单位名称“市财政局”已存在" in text(resp)
    assert snapshot() == before


def test_import_units_and_a_bad_row_imports_nothing(world, web):
    client = web(world.admin)
    before = snapshot()
    resp = upload(
        client,
        "/admin/departments/import",
        "code,name\nGAJ,市公安局\nWJW,市卫健委\nZJJ,重复\n",
        "units.csv",
    )
    assert resp.status_code == 400 and "第 4 行：单位代码“ZJJ”已存在" in text(resp)
    assert "第 2 行" not in text(resp) and snapshot() == before
    resp = upload(
        client,
        "/admin/departments/import",
        write_xlsx([["单位代码", "单位名称"], ["GAJ", "市公安局"], ["WJW", "市卫健委"]]),
        "units.xlsx",
    )
    assert resp.status_code == 302
    assert count(Department) == 5


# --- sessions ----------------------------------------------------------------------------------

SESSION = {
    "term": "10",
    "meeting": "9",
    "year": "2030",
    "plenary_start": "2030-01-08",
    "plenary_end": "2030-01-12",
    "current": "y",
}


def test_admin_creates_a_session_and_sets_the_current_one(world, web):
    client = web(world.admin)
    assert world.session.label in text(client.get("/admin/sessions"))
    resp = client.post("/admin/sessions", data=SESSION)
    assert resp.status_code == 302
    assert "已新增 第十届第九次会议（2030 年）" in text(client.get(resp.headers["Location"]))
    new = db.session.scalar(select(CommitteeSession).where(CommitteeSession.meeting == 9))
    assert new.is_current and not db.session.get(CommitteeSession, world.session.id).is_current
    assert (new.year, new.plenary_start, new.plenary_end) == (
        2030,
        date(2030, 1, 8),
        date(2030, 1, 12),
    )
    resp = client.post(f"/admin/sessions/{world.session.id}/current", follow_redirects=True)
    assert "当前会次已设为" in text(resp)
    assert db.session.get(CommitteeSession, world.session.id).is_current
    assert count(CommitteeSession, CommitteeSession.is_current) == 1
    # not current: the current one stays
    client.post(
        "/admin/sessions",
        data={k: v for k, v in dict(SESSION, meeting="10").items() if k != "current"},
    )
    assert db.session.get(CommitteeSession, world.session.id).is_current


@pytest.mark.parametrize(
    "change, message",
    [
        ({"meeting": None}, "该会次已存在"),
        ({"plenary_end": "2030-01-01"}, "大会结束日期不能早于开始日期"),
        ({"term": "0"}, "届次和会次应为正整数"),
        ({"plenary_start": "next week"}, "不是有效的日期值"),
    ],
)
def test_creating_a_bad_session_changes_nothing(world, web, change, message):
    if change.get("meeting", "") is None:
        change = {"term": str(world.session.term), "meeting": str(world.session.meeting)}
    before = snapshot()
    resp = web(world.admin).post("/admin/sessions", data=dict(SESSION, **change))
    assert resp.status_code == 400 and message in text(resp)
    assert snapshot() == before


# --- categories and not-filed reasons ----------------------------------------------------------


@pytest.mark.parametrize(
    "part, model, code",
    [("categories", Category, "tech"), ("reasons", NotFiledReason, "duplicate")],
)
def test_admin_manages_categories_and_reasons_without_deleting(world, web, part, model, code):
    client = web(world.admin)
    assert client.get(f"/admin/{part}").status_code == 200
    resp = client.post(f"/admin/{part}", data={"code": code, "name": "新条目"})
    assert resp.status_code == 302
    assert "已新增 新条目" in text(client.get(resp.headers["Location"]))
    row = db.session.scalar(select(model).where(model.code == code))
    assert row.active and row.name == "新条目"
    client.post(f"/admin/{part}/{row.id}/edit", data={"name": "改过的条目"})
    assert db.session.get(model, row.id).name == "改过的条目"
    client.post(f"/admin/{part}/{row.id}/active", data={"active": "0"})
    assert not db.session.get(model, row.id).active
    page = text(client.get(f"/admin/{part}"))
    assert "改过的条目" in page and "已停用" in page  # still listed: never deleted
    client.post(f"/admin/{part}/{row.id}/active", data={"active": "1"})
    assert db.session.get(model, row.id).active


def test_a_deactivated_category_is_no_longer_offered(world, web, api):
    cat = db.session.scalar(select(Category).where(Category.code == "ecology"))
    web(world.admin).post(f"/admin/categories/{cat.id}/active", data={"active": "0"})
    codes = [c["code"] for c in api(world.member).get("/categories").get_json()]
    assert "ecology" not in codes and "economy" in codes


@pytest.mark.parametrize(
    "part, data, message",
    [
        ("categories", {"code": "economy", "name": "另一个"}, "代码“economy”已存在"),
        ("categories", {"code": "new", "name": "经济建设"}, "名称“经济建设”已存在"),
        ("categories", {"code": "a b", "name": "新"}, "无效"),
        ("reasons", {"code": "other", "name": "另一个"}, "代码“other”已存在"),
        ("reasons", {"code": "new", "name": ""}, "名称不能为空"),
    ],
)
def test_bad_category_or_reason_changes_nothing(world, web, part, data, message):
    before = snapshot()
    resp = web(world.admin).post(f"/admin/{part}", data=data)
    assert resp.status_code == 400 and message in text(resp)
    assert snapshot() == before


def test_the_last_active_category_cannot_be_deactivated(world, web):
    client = web(world.admin)
    rows = db.session.scalars(select(Category).order_by(Category.id)).all()
    for row in rows[:-1]:
        client.post(f"/admin/categories/{row.id}/active", data={"active": "0"})
    before = snapshot()
    resp = client.post(
        f"/admin/categories/{rows[-1].id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "至少保留一个启用的类别" in text(resp)
    assert snapshot() == before


# --- settings and holidays ---------------------------------------------------------------------


def test_settings_page_shows_every_setting_with_its_value_default_and_the_calendar_note(world, web):
    committee_settings.set_value("reply_due_months", "4")
    db.session.commit()
    page = text(web(world.admin).get("/admin/settings"))
    for key, spec in committee_settings.SPECS.items():
        assert spec.label in page and f'name="{key}"' in page, key
    assert 'value="30,7,1"' in page and "默认：30,7,1" in page
    assert "已修改（默认 3）" in page and 'value="4"' in page
    assert 'data-testid="calendar-note"' in page and "官方节假日数据" in page


def test_admin_changes_settings_used_by_the_operations(world, web):
    client = web(world.admin)
    resp = client.post(
        "/admin/settings",
        data={
            "reply_due_months": "4",
            "signoff_required": "false",
            "reminder_reply_before_days": "1，30,7",
        },
    )
    assert resp.status_code == 302
    assert "已保存 3 项设置" in text(client.get(resp.headers["Location"]))
    assert committee_settings.get("reply_due_months") == 4
    assert committee_settings.get("signoff_required") is False
    assert committee_settings.get("reminder_reply_before_days") == [30, 7, 1]
    # related settings may be changed together in one go
    resp = client.post(
        "/admin/settings", data={"reply_due_months": "7", "extension_max_months": "8"}
    )
    assert resp.status_code == 302
    assert committee_settings.get("reply_due_months") == 7
    assert committee_settings.get("extension_max_months") == 8


@pytest.mark.parametrize(
    "data, key, message",
    [
        ({"reply_due_months": "0"}, "reply_due_months", "应在 1 到 12 之间"),
        ({"reply_due_months": "three"}, "reply_due_months", "应为整数，且应在 1 到 12 之间"),
        ({"reply_due_months": "7"}, "reply_due_months", "答复期限不能超过延期上限"),
        ({"proposal_min_chars": "6000"}, "proposal_min_chars", "最少字数不能大于最多字数"),
        ({"reminder_reply_before_days": "30,x"}, "reminder_reply_before_days", "应为逗号分隔"),
        (
            {"reply_due_months": "4", "opinion_due_months": "0"},
            "opinion_due_months",
            "应在 1 到 12",
        ),
    ],
)
def test_a_bad_setting_shows_the_message_at_its_field_and_changes_nothing(
    world, web, data, key, message
):
    before = snapshot()
    resp = web(world.admin).post("/admin/settings", data=data)
    page = text(resp)
    assert resp.status_code == 400 and message in page
    assert page.index(f'name="{key}"') < page.index(message)
    assert snapshot() == before
    assert committee_settings.all_settings() == {
        k: s.default for k, s in committee_settings.SPECS.items()
    }


def test_admin_adds_and_removes_holidays_beyond_the_official_calendar(world, web):
    monday, saturday = beyond_official()
    client = web(world.admin)
    resp = client.post(
        "/admin/holidays", data={"day": monday.isoformat(), "kind": "holiday", "name": "国庆节"}
    )
    assert resp.status_code == 302
    client.post(
        "/admin/holidays", data={"day": saturday.isoformat(), "kind": "workday", "name": "国庆调休"}
    )
    assert not db.session.get(Holiday, monday).is_workday
    assert db.session.get(Holiday, saturday).is_workday
    page = text(client.get("/admin/settings"))
    assert monday.isoformat() in page and "国庆调休" in page and "调休上班" in page
    resp = client.post(f"/admin/holidays/{monday.isoformat()}/remove", follow_redirects=True)
    assert f"已删除 {monday.isoformat()}" in text(resp)
    assert db.session.get(Holiday, monday) is None and count(Holiday) == 1


@pytest.mark.parametrize(
    "day, message",
    [
        ("2025-10-01", "2025 年已由官方节假日数据覆盖"),
        ("next monday", "日期应为 YYYY-MM-DD"),
    ],
)
def test_a_holiday_in_a_covered_year_or_a_bad_date_is_refused(world, web, day, message):
    before = snapshot()
    resp = web(world.admin).post(
        "/admin/holidays", data={"day": day, "kind": "holiday", "name": "国庆节"}
    )
    page = text(resp)
    assert resp.status_code == 400 and message in page
    assert page.index('name="day"') < page.index(message)
    assert snapshot() == before
