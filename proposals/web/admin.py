"""The system administrator's pages (系统管理员): users, handling units, sessions, categories,
not-filed reasons, settings, the holiday list and the committee's document templates.

Every change goes through one function of accounts/service.py, committee/service.py or
committee/settings.py, the same ones the command line uses; the views only parse forms."""

import io
from urllib.parse import quote

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import func, or_, select
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import Optional

from ..accounts import service as accounts
from ..accounts.models import ORG_TYPE_LABELS, ORG_TYPES, ROLE_LABELS, ROLES, Department, User
from ..committee import service as committee
from ..committee import settings as committee_settings
from ..committee.calendar import coverage_note, local_date, official_years, utcnow
from ..committee.models import Category, CommitteeSession, Holiday, NotFiledReason
from ..documents import kinds  # noqa: F401  (every kind registered for the templates page)
from ..documents.models import DocumentTemplate
from ..documents.templates import (
    DOCX_MIMETYPE,
    TemplateError,
    all_kinds,
    default_template,
    kind_of,
    unknown_fields,
    uploaded,
)
from ..errors import ValidationError
from ..extensions import db
from ..inputs import int_arg_or_400
from ..workflow.core import loaded
from ..workflow.queries import MAX_PAGE
from .actions import perform

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 30
MAX_UPLOAD = 5 * 1024 * 1024


@bp.before_request
def admin_only():
    """Every page here is the admin's alone; anyone else gets 403 before any work is done."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.role != "admin":
        abort(403)


# --- forms (no validators of their own: the service's messages land on these fields) --------


def _role_choices():
    return [(r, _l(ROLE_LABELS[r])) for r in ROLES]


def _org_choices():
    return [("", _l("个人委员（非组织账号）"))] + [(k, _l(ORG_TYPE_LABELS[k])) for k in ORG_TYPES]


def _department_choices():
    rows = db.session.scalars(
        select(Department).order_by(Department.active.desc(), Department.name)
    )
    return [("", _("（不属于承办单位）"))] + [
        (d.code, d.name if d.active else _("%(name)s（已停用）", name=d.name)) for d in rows
    ]


class UserFields(FlaskForm):
    name = StringField(_l("姓名"), render_kw={"maxlength": 80})
    role = SelectField(_l("角色"), validate_choice=False)
    department = SelectField(
        _l("承办单位"),
        validate_choice=False,
        description=_l("经办人和负责人必须选择所属单位；其他角色不选。"),
    )
    email = StringField(_l("邮箱"), render_kw={"type": "email", "maxlength": 254})
    phone = StringField(_l("电话"), render_kw={"type": "tel", "maxlength": 32})
    wecom_userid = StringField(
        _l("企业微信账号"),
        render_kw={"maxlength": 64, "autocomplete": "off"},
        description=_l("企业微信通讯录中的账号（UserID），用于发送企业微信提醒；不用可留空。"),
    )
    org_type = SelectField(
        _l("账号类型"),
        validate_choice=False,
        description=_l("集体提案者（党派、人民团体、界别、专门委员会）的角色须为委员。"),
    )
    sector = StringField(_l("界别"), render_kw={"maxlength": 60})
    units = StringField(
        _l("所联系单位（督查室）"),
        render_kw={"maxlength": 2000},
        description=_l("督查室账号填写其所联系承办单位的代码，以分号分隔；其他角色不填。"),
    )

    def fill(self):
        self.role.choices = _role_choices()
        self.department.choices = _department_choices()
        self.org_type.choices = _org_choices()
        return self

    # the fields both forms have, in the order they are shown
    FIELDS = (
        "name",
        "role",
        "department",
        "units",
        "email",
        "phone",
        "wecom_userid",
        "org_type",
        "sector",
    )

    def values(self):
        return {k: getattr(self, k).data or "" for k in self.FIELDS}


class NewUserForm(UserFields):
    username = StringField(
        _l("用户名"),
        render_kw={"maxlength": 64, "autocomplete": "off"},
        description=_l("2–64 位字母、数字或 _ . @ -"),
    )
    password = PasswordField(
        _l("初始密码"), render_kw={"autocomplete": "new-password"}, description=_l("至少 8 位")
    )
    submit = SubmitField(_l("创建用户"))
    FIELD_ORDER = ("username", *UserFields.FIELDS, "password")

    def values(self):
        return dict(
            super().values(), username=self.username.data or "", password=self.password.data or ""
        )


class EditUserForm(UserFields):
    active = BooleanField(_l("启用（可以登录）"))
    submit = SubmitField(_l("保存"))
    FIELD_ORDER = (*UserFields.FIELDS, "active")

    def values(self):
        return dict(super().values(), active=bool(self.active.data))


class PasswordForm(FlaskForm):
    password = PasswordField(
        _l("新密码"), render_kw={"autocomplete": "new-password"}, description=_l("至少 8 位")
    )
    submit = SubmitField(_l("重置密码"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV 或 XLSX 文件"), render_kw={"accept": ".csv,.xlsx"})
    submit = SubmitField(_l("检查并导入"))


class DepartmentForm(FlaskForm):
    code = StringField(_l("单位代码"), render_kw={"maxlength": 32})
    name = StringField(_l("单位名称"), render_kw={"maxlength": 120})
    submit = SubmitField(_l("新增单位"))


class ReferenceForm(FlaskForm):
    code = StringField(
        _l("代码"),
        render_kw={"maxlength": 40},
        description=_l("字母、数字、_ 或 -，创建后不能修改"),
    )
    name = StringField(_l("名称"), render_kw={"maxlength": 120})
    submit = SubmitField(_l("新增"))


class RenameForm(FlaskForm):
    name = StringField(_l("名称"), render_kw={"maxlength": 120})
    submit = SubmitField(_l("保存"))


class SessionForm(FlaskForm):
    term = IntegerField(_l("届"), render_kw={"min": 1})
    meeting = IntegerField(_l("次"), render_kw={"min": 1})
    year = IntegerField(_l("年份"), render_kw={"min": 1900, "max": 2999})
    plenary_start = DateField(_l("大会开始日期"))
    plenary_end = DateField(_l("大会结束日期"))
    collection_start = DateField(
        _l("征集开始日期"),
        validators=[Optional()],
        description=_l("可留空：默认为大会开始前三个月的同一天。"),
    )
    collection_end = DateField(
        _l("征集截止日期"),
        validators=[Optional()],
        description=_l("可留空：默认为大会结束日。"),
    )
    current = BooleanField(_l("设为当前会次"), default=True)
    submit = SubmitField(_l("新增会次"))


class HolidayForm(FlaskForm):
    day = StringField(_l("日期"), render_kw={"type": "date"})
    kind = SelectField(_l("类型"), choices=[("holiday", _l("放假")), ("workday", _l("调休上班"))])
    name = StringField(_l("名称"), render_kw={"maxlength": 60, "placeholder": _l("例如：国庆节")})
    submit = SubmitField(_l("添加"))


def settings_form(values):
    """A form with one field per setting, filled with ``values`` unless the request has data."""

    class SettingsForm(FlaskForm):
        submit = SubmitField(_l("保存设置"))

    for key, spec in committee_settings.SPECS.items():
        default = committee_settings.format_value(spec.default)
        if spec.kind == "bool":
            field = SelectField(
                _l(spec.label),
                choices=[("true", _l("是")), ("false", _l("否"))],
                description=_l("默认：%(v)s", v=_("是") if spec.default else _("否")),
            )
        elif spec.kind == "choice":
            field = SelectField(
                _l(spec.label),
                choices=[(value, _l(label)) for value, label in spec.choices],
                description=_l("默认：%(v)s", v=_(dict(spec.choices)[spec.default])),
            )
        else:
            hint = {
                "int": _l(
                    "整数，%(lo)d–%(hi)d；默认：%(v)s", lo=spec.minimum, hi=spec.maximum, v=default
                ),
                "int_list": _l("逗号分隔的整数；默认：%(v)s", v=default),
                "str_list": _l("逗号分隔；默认：%(v)s", v=default),
                "time": _l("时间，如 22:00；默认：%(v)s", v=default),
            }[spec.kind]
            field = StringField(_l(spec.label), description=hint)
        setattr(SettingsForm, key, field)
    data = {k: committee_settings.format_value(v) for k, v in values.items()}
    return SettingsForm(data=data)


# --- helpers -----------------------------------------------------------------------------------


def _get(model, ident):
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    return row


def _flag(name):
    """A POSTed on/off value ("1"/"0")."""
    value = request.form.get(name, "")
    if value not in ("0", "1"):
        abort(400)
    return value == "1"


def _read_upload(form):
    """(header, rows) of the uploaded table, or None with the problem on the file field."""
    upload = form.file.data
    if not upload or not getattr(upload, "filename", ""):
        form.file.errors = [_("请选择要导入的文件。")]
        return None
    content = upload.stream.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        form.file.errors = [_("文件太大（最大 5 MB）。")]
        return None
    try:
        return accounts.read_table(upload.filename, content)
    except ValidationError as exc:
        form.file.errors = [exc.message]
        return None


def _import(form, operation):
    """Run an import: (count, problems); problems lists every bad line, nothing imported."""
    table = _read_upload(form)
    if table is None:
        return None, []
    try:
        count = operation(*table)
        db.session.commit()
    except accounts.ImportFailed as exc:
        db.session.rollback()
        return None, exc.problems
    except ValidationError as exc:
        db.session.rollback()
        form.file.errors = [exc.message]
        return None, []
    return count, []


# --- users -------------------------------------------------------------------------------------


@bp.get("/users")
def users():
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    query = select(User).order_by(User.role, User.username)
    if q:
        like = f"%{q}%"
        query = query.outerjoin(Department, User.department_id == Department.id).where(
            or_(
                User.username.ilike(like),
                User.name.ilike(like),
                User.email.ilike(like),
                User.phone.ilike(like),
                User.sector.ilike(like),
                Department.name.ilike(like),
            )
        )
    if role in ROLES:
        query = query.where(User.role == role)
    if status in ("active", "disabled"):
        query = query.where(User.active == (status == "active"))
    page = db.paginate(
        query,
        page=int_arg_or_400("page", 1, MAX_PAGE, default=1),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "admin/users.html",
        page=page,
        q=q,
        role=role,
        status=status,
        roles=ROLES,
        org_labels=ORG_TYPE_LABELS,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm().fill()
    if form.validate_on_submit():
        user = perform(
            accounts.create_user,
            form.values(),
            form=form,
            success=_("已创建用户 %(u)s。", u=form.username.data),
        )
        if user is not None:
            return redirect(url_for(".users", q=user.username))
        return render_template("admin/user_form.html", form=form, user=None), 400
    return render_template("admin/user_form.html", form=form, user=None)


def _edit_page(user, form=None, password_form=None, status=200):
    if form is None:
        form = EditUserForm(
            formdata=None,
            data={
                "name": user.name,
                "role": user.role,
                "email": user.email or "",
                "department": user.department.code if user.department else "",
                "phone": user.phone or "",
                "wecom_userid": user.wecom_userid or "",
                "org_type": user.org_type or "",
                "sector": user.sector or "",
                "units": ";".join(
                    d.code for d in loaded(user, "office_departments").office_departments
                ),
                "active": user.active,
            },
        ).fill()
    return render_template(
        "admin/user_form.html",
        form=form,
        user=user,
        password_form=password_form or PasswordForm(formdata=None),
    ), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id):
    user = _get(User, user_id)
    if request.method == "GET":
        return _edit_page(user)
    form = EditUserForm().fill()
    if form.validate_on_submit() and perform(
        accounts.update_user,
        current_user,
        user,
        form.values(),
        form=form,
        success=_("已保存用户 %(u)s。", u=user.username),
    ):
        return redirect(url_for(".edit_user", user_id=user.id))
    return _edit_page(user, form=form, status=400)


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id):
    user = _get(User, user_id)
    form = PasswordForm()
    if form.validate_on_submit() and perform(
        accounts.reset_password,
        user,
        form.password.data,
        form=form,
        success=_("已重置 %(u)s 的密码。", u=user.username),
    ):
        return redirect(url_for(".edit_user", user_id=user.id))
    return _edit_page(user, password_form=form, status=400)


@bp.post("/users/<int:user_id>/active")
def set_user_active(user_id):
    user = _get(User, user_id)
    active = _flag("active")
    perform(
        accounts.set_user_active,
        current_user,
        user,
        active,
        success=(
            _("已启用用户 %(u)s。", u=user.username)
            if active
            else _("已停用用户 %(u)s，该用户不能再登录。", u=user.username)
        ),
    )
    return redirect(url_for(".edit_user", user_id=user.id))


@bp.route("/users/import", methods=["GET", "POST"])
def import_users():
    form = ImportForm()
    problems = []
    if request.method == "POST":
        count, problems = _import(form, accounts.import_users)
        if count is not None:
            flash(_("已导入 %(n)d 个用户。", n=count), "success")
            return redirect(url_for(".users"))
        flash(_("导入失败，未导入任何记录。"), "danger")
    return render_template(
        "admin/import.html",
        form=form,
        problems=problems,
        kind="users",
        columns=accounts.USER_COLUMNS,
        optional=("department", "email", "phone", "wecom_userid", "org_type", "sector"),
    ), 400 if problems or form.file.errors else 200


# --- handling units ----------------------------------------------------------------------------


def _departments_page(form, status=200):
    rows = db.session.scalars(
        select(Department).order_by(Department.active.desc(), Department.code)
    ).all()
    staff = dict(
        db.session.execute(
            select(User.department_id, func.count())
            .where(User.active, User.department_id.is_not(None))
            .group_by(User.department_id)
        ).all()
    )
    return render_template("admin/departments.html", rows=rows, staff=staff, form=form), status


@bp.route("/departments", methods=["GET", "POST"])
def departments():
    form = DepartmentForm()
    if request.method == "POST":
        if form.validate_on_submit() and perform(
            accounts.create_department,
            form.code.data,
            form.name.data,
            form=form,
            success=_("已新增单位 %(name)s。", name=(form.name.data or "").strip()),
        ):
            return redirect(url_for(".departments"))
        return _departments_page(form, 400)
    return _departments_page(DepartmentForm(formdata=None))


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
def edit_department(department_id):
    department = _get(Department, department_id)
    form = (
        RenameForm()
        if request.method == "POST"
        else RenameForm(formdata=None, data={"name": department.name})
    )
    if request.method == "POST":
        if form.validate_on_submit() and perform(
            accounts.rename_department,
            department,
            form.name.data,
            form=form,
            success=_("已更名为 %(name)s。", name=(form.name.data or "").strip()),
        ):
            return redirect(url_for(".departments"))
        db.session.refresh(department)
        return render_template(
            "admin/rename.html",
            form=form,
            row=department,
            back=url_for(".departments"),
            title=_("承办单位更名"),
        ), 400
    return render_template(
        "admin/rename.html",
        form=form,
        row=department,
        back=url_for(".departments"),
        title=_("承办单位更名"),
    )


@bp.post("/departments/<int:department_id>/active")
def set_department_active(department_id):
    department = _get(Department, department_id)
    active = _flag("active")
    perform(
        accounts.set_department_active,
        department,
        active,
        success=(
            _("已启用 %(name)s。", name=department.name)
            if active
            else _("已停用 %(name)s，今后不再用于交办。", name=department.name)
        ),
    )
    return redirect(url_for(".departments"))


@bp.route("/departments/import", methods=["GET", "POST"])
def import_departments():
    form = ImportForm()
    problems = []
    if request.method == "POST":
        count, problems = _import(form, accounts.import_departments)
        if count is not None:
            flash(_("已导入 %(n)d 个单位。", n=count), "success")
            return redirect(url_for(".departments"))
        flash(_("导入失败，未导入任何记录。"), "danger")
    return render_template(
        "admin/import.html",
        form=form,
        problems=problems,
        kind="departments",
        columns=accounts.DEPARTMENT_COLUMNS,
        optional=(),
    ), 400 if problems or form.file.errors else 200


# --- sessions ----------------------------------------------------------------------------------


def _sessions_page(form, status=200):
    rows = db.session.scalars(
        select(CommitteeSession).order_by(
            CommitteeSession.year.desc(),
            CommitteeSession.term.desc(),
            CommitteeSession.meeting.desc(),
        )
    ).all()
    return render_template("admin/sessions.html", rows=rows, form=form), status


@bp.route("/sessions", methods=["GET", "POST"])
def sessions():
    if request.method == "GET":
        year = local_date(utcnow()).year
        return _sessions_page(SessionForm(formdata=None, data={"year": year, "current": True}))
    form = SessionForm()
    if form.validate_on_submit():
        session = perform(
            committee.create_session,
            form.term.data,
            form.meeting.data,
            form.year.data,
            form.plenary_start.data,
            form.plenary_end.data,
            form.current.data,
            form.collection_start.data,
            form.collection_end.data,
            form=form,
        )
        if session is not None:
            flash(
                _("已新增 %(label)s（%(year)d 年）。", label=session.label, year=session.year),
                "success",
            )
            return redirect(url_for(".sessions"))
    else:
        flash(_("请修改标出的内容后再提交。"), "danger")
    return _sessions_page(form, 400)


@bp.post("/sessions/<int:session_id>/current")
def set_current_session(session_id):
    session = _get(CommitteeSession, session_id)
    perform(
        committee.set_current_session,
        session,
        success=_("当前会次已设为 %(label)s。", label=session.label),
    )
    return redirect(url_for(".sessions"))


# --- categories and not-filed reasons ----------------------------------------------------------

REFERENCE_PAGES = {
    # kind: (model, list endpoint, URL part, page title)
    "category": (Category, "categories", "categories", _l("提案类别")),
    "reason": (NotFiledReason, "reasons", "reasons", _l("不予立案理由")),
}


def _reference_page(kind, form, status=200):
    model, endpoint, _part, title = REFERENCE_PAGES[kind]
    rows = db.session.scalars(select(model).order_by(model.active.desc(), model.id)).all()
    return render_template(
        "admin/reference.html", kind=kind, rows=rows, form=form, title=title, endpoint=endpoint
    ), status


def _reference_list(kind):
    model, endpoint, _part, _title = REFERENCE_PAGES[kind]
    if request.method == "GET":
        return _reference_page(kind, ReferenceForm(formdata=None))
    form = ReferenceForm()
    if form.validate_on_submit() and perform(
        committee.create_reference,
        kind,
        form.code.data,
        form.name.data,
        form=form,
        success=_("已新增 %(name)s。", name=(form.name.data or "").strip()),
    ):
        return redirect(url_for("." + endpoint))
    return _reference_page(kind, form, 400)


def _reference_edit(kind, row_id):
    model, endpoint, _part, title = REFERENCE_PAGES[kind]
    row = _get(model, row_id)
    back = url_for("." + endpoint)
    if request.method == "GET":
        form = RenameForm(formdata=None, data={"name": row.name})
        return render_template("admin/rename.html", form=form, row=row, back=back, title=title)
    form = RenameForm()
    if form.validate_on_submit() and perform(
        committee.rename_reference,
        kind,
        row,
        form.name.data,
        form=form,
        success=_("已保存 %(code)s 的名称。", code=row.code),
    ):
        return redirect(back)
    db.session.refresh(row)
    return render_template("admin/rename.html", form=form, row=row, back=back, title=title), 400


def _reference_active(kind, row_id):
    model, endpoint, _part, _title = REFERENCE_PAGES[kind]
    row = _get(model, row_id)
    active = _flag("active")
    perform(
        committee.set_reference_active,
        kind,
        row,
        active,
        success=(
            _("已启用 %(name)s。", name=row.name)
            if active
            else _("已停用 %(name)s，今后不再供选择（已有记录不受影响）。", name=row.name)
        ),
    )
    return redirect(url_for("." + endpoint))


def _register_reference_pages():
    for kind, (_model, endpoint, part, _title) in REFERENCE_PAGES.items():
        singular = {"category": "category", "reason": "reason"}[kind]
        bp.add_url_rule(
            f"/{part}", endpoint, lambda kind=kind: _reference_list(kind), methods=["GET", "POST"]
        )
        bp.add_url_rule(
            f"/{part}/<int:row_id>/edit",
            f"edit_{singular}",
            lambda row_id, kind=kind: _reference_edit(kind, row_id),
            methods=["GET", "POST"],
        )
        bp.add_url_rule(
            f"/{part}/<int:row_id>/active",
            f"set_{singular}_active",
            lambda row_id, kind=kind: _reference_active(kind, row_id),
            methods=["POST"],
        )


_register_reference_pages()


# --- settings and holidays ---------------------------------------------------------------------


def _settings_page(form=None, holiday_form=None, status=200):
    values = committee_settings.all_settings()
    if form is None:
        form = settings_form(values)
    today = local_date(utcnow())
    first, last = official_years()
    holidays = db.session.scalars(select(Holiday).order_by(Holiday.day)).all()
    return render_template(
        "admin/settings.html",
        form=form,
        specs=committee_settings.SPECS,
        values=values,
        format_value=committee_settings.format_value,
        note=coverage_note(today, page=True),
        covered=(first, last),
        beyond=today.year + 1 > last,
        holidays=holidays,
        holiday_form=holiday_form or HolidayForm(formdata=None),
    ), status


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    if request.method == "GET":
        return _settings_page()
    values = committee_settings.all_settings()
    form = settings_form(values)
    if not form.validate_on_submit():
        flash(_("请修改标出的内容后再提交。"), "danger")
        return _settings_page(form, status=400)
    changes = {}
    for key in committee_settings.SPECS:
        raw = (form[key].data or "").strip()
        if raw != committee_settings.format_value(values[key]):
            changes[key] = raw
    if not changes:
        flash(_("设置没有变化。"), "info")
        return redirect(url_for(".settings"))
    if perform(
        committee.update_settings,
        changes,
        form=form,
        success=_("已保存 %(n)d 项设置。", n=len(changes)),
    ):
        return redirect(url_for(".settings"))
    return _settings_page(form, status=400)


@bp.post("/holidays")
def add_holiday():
    form = HolidayForm()
    if form.validate_on_submit():
        row = perform(
            committee.add_holiday,
            form.day.data,
            form.kind.data == "workday",
            form.name.data,
            form=form,
        )
        if row is not None:
            flash(
                _(
                    "已添加 %(day)s（%(kind)s）。",
                    day=row.day.isoformat(),
                    kind=_("调休上班") if row.is_workday else _("放假"),
                ),
                "success",
            )
            return redirect(url_for(".settings") + "#holidays")
    return _settings_page(holiday_form=form, status=400)


@bp.post("/holidays/<day>/remove")
def remove_holiday(day):
    perform(committee.remove_holiday, day, success=_("已删除 %(day)s。", day=day))
    return redirect(url_for(".settings") + "#holidays")


# --- document templates (the committee's own letterhead) ---------------------------------------

TEMPLATE_MAX = 2 * 1024 * 1024  # a letterhead template is tens of KB


class TemplateUploadForm(FlaskForm):
    file = FileField(_l("Word 模板（.docx）"), render_kw={"accept": ".docx"})
    submit = SubmitField(_l("上传并启用"))


def _kind_or_404(kind):
    try:
        return kind_of(kind)
    except KeyError:
        abort(404)


def _documents_page(form=None, failed=None, status=200):
    uploads = {t.kind: t for t in db.session.scalars(select(DocumentTemplate))}
    return render_template(
        "admin/documents.html",
        kinds=all_kinds(),
        uploads=uploads,
        form=form or TemplateUploadForm(formdata=None),
        failed=failed,
    ), status


@bp.get("/documents")
def documents():
    return _documents_page()


@bp.get("/documents/<kind>/template.docx")
def document_template(kind):
    """The template in force: the uploaded one, else the shipped default."""
    found = _kind_or_404(kind)
    own = uploaded(kind)
    data = own.content if own is not None else default_template(kind)
    name = _("%(label)s模板", label=_(found.label)) + ".docx"
    response = send_file(io.BytesIO(data), mimetype=DOCX_MIMETYPE, max_age=0)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{kind}-template.docx\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    return response


def _check_template(kind, form):
    """The upload's bytes when they make a template of ``kind``; else None with the reason on
    the form's file field."""
    upload = form.file.data
    if not upload or not getattr(upload, "filename", ""):
        form.file.errors = [_("请选择要上传的 Word 模板（.docx）。")]
        return None
    if not upload.filename.lower().endswith(".docx"):
        form.file.errors = [_("只能上传 Word 文件（.docx）。")]
        return None
    content = upload.stream.read(TEMPLATE_MAX + 1)
    if len(content) > TEMPLATE_MAX:
        form.file.errors = [_("文件太大（最大 2 MB）。")]
        return None
    try:
        unknown = unknown_fields(kind, content)
    except TemplateError:
        form.file.errors = [
            _("无法读取该模板：文件不是有效的 Word 文档（.docx），或其中的标记写法有误。")
        ]
        return None
    if unknown:
        form.file.errors = [
            _("模板使用了本类公文没有的字段：%(fields)s。", fields=_("、").join(unknown))
        ]
        return None
    return content


@bp.post("/documents/<kind>/template")
def upload_document_template(kind):
    """Replace the kind's template; a refused upload stores nothing. The audit log records the
    request (security/audit.py records every state-changing request)."""
    found = _kind_or_404(kind)
    form = TemplateUploadForm()
    content = _check_template(kind, form) if form.validate_on_submit() else None
    if content is None:
        if not form.file.errors:
            form.file.errors = [_("请重新提交。")]
        return _documents_page(form, failed=kind, status=400)
    own = uploaded(kind) or DocumentTemplate(kind=kind)
    own.content = content
    own.filename = (form.file.data.filename or "")[:255]
    own.uploaded_by_id = current_user.id
    own.uploaded_at = utcnow()
    db.session.add(own)
    db.session.commit()
    flash(_("已启用新的%(label)s模板。", label=_(found.label)), "success")
    return redirect(url_for(".documents") + f"#kind-{kind}")


@bp.post("/documents/<kind>/template/remove")
def remove_document_template(kind):
    found = _kind_or_404(kind)
    own = uploaded(kind)
    if own is not None:
        db.session.delete(own)
        db.session.commit()
        flash(_("已删除上传的%(label)s模板，恢复使用默认模板。", label=_(found.label)), "success")
    else:
        flash(_("%(label)s正在使用默认模板。", label=_(found.label)), "info")
    return redirect(url_for(".documents") + f"#kind-{kind}")
