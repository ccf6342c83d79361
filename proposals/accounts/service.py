"""Creating and changing users and handling units (承办单位), and importing them from a table.

One implementation of each rule for both the command line (cli/people.py) and the admin's pages
(web/admin.py). Functions only flush; the caller commits. Bad input raises ValidationError whose
``fields`` name the input field (``username``, ``department``, ``file`` …) and nothing changes.
"""

import csv
import io
import os
import re

from sqlalchemy import select

from ..errors import ValidationError
from ..extensions import db
from ..i18n import N_, _, join
from ..security.passwords import password_problem
from ..security.sessions import revoke_user_credentials
from ..workflow.core import loaded
from .models import ORG_TYPE_LABELS, ORG_TYPES, ROLES, Department, User

HEADERS = {
    "username": "username",
    "用户名": "username",
    "name": "name",
    "姓名": "name",
    "role": "role",
    "角色": "role",
    "password": "password",
    "密码": "password",
    "department": "department",
    "单位": "department",
    "email": "email",
    "邮箱": "email",
    "phone": "phone",
    "电话": "phone",
    "wecom_userid": "wecom_userid",
    "企业微信": "wecom_userid",
    "org_type": "org_type",
    "类型": "org_type",
    "sector": "sector",
    "界别": "sector",
    "units": "units",
    "所联系单位": "units",
    "code": "code",
    "代码": "code",
    "单位代码": "code",
    "名称": "name",
    "单位名称": "name",
}
ROLE_WORDS = {
    "委员": "member",
    "提案委员会办公室": "secretariat",
    "秘书处": "secretariat",
    "经办人": "clerk",
    "承办单位经办人": "clerk",
    "负责人": "department_head",
    "承办单位负责人": "department_head",
    "督查室": "office",
    "管理员": "admin",
}
UNIT_LIST_SPLIT = re.compile(r"[;；,，、\s]+")
ORG_WORDS = {label: key for key, label in ORG_TYPE_LABELS.items()}
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DEPARTMENT_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MIN_PASSWORD = 8  # the default of PASSWORD_MIN_LENGTH (security/passwords.py has the rules)
UNIT_ROLES = ("clerk", "department_head")
# Column lengths of the users table (accounts/models.py).
MAX_LENGTHS = {
    "name": (80, N_("姓名")),
    "email": (254, N_("邮箱")),
    "phone": (32, N_("电话")),
    "wecom_userid": (64, N_("企业微信账号")),
    "sector": (60, N_("界别")),
}
USER_COLUMNS = ("username", "name", "role", "password")
DEPARTMENT_COLUMNS = ("code", "name")


class ImportFailed(ValidationError):
    """Some rows of an import file are bad: every problem with its line; nothing imported."""

    def __init__(self, problems):
        self.problems = list(problems)
        lines = self.problems[:50]
        if len(self.problems) > 50:
            lines.append(_("……另有 %(n)d 处错误", n=len(self.problems) - 50))
        message = _("导入失败，未导入任何记录：\n%(problems)s", problems="\n".join(lines))
        super().__init__(message, fields={"file": message})


def _refuse(problems):
    """Raise one ValidationError carrying every problem, each on its field."""
    if problems:
        raise ValidationError(_("；").join(problems.values()), fields=problems)


# --- reading an uploaded or local table --------------------------------------------------------


def _file_error(message):
    return ValidationError(message, fields={"file": message})


def read_table(filename, content):
    """(header, [(line_number, {column: text})]) from the bytes of a CSV (UTF-8) or XLSX file
    with a header row; Chinese headers are mapped to the English column names."""
    ext = os.path.splitext(filename or "")[1].lower()
    if ext == ".xlsx":
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            raw = [
                ["" if v is None else str(v).strip() for v in row]
                for row in sheet.iter_rows(values_only=True)
            ]
        except Exception as exc:  # a broken or non-XLSX file
            raise _file_error(_("无法读取 XLSX 文件：%(error)s", error=exc)) from None
    elif ext == ".csv":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _file_error(_("CSV 文件应为 UTF-8 编码")) from None
        try:
            raw = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
        except csv.Error as exc:
            raise _file_error(_("无法读取 CSV 文件：%(error)s", error=exc)) from None
    else:
        raise _file_error(_("只支持 .csv 或 .xlsx 文件"))
    if not raw:
        raise _file_error(_("文件是空的"))
    header = [HEADERS.get(h.strip().lower(), HEADERS.get(h.strip(), h.strip())) for h in raw[0]]
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(values):
            continue
        rows.append(
            (number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h})
        )
    return header, rows


def _check_table(header, rows, required):
    missing = [c for c in required if c not in header]
    if missing:
        raise _file_error(_("缺少列：%(columns)s", columns=join(missing)))


# --- users -------------------------------------------------------------------------------------


def departments_by_code():
    return {d.code: d for d in db.session.scalars(select(Department))}


def user_problems(data, departments, taken=None, *, password=True):
    """{field: message} for one user's fields ({} when fine); normalises ``data`` in place
    (role and organisation type words, empty texts). ``taken`` is the set of usernames in use;
    None skips the username (an existing user keeps theirs), ``password=False`` the password."""
    problems = {}
    for key in (
        "username",
        "name",
        "role",
        "password",
        "department",
        "email",
        "phone",
        "wecom_userid",
        "org_type",
        "sector",
    ):
        value = "" if data.get(key) is None else str(data.get(key))
        data[key] = value if key == "password" else value.strip()
    if taken is not None:
        username = data["username"]
        if not USERNAME_RE.match(username):
            problems["username"] = _(
                "用户名“%(username)s”无效（2–64 位字母、数字或 _ . @ -）", username=username
            )
        elif username in taken:
            problems["username"] = _("用户名“%(username)s”已存在", username=username)
    if not data["name"]:
        problems["name"] = _("缺少姓名")
    role = ROLE_WORDS.get(data["role"], data["role"])
    if role not in ROLES:
        problems["role"] = _(
            "角色“%(role)s”无效，应为 %(roles)s", role=data["role"], roles=join(ROLES)
        )
    data["role"] = role
    if password:
        problem = password_problem(data["password"], data["username"])
        if problem:
            problems["password"] = problem
    code = data["department"]
    if role in UNIT_ROLES:
        if not code:
            problems["department"] = _("经办人和负责人须填写单位代码")
        elif code not in departments:
            problems["department"] = _("未知的单位代码“%(code)s”", code=code)
    elif code:
        problems["department"] = _("只有经办人和负责人属于承办单位")
    units = data.get("units") or []
    if isinstance(units, str):
        units = [u for u in UNIT_LIST_SPLIT.split(units) if u]
    data["units"] = units = list(dict.fromkeys(str(u).strip() for u in units))
    if role == "office":
        unknown = [u for u in units if u not in departments]
        if not units:
            problems["units"] = _("督查室账号须填写所联系单位的代码（以分号分隔）")
        elif unknown:
            problems["units"] = _("未知的单位代码“%(code)s”", code=join(unknown))
    elif units:
        problems["units"] = _("只有督查室账号填写所联系单位")
    email = data["email"]
    if email and not EMAIL_RE.match(email):
        problems["email"] = _("邮箱“%(email)s”格式不正确", email=email)
    org = ORG_WORDS.get(data["org_type"], data["org_type"])
    if org and org not in ORG_TYPES:
        problems["org_type"] = _(
            "类型“%(type)s”无效，应为 %(types)s", type=org, types=join(ORG_TYPES)
        )
    elif org and role != "member":
        problems["org_type"] = _("组织账号的角色应为 member")
    data["org_type"] = org or None
    for key, (limit, label) in MAX_LENGTHS.items():
        if key not in problems and len(data[key]) > limit:
            problems[key] = _("%(label)s不超过 %(n)d 字", label=_(label), n=limit)
    return problems


def validate_user(data, departments, taken):
    """The problems with one new user's fields as a list ([] when fine)."""
    return list(user_problems(data, departments, taken).values())


def _new_user(data, departments):
    user = User(
        username=data["username"],
        name=data["name"],
        role=data["role"],
        department=departments.get(data.get("department") or ""),
        email=data.get("email") or None,
        phone=data.get("phone") or None,
        wecom_userid=data.get("wecom_userid") or None,
        org_type=data.get("org_type"),
        sector=data.get("sector") or None,
    )
    user.office_departments = [departments[code] for code in data.get("units") or []]
    user.set_password(data["password"])
    db.session.add(user)
    return user


def create_user(data):
    """A new user from ``data`` (username, name, role, password, department code, email, phone,
    WeChat Work user id, org_type, sector)."""
    data = dict(data)
    departments = departments_by_code()
    username = str(data.get("username") or "").strip()
    taken = set(db.session.scalars(select(User.username).where(User.username == username)))
    _refuse(user_problems(data, departments, taken))
    user = _new_user(data, departments)
    db.session.flush()
    return user


def update_user(actor, user, data):
    """Change a user's name, role, unit, contacts, organisation type, sector and (optionally)
    active flag; the username and password are changed elsewhere. An admin cannot take away
    their own admin role or disable themselves (someone must be able to log in and fix it)."""
    data = dict(data)
    departments = departments_by_code()
    problems = user_problems(data, departments, None, password=False)
    active = data.get("active", user.active)
    if actor is not None and actor.id == user.id:
        if data["role"] != user.role and "role" not in problems:
            problems["role"] = _("不能更改自己的角色")
        if not active:
            problems["active"] = _("不能停用自己的账号")
    _refuse(problems)
    user.name, user.role = data["name"], data["role"]
    user.department = departments.get(data["department"]) if data["department"] else None
    user.email, user.phone = data["email"] or None, data["phone"] or None
    user.wecom_userid = data["wecom_userid"] or None
    user.org_type, user.sector = data["org_type"], data["sector"] or None
    loaded(user, "office_departments")
    user.office_departments = [departments[code] for code in data["units"]]
    user.__dict__.pop("office_department_ids", None)  # read again from the new units
    was_active, user.active = user.active, bool(active)
    if was_active and not user.active:
        revoke_user_credentials(user)
    db.session.flush()
    return user


def reset_password(user, password):
    """An admin sets a new password: every session and API token of the user ends."""
    problem = password_problem(password, user.username)
    if problem:
        _refuse({"password": problem})
    user.set_password(password)
    revoke_user_credentials(user)
    db.session.flush()
    return user


def change_password(user, current, new, confirm=None):
    """The user changes their own password (the current one is required). Every session and API
    token of the user ends, including this one: the caller starts a new session."""
    problems = {}
    if not user.check_password(current or ""):
        problems["current_password"] = _("当前密码不正确")
    problem = password_problem(new, user.username)
    if problem:
        problems["new_password"] = problem
    elif confirm is not None and confirm != new:
        problems["confirm"] = _("两次输入的新密码不一致")
    elif current and new == current:
        problems["new_password"] = _("新密码不能与当前密码相同")
    _refuse(problems)
    user.set_password(new)
    revoke_user_credentials(user)
    db.session.flush()
    return user


# the page's text size a person may choose: A, A+, A++ (the <html> class, base.html)
TEXT_SIZES = ("normal", "large", "larger")


def set_text_size(user, size):
    """The person's own text size, kept on their account so every device shows it."""
    if size not in TEXT_SIZES:
        _refuse({"size": _("请选择标准、大或特大字号")})
    user.text_size = size
    db.session.flush()
    return user


def set_user_active(actor, user, active):
    """Enable or disable an account; a disabled user can no longer log in, and their sessions
    and API tokens end at once."""
    if not active and actor is not None and actor.id == user.id:
        _refuse({"active": _("不能停用自己的账号")})
    if user.active and not active:
        revoke_user_credentials(user)
    user.active = bool(active)
    db.session.flush()
    return user


_DUMMY_HASH = {}


def authenticate(username, password):
    """(user, known): ``user`` when the username and password are right and the account is
    active, else None; ``known`` is the account the username names (for the audit), if any.
    An unknown username costs as much time as a wrong password."""
    user = db.session.scalar(select(User).where(User.username == (username or "")))
    if user is None:
        from flask import current_app
        from werkzeug.security import check_password_hash, generate_password_hash

        method = current_app.config.get("PASSWORD_HASH_METHOD", "pbkdf2:sha256:600000")
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash("not a password", method=method)
        check_password_hash(_DUMMY_HASH[method], password or "")
        return None, None
    if not user.check_password(password or "") or not user.active:
        return None, user
    return user, user


def import_users(header, rows):
    """Import users from read_table's result. The whole file is checked first: any bad row
    raises ImportFailed naming each line, and nothing is imported. Returns the number added."""
    _check_table(header, rows, USER_COLUMNS)
    departments = departments_by_code()
    taken = set(db.session.scalars(select(User.username)))
    problems = []
    for number, data in rows:
        for problem in validate_user(data, departments, taken):
            problems.append(_("第 %(n)d 行：%(problem)s", n=number, problem=problem))
        taken.add(data.get("username"))
    if not rows:
        raise _file_error(_("文件中没有数据行"))
    if problems:
        raise ImportFailed(problems)
    for _number, data in rows:
        _new_user(data, departments)
    db.session.flush()
    return len(rows)


# --- handling units ----------------------------------------------------------------------------


def _name_problem(name, names):
    if not name or len(name) > 120:
        return _("单位名称不能为空，且不超过 %(n)d 字", n=120)
    if name in names:
        return _("单位名称“%(name)s”已存在", name=name)
    return None


def department_problems(data, codes, names):
    """{field: message} for a new unit's code and name ({} when fine)."""
    problems = {}
    code, name = (data.get("code") or "").strip(), (data.get("name") or "").strip()
    data["code"], data["name"] = code, name
    if not DEPARTMENT_CODE_RE.match(code):
        problems["code"] = _("单位代码“%(code)s”无效（1–32 位字母、数字、_ 或 -）", code=code)
    elif code in codes:
        problems["code"] = _("单位代码“%(code)s”已存在", code=code)
    problem = _name_problem(name, names)
    if problem:
        problems["name"] = problem
    return problems


def validate_department(data, codes, names):
    return list(department_problems(data, codes, names).values())


def create_department(code, name):
    existing = departments_by_code()
    data = {"code": code, "name": name}
    _refuse(department_problems(data, set(existing), {d.name for d in existing.values()}))
    department = Department(code=data["code"], name=data["name"])
    db.session.add(department)
    db.session.flush()
    return department


def rename_department(department, name):
    name = (name or "").strip()
    others = {
        d.name for d in db.session.scalars(select(Department).where(Department.id != department.id))
    }
    problem = _name_problem(name, others)
    if problem:
        _refuse({"name": problem})
    department.name = name
    db.session.flush()
    return department


def set_department_active(department, active):
    """An inactive unit is no longer offered for assignment; its records and staff stay."""
    department.active = bool(active)
    db.session.flush()
    return department


def import_departments(header, rows):
    """Import units (columns code, name); whole file first, nothing imported on any error."""
    _check_table(header, rows, DEPARTMENT_COLUMNS)
    existing = departments_by_code()
    codes, names = set(existing), {d.name for d in existing.values()}
    problems = []
    for number, data in rows:
        for problem in validate_department(data, codes, names):
            problems.append(_("第 %(n)d 行：%(problem)s", n=number, problem=problem))
        codes.add(data.get("code"))
        names.add(data.get("name"))
    if not rows:
        raise _file_error(_("文件中没有数据行"))
    if problems:
        raise ImportFailed(problems)
    for _number, data in rows:
        db.session.add(Department(code=data["code"], name=data["name"]))
    db.session.flush()
    return len(rows)
