"""A person's WeChat Work user id (企业微信账号): set on the admin's user form, by the command
line and by the import (column wecom_userid or 企业微信), and used as the channel's address."""

from sqlalchemy import select

from proposals.accounts.models import User
from proposals.extensions import db
from proposals.notifications.channels import CHANNELS


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def test_the_admin_sets_it_and_the_channel_reaches_them(world, web):
    admin = web(world.admin)
    resp = admin.post(
        "/admin/users/new",
        data={
            "username": "wx1",
            "name": "孙委员",
            "role": "member",
            "password": "Fine-pass-77",
            "wecom_userid": "SunWeiYuan",
        },
    )
    assert resp.status_code == 302
    assert user("wx1").wecom_userid == "SunWeiYuan"
    assert CHANNELS["wecom"].address(user("wx1")) == "SunWeiYuan"
    page = admin.get(f"/admin/users/{user('wx1').id}/edit").get_data(as_text=True)
    assert "SunWeiYuan" in page
    resp = admin.post(
        f"/admin/users/{user('wx1').id}/edit",
        data={"name": "孙委员", "role": "member", "wecom_userid": "x" * 65, "active": "y"},
    )
    assert resp.status_code == 400 and user("wx1").wecom_userid == "SunWeiYuan"


def test_the_command_line_and_the_import_set_it(runner, tmp_path):
    result = runner.invoke(
        args=["users", "create", "--username", "wx2", "--password", "Fine-pass-77"]
        + ["--role", "member", "--name", "周委员", "--wecom-userid", "ZhouWY"]
    )
    assert result.exit_code == 0, result.output
    assert user("wx2").wecom_userid == "ZhouWY"
    path = tmp_path / "users.csv"
    path.write_text(
        "用户名,姓名,角色,密码,企业微信\nwx3,吴委员,委员,Fine-pass-78,WuWY\n", encoding="utf-8"
    )
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert user("wx3").wecom_userid == "WuWY"
