"""Passwords that only look like passwords: spaces, ideographic spaces, zero-width and other
invisible characters are refused wherever a password is set (the admin's pages, one's own
password page, the command line and the import), and a password is compared in Unicode NFKC
form, so that the full-width letters of a Chinese input method sign in as their ASCII twins."""

import pytest
from sqlalchemy import func, select

from proposals.accounts.models import User, normalise
from proposals.extensions import db
from proposals.security.passwords import password_problem

from ..conftest import WebClient
from .helpers import PASSWORD, form_login, with_password

BLANK_LOOKING = [
    " " * 12,  # spaces
    "\u3000" * 10,  # ideographic spaces (全角空格)
    "\t \n \r " * 3,  # tabs and line breaks
    "\u200b" * 12,  # zero-width spaces
    "\u00a0\u2007\u202f\u2060\ufeff" * 3,  # no-break, figure, narrow, word joiner, BOM
    "\u200b \u3000 \u200d\u200c  \u2028",
]
FEW_VISIBLE = ["ab" + " " * 10, "a\u200bb\u200bc\u200bd\u200b\u200b\u200b\u200b\u200b"]


@pytest.mark.parametrize("password", BLANK_LOOKING)
def test_blank_looking_passwords_are_refused(ctx, password):
    assert "空格" in password_problem(password)


@pytest.mark.parametrize("password", FEW_VISIBLE)
def test_a_password_needs_enough_visible_characters(ctx, password):
    assert "至少 8 个" in password_problem(password)


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "我的 密码 是 长句子 2026", "Tiger-lily-2026"]
)
def test_ordinary_passwords_and_passphrases_with_spaces_are_accepted(ctx, password):
    assert password_problem(password) is None


def test_full_width_letters_are_the_same_password(world):
    world.member.set_password("Ｔｉｇｅｒ－ｌｉｌｙ－２０２６")
    db.session.commit()
    assert world.member.check_password("Tiger-lily-2026")
    assert normalise("ｐａｓｓ\u3000word") == "pass word"
    assert password_problem("ｐａｓｓｗｏｒｄ") is not None  # the common "password", full width


def test_the_admin_cannot_create_or_set_a_blank_looking_password(world, web):
    admin = web(world.admin)
    resp = admin.post(
        "/admin/users/new",
        data={"username": "newbie", "name": "新人", "role": "member", "password": " " * 12},
    )
    assert resp.status_code == 400 and "空格".encode() in resp.data
    assert db.session.scalar(select(User).where(User.username == "newbie")) is None
    before = db.session.get(User, world.member.id).password_hash
    resp = admin.post(f"/admin/users/{world.member.id}/password", data={"password": "\u3000" * 9})
    assert resp.status_code == 400 and "空格".encode() in resp.data
    assert db.session.get(User, world.member.id).password_hash == before


def test_a_member_cannot_change_to_a_blank_looking_password(world, app):
    with_password(world.member)
    client = WebClient(app, app.response_class, use_cookies=True)
    assert form_login(client, "m1").status_code == 302
    blank = "\u200b" * 12
    resp = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": blank, "confirm": blank},
    )
    assert resp.status_code == 400 and "空格".encode() in resp.data
    assert db.session.get(User, world.member.id).check_password(PASSWORD)


def test_the_command_line_refuses_a_blank_looking_password(runner, tmp_path):
    result = runner.invoke(
        args=["users", "create", "--username", "zs", "--password", " " * 12]
        + ["--role", "member", "--name", "张三"]
    )
    assert result.exit_code != 0 and "空格" in result.output
    path = tmp_path / "users.csv"
    path.write_text(
        "username,name,role,password\nu1,甲,member,Good-pass-1\nu2,乙,member,\u3000\u3000\u3000"
        "\u3000\u3000\u3000\u3000\u3000\u3000\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code != 0 and "第 3 行：密码" in result.output  # trimmed to nothing
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
