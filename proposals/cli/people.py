"""users create/import and departments create/import."""
import csv
import io
import os
import re

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..accounts.models import ORG_TYPE_LABELS, ORG_TYPES, ROLES, Department, User
from ..extensions import db

HEADERS = {
    "username": "username", "用户名": "username", "name": "name", "姓名": "name",
    "role": "role", "角色": "role", "password": "password", "密码": "password",
    "department": "department", "单位": "department", "email": "email", "邮箱": "email",
    "phone": "phone", "电话": "phone", "org_type": "org_type", "类型": "org_type",
    "sector": "sector", "界别": "sector", "code": "code", "代码": "code", "单位代码": "code",
    "名称": "name", "单位名称": "name",
}
ROLE_WORDS = {"委员": "member", "提案委员会办公室": "secretariat", "秘书处": "secretariat",
              "经办人": "clerk", "承办单位经办人": "clerk", "负责人": "department_head",
              "承办单位负责人": "department_head", "管理员": "admin"}
ORG_WORDS = {label: key for key, label in ORG_TYPE_LABELS.items()}
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 8


class ImportFailed(click.ClickException):
    def __init__(self, problems):
        lines = "\n".join(problems[:50])
        more = f"\n……另有 {len(problems) - 50} 处错误" if len(problems) > 50 else ""
        super().__init__(f"导入失败，未导入任何记录：\n{lines}{more}")


def read_rows(path):
    """[(line_number, {column: text})] from a CSV (UTF-8) or XLSX file with a header row."""
    if not os.path.exists(path):
        raise click.ClickException(f"文件不存在：{path}")
    ext = os.path.splitext(path)[1].lower()
    if ext == ".xlsx":
        from openpyxl import load_workbook
        try:
            sheet = load_workbook(path, read_only=True, data_only=True).active
        except Exception as exc:  # a broken or non-XLSX file
            raise click.ClickException(f"无法读取 XLSX 文件：{exc}") from None
        raw = [["" if v is None else str(v).strip() for v in row]
               for row in sheet.iter_rows(values_only=True)]
    elif ext == ".csv":
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                raw = [[v.strip() for v in row] for row in csv.reader(io.StringIO(fh.read()))]
        except UnicodeDecodeError:
            raise click.ClickException("CSV 文件应为 UTF-8 编码") from None
    else:
        raise click.ClickException("只支持 .csv 或 .xlsx 文件")
    if not raw:
        raise click.ClickException("文件是空的")
    header = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip(), h.strip())) for h in raw[0]]
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(values):
            continue
        rows.append((number, {h: (values[i] if i < len(values) else "")
                              for i, h in enumerate(header) if h}))
    return header, rows


def validate_user(data, departments, taken):
    """Problems with one user's fields ([] when fine); normalises data in place."""
    problems = []
    username = data.get("username", "")
    if not USERNAME_RE.match(username):
        problems.append(f"用户名“{username}”无效（2–64 位字母、数字或 _ . @ -）")
    elif username in taken:
        problems.append(f"用户名“{username}”已存在")
    if not data.get("name"):
        problems.append("缺少姓名")
    role = ROLE_WORDS.get(data.get("role", ""), data.get("role", ""))
    if role not in ROLES:
        problems.append(f"角色“{data.get('role', '')}”无效，应为 {'、'.join(ROLES)}")
    data["role"] = role
    if len(data.get("password", "")) < MIN_PASSWORD:
        problems.append(f"密码至少 {MIN_PASSWORD} 位")
    code = data.get("department") or ""
    if role in ("clerk", "department_head"):
        if not code:
            problems.append("经办人和负责人须填写单位代码")
        elif code not in departments:
            problems.append(f"未知的单位代码“{code}”")
    elif code:
        problems.append("只有经办人和负责人属于承办单位")
    email = data.get("email") or ""
    if email and not EMAIL_RE.match(email):
        problems.append(f"邮箱“{email}”格式不正确")
    org = data.get("org_type") or ""
    org = ORG_WORDS.get(org, org)
    if org and org not in ORG_TYPES:
        problems.append(f"类型“{org}”无效，应为 {'、'.join(ORG_TYPES)}")
    elif org and role != "member":
        problems.append("组织账号的角色应为 member")
    data["org_type"] = org or None
    return problems


def make_user(data, departments):
    user = User(username=data["username"], name=data["name"], role=data["role"],
                department=departments.get(data.get("department") or ""),
                email=data.get("email") or None, phone=data.get("phone") or None,
                org_type=data.get("org_type"), sector=data.get("sector") or None)
    user.set_password(data["password"])
    db.session.add(user)
    return user


def _departments():
    return {d.code: d for d in db.session.scalars(select(Department))}


@click.group()
def users():
    """Users: create one, or import many from CSV/XLSX."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True)
@click.option("--name", required=True)
@click.option("--department", default="")
@click.option("--email", default="")
@click.option("--phone", default="")
@click.option("--org-type", "org_type", default="")
@click.option("--sector", default="")
@with_appcontext
def create_user(**data):
    departments = _departments()
    taken = set(db.session.scalars(select(User.username).where(
        User.username == data["username"])))
    problems = validate_user(data, departments, taken)
    if problems:
        raise click.ClickException("；".join(problems))
    make_user(data, departments)
    db.session.commit()
    click.echo(f"已创建用户 {data['username']}（{data['role']}）")


@users.command("import")
@click.argument("path")
@with_appcontext
def import_users(path):
    """Import users; the whole file is checked first and nothing is imported on any error."""
    header, rows = read_rows(path)
    missing = [c for c in ("username", "name", "role", "password") if c not in header]
    if missing:
        raise click.ClickException("缺少列：" + "、".join(missing))
    departments = _departments()
    taken = set(db.session.scalars(select(User.username)))
    problems = []
    for number, data in rows:
        for problem in validate_user(data, departments, taken):
            problems.append(f"第 {number} 行：{problem}")
        taken.add(data.get("username"))
    if not rows:
        raise click.ClickException("文件中没有数据行")
    if problems:
        raise ImportFailed(problems)
    for _, data in rows:
        make_user(data, departments)
    db.session.commit()
    click.echo(f"已导入 {len(rows)} 个用户")


@click.group()
def departments():
    """Handling units (承办单位)."""


def validate_department(data, codes, names):
    problems = []
    code, name = data.get("code", ""), data.get("name", "")
    if not re.match(r"^[A-Za-z0-9_-]{1,32}$", code):
        problems.append(f"单位代码“{code}”无效（1–32 位字母、数字、_ 或 -）")
    elif code in codes:
        problems.append(f"单位代码“{code}”已存在")
    if not name or len(name) > 120:
        problems.append("单位名称不能为空，且不超过 120 字")
    elif name in names:
        problems.append(f"单位名称“{name}”已存在")
    return problems


@departments.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@with_appcontext
def create_department(code, name):
    existing = _departments()
    problems = validate_department({"code": code, "name": name}, set(existing),
                                   {d.name for d in existing.values()})
    if problems:
        raise click.ClickException("；".join(problems))
    db.session.add(Department(code=code, name=name))
    db.session.commit()
    click.echo(f"已创建单位 {code} {name}")


@departments.command("import")
@click.argument("path")
@with_appcontext
def import_departments(path):
    header, rows = read_rows(path)
    missing = [c for c in ("code", "name") if c not in header]
    if missing:
        raise click.ClickException("缺少列：" + "、".join(missing))
    existing = _departments()
    codes, names = set(existing), {d.name for d in existing.values()}
    problems = []
    for number, data in rows:
        for problem in validate_department(data, codes, names):
            problems.append(f"第 {number} 行：{problem}")
        codes.add(data.get("code"))
        names.add(data.get("name"))
    if not rows:
        raise click.ClickException("文件中没有数据行")
    if problems:
        raise ImportFailed(problems)
    for _, data in rows:
        db.session.add(Department(code=data["code"], name=data["name"]))
    db.session.commit()
    click.echo(f"已导入 {len(rows)} 个单位")
