"""交办方案 (bulk assignment): the sheet of the proposals waiting for assignment, an uploaded plan
read and checked row by row, and a checked plan applied through the one assignment operation
(workflow/operations.py assign_proposal), so that each proposal is assigned exactly as a single
assignment would be.

Like the operations, these functions flush and never commit: the request or the command
commits once, or rolls everything back on a refusal, which makes applying a plan all or
nothing. Row numbers are the sheet's own line numbers (the header is line 1)."""

import csv
import io
import os
import re
import unicodedata
import zipfile
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import Department, User
from ..committee import settings as committee_settings
from ..committee.calendar import LOCAL_TZ, add_months
from ..committee.models import CommitteeSession, chinese_number
from ..errors import DomainError, InvalidState, NotFound, NotPermitted, ValidationError
from ..extensions import db
from ..i18n import N_, _, join
from ..workflow import operations as ops
from ..workflow.core import STATE_LABELS, clock
from ..workflow.models import Proposal, number_label
from ..workflow.states import ProposalState as P
from ..workflow.states import Role
from .models import AssignmentPlan

MAX_BYTES = 5 * 1024 * 1024  # an upload
MAX_UNPACKED = 100 * 1024 * 1024  # what an .xlsx (a zip) may declare once unpacked
MAX_ROWS = 3000  # rows that hold something, more than a session's proposals
MAX_LINES = 20000  # lines read at all, empty ones included
MAX_COLUMNS = 50
SHOWN = 50  # problems named in one refusal

# The sheet's columns: (key, header msgid), in the template's order. The header is written in
# the reader's language; either language's header (or the key) is read.
COLUMNS = (
    ("session", N_("会次")),
    ("number", N_("提案号")),
    ("title", N_("案由")),
    ("suggested", N_("建议承办单位")),
    ("lead", N_("主办单位")),
    ("co", N_("会办单位")),
    ("split", N_("分办单位")),
    ("due_date", N_("答复期限")),
)
LABELS = dict(COLUMNS)
ALIASES = {
    "届次": "session",
    "会议": "session",
    "提案编号": "number",
    "编号": "number",
    "主办": "lead",
    "承办单位": "lead",
    "会办": "co",
    "协办单位": "co",
    "分办": "split",
    "办理期限": "due_date",
}
REQUIRED = ("number", "lead")
UNIT_SEPARATORS = re.compile(r"[；;、,，\n]+")
# what no database column can store, nor anyone mean in a cell (text_input.py refuses it in
# requests; a sheet's cells are cleaned instead, their row being checked anyway)
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
NUMBER = re.compile(r"第?0*(\d{1,10})号?")
DAY = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:0{1,2}:0{1,2}(?::0{1,2}(?:\.0+)?)?)?"
)


class TooLarge(DomainError):
    """The upload is over MAX_BYTES (413 too_large); nothing was read."""

    status = 413
    code = "too_large"


def too_large_message():
    return _("文件超过 %(n)d MB 的上限，未读取。", n=MAX_BYTES // (1024 * 1024))


def _file_error(message):
    return ValidationError(message, fields={"file": message})


def require_secretariat(actor):
    if actor is None or actor.role != Role.SECRETARIAT:
        raise NotPermitted(_("只有提案委员会办公室可以交办提案"))


def _key(text):
    """Text as compared: compatibility forms folded (full-width letters and digits), no spaces,
    case ignored."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


def _short(text, n=40):
    return text if len(text) <= n else text[:n] + "…"


# --------------------------------------------------------------------------- the template


def session_keys(session):
    """The ways a session may be written in a sheet: 第十届第三次会议, 第10届第3次会议, 十届三次 …
    and its label in the reader's language."""
    term, meeting = session.term, session.meeting
    keys = {_key(session.label)}
    for t, m in ((chinese_number(term), chinese_number(meeting)), (str(term), str(meeting))):
        keys.update({_key(f"第{t}届第{m}次会议"), _key(f"第{t}届第{m}次"), _key(f"{t}届{m}次")})
    return keys


def waiting_proposals():
    """The filed proposals not yet assigned, session by session, in number order, with their
    suggested units."""
    return (
        db.session.scalars(
            select(Proposal)
            .where(Proposal.state == P.FILED)
            .options(selectinload(Proposal.suggested_departments))
            .order_by(Proposal.session_id, Proposal.number, Proposal.id)
        )
        .unique()
        .all()
    )


def write_template(output):
    """The template sheet (.xlsx) to ``output``: one row per proposal waiting for assignment,
    the unit columns and the due date left to fill; a sheet of the active units and one of
    instructions follow."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = _("交办方案")
    sheet.append([_(label) for _name, label in COLUMNS])
    for proposal in waiting_proposals():
        sheet.append(
            [
                proposal.session.label,
                f"{proposal.number:04d}",
                proposal.title,
                "、".join(d.name for d in proposal.suggested_departments) or None,
                None,
                None,
                None,
                None,
            ]
        )
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
    widths = {"A": 22, "B": 10, "C": 50, "D": 28, "E": 24, "F": 30, "G": 30, "H": 14}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        row[1].number_format = "@"  # 0017 stays 0017
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    for column in ("E", "F", "G"):
        sheet.column_dimensions[column].number_format = "@"
    sheet.column_dimensions["H"].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"

    units = book.create_sheet(_("承办单位"))
    units.append([_("单位代码"), _("单位名称")])
    for cell in units[1]:
        cell.font = bold
    for department in db.session.scalars(
        select(Department).where(Department.active).order_by(Department.code)
    ):
        units.append([department.code, department.name])
    units.column_dimensions["A"].width = 16
    units.column_dimensions["B"].width = 40

    notes = book.create_sheet(_("填写说明"))
    limit = committee_settings.get("extension_max_months")
    for line in (
        _("每行一件提案；提案号和会次用来找到提案，案由和建议承办单位仅供参考，不会被读取。"),
        _("单办：只在“主办单位”列填一个单位。"),
        _("主办＋会办：“主办单位”列填一个单位，“会办单位”列填一个或几个单位。"),
        _("分办：“分办单位”列填两个或以上单位，“主办单位”和“会办单位”列留空。"),
        _("单位可填代码或名称（见“承办单位”工作表），几个单位之间用顿号、逗号或分号隔开。"),
        _(
            "答复期限可留空（按设置的期限计算），填写时应为 2026-06-30 这样的日期，"
            "在今天之后且不晚于 %(n)d 个月后。",
            n=limit,
        ),
        _("不交办的提案可删去其行；空行会被跳过。行号即表格的行号（表头为第 1 行）。"),
        _("上传后系统逐行检查，有任何错误时整个方案都不能执行；执行时全部交办或全部不交办。"),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    book.active = 0
    book.save(output)


# --------------------------------------------------------------------------- reading a sheet


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return UNSTORABLE.sub("", str(value)).strip()


class _TooManyLines(Exception):
    pass


def _take(rows):
    """The rows (lists of cell texts) of an iterator, refusing past MAX_LINES."""
    out = []
    for values in rows:
        if len(out) >= MAX_LINES:
            raise _TooManyLines
        out.append([_cell_text(v) for v in values[:MAX_COLUMNS]])
    return out


def _header_keys(values):
    """{column index: key} of a header row, and the problems of the header."""
    known = {}
    for key, label in COLUMNS:
        for name in (key, label, _(label)):
            known[_key(name)] = key
    known.update({_key(alias): key for alias, key in ALIASES.items()})
    columns, seen, problems = {}, {}, []
    for index, text in enumerate(values):
        key = known.get(_key(text))
        if key is None:
            continue
        if key in seen:
            problems.append(_("列“%(name)s”出现了两次", name=_(LABELS[key])))
            continue
        seen[key] = index
        columns[index] = key
    missing = [_(LABELS[k]) for k in REQUIRED if k not in seen]
    if missing:
        problems.append(
            _("缺少列：%(columns)s（第一行应为表头，可下载模板对照）", columns=join(missing))
        )
    return columns, problems


def _xlsx_lines(content):
    """The lines of the first worksheet whose first line is the plan's header (else of the
    first worksheet)."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _file_error(_("无法读取文件：不是有效的 .xlsx 文件")) from None
    if unpacked > MAX_UNPACKED:
        raise _file_error(_("无法读取文件：解压后内容过大"))
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            chosen = None
            for sheet in book.worksheets:
                first = next(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), ())
                _columns, problems = _header_keys([_cell_text(v) for v in first])
                if not problems:
                    chosen = sheet
                    break
            chosen = chosen or (book.worksheets[0] if book.worksheets else None)
            if chosen is None:
                return []
            return _take(chosen.iter_rows(values_only=True, max_col=MAX_COLUMNS))
        finally:
            book.close()
    except _TooManyLines:
        raise
    except Exception:  # noqa: BLE001  (a broken or foreign file: openpyxl raises anything)
        raise _file_error(_("无法读取文件：不是有效的 .xlsx 文件")) from None


def _csv_lines(content):
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _file_error(_("无法读取 CSV 文件：应为 UTF-8 或 GBK 编码"))
    try:
        return _take(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise _file_error(_("无法读取 CSV 文件：%(error)s", error=exc)) from None


def read_sheet(filename, content):
    """[(line number, {key: text})] of the rows of an uploaded plan that hold something; a
    file that cannot be read, is too large or lacks a required column raises one error."""
    if not content:
        raise _file_error(_("文件是空的"))
    if len(content) > MAX_BYTES:
        raise TooLarge(too_large_message())
    ext = os.path.splitext(filename or "")[1].lower()
    try:
        if ext == ".xlsx" or (not ext and content[:4] == b"PK\x03\x04"):
            lines = _xlsx_lines(content)
        elif ext == ".csv":
            lines = _csv_lines(content)
        elif ext == ".xls":
            raise _file_error(_("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 后上传"))
        else:
            raise _file_error(_("只支持 .xlsx 或 .csv 文件"))
    except _TooManyLines:
        raise _file_error(_("文件行数过多（最多 %(n)d 行）", n=MAX_LINES)) from None
    if not lines:
        raise _file_error(_("文件是空的"))
    columns, problems = _header_keys(lines[0])
    if problems:
        raise _file_error(_("；").join(problems))
    rows = []
    for number, values in enumerate(lines[1:], start=2):
        if not any(values):
            continue
        rows.append(
            (number, {key: values[i] if i < len(values) else "" for i, key in columns.items()})
        )
    if not rows:
        raise _file_error(_("表格中没有要交办的提案（表头下没有任何行）"))
    if len(rows) > MAX_ROWS:
        raise _file_error(_("一个方案最多 %(n)d 行", n=MAX_ROWS))
    return rows


# --------------------------------------------------------------------------- checking rows


class _Reference:
    """What every row is checked against, read once: the units, the sessions, the proposals the
    sheet names, today and the latest due date."""

    def __init__(self, rows, today):
        self.today = today
        self.months = committee_settings.get("extension_max_months")
        self.limit = add_months(today, self.months)
        departments = db.session.scalars(select(Department).order_by(Department.id)).all()
        self.by_code = {_key(d.code): d for d in departments}
        self.by_name = {_key(d.name): d for d in departments}
        sessions = db.session.scalars(select(CommitteeSession)).all()
        self.sessions = {}
        for session in sessions:
            for key in session_keys(session):
                self.sessions.setdefault(key, session)
        self.current = next((s for s in sessions if s.is_current), None)
        numbers = {n for n in (parse_number(cells.get("number", "")) for _l, cells in rows) if n}
        found = (
            db.session.scalars(select(Proposal).where(Proposal.number.in_(numbers))).all()
            if numbers
            else []
        )
        self.proposals = {(p.session_id, p.number): p for p in found}

    def unit(self, text):
        key = _key(text)
        return self.by_code.get(key) or self.by_name.get(key)


def parse_number(text):
    """17 from 0017, 17, 第0017号 (None otherwise)."""
    found = NUMBER.fullmatch(_key(text))
    if found is None:
        return None
    value = int(found.group(1))
    return value if 0 < value <= 2**31 - 1 else None


def parse_day(text):
    """A date from 2026-06-30, 2026/6/30, 2026.6.30, 2026年6月30日 (None otherwise)."""
    found = DAY.fullmatch(_key(text))
    if found is None:
        return None
    try:
        return date(*(int(g) for g in found.groups()))
    except ValueError:
        return None


def unit_names(text):
    """The units written in one cell, in order."""
    return [n.strip() for n in UNIT_SEPARATORS.split(text or "") if n.strip()]


def _units(ref, text, problems):
    """The units of one cell, each known and active, or a problem for each that is not."""
    out = []
    for name in unit_names(text):
        department = ref.unit(name)
        if department is None:
            problems.append(_("单位“%(unit)s”不存在（可填单位代码或名称）", unit=_short(name)))
        elif not department.active:
            problems.append(_("单位“%(unit)s”已停用", unit=department.name))
        else:
            out.append(department)
    return out


def _check_row(ref, line, cells, seen):
    """(the row as stored, its problems)."""
    problems = []
    session_text = cells.get("session", "")
    if session_text:
        session = ref.sessions.get(_key(session_text))
        if session is None:
            problems.append(_("会次“%(value)s”不存在", value=_short(session_text)))
    else:
        session = ref.current
        if session is None:
            problems.append(_("未填写会次，且当前没有开放的会次"))
    number_text = cells.get("number", "")
    number = parse_number(number_text)
    proposal = None
    if not number_text:
        problems.append(_("缺少提案号"))
    elif number is None:
        problems.append(
            _("提案号“%(value)s”无效，应写作 0017 或 第0017号", value=_short(number_text))
        )
    elif session is not None:
        proposal = ref.proposals.get((session.id, number))
        if proposal is None:
            problems.append(
                _(
                    "%(session)s没有%(number)s提案",
                    session=session.label,
                    number=number_label(number),
                )
            )
        elif proposal.state != P.FILED:
            problems.append(
                _(
                    "%(number)s提案当前为“%(state)s”，只有已立案、尚未交办的提案可以交办",
                    number=number_label(number),
                    state=_(STATE_LABELS.get(proposal.state, proposal.state)),
                )
            )
        elif proposal.id in seen:
            problems.append(
                _(
                    "%(number)s提案已在第 %(row)d 行出现",
                    number=number_label(number),
                    row=seen[proposal.id],
                )
            )
        else:
            seen[proposal.id] = line

    leads = _units(ref, cells.get("lead", ""), problems)
    cos = _units(ref, cells.get("co", ""), problems)
    splits = _units(ref, cells.get("split", ""), problems)
    named = leads + cos + splits
    twice = {d.name for d in named if sum(1 for o in named if o.id == d.id) > 1}
    for name in sorted(twice):
        problems.append(_("单位“%(unit)s”在本行出现了不止一次", unit=name))
    written = {key: len(unit_names(cells.get(key, ""))) for key in ("lead", "co", "split")}
    if not any(written.values()):
        problems.append(_("没有填写承办单位"))
    elif written["lead"] and written["split"]:
        problems.append(_("不能同时填写主办单位和分办单位"))
    elif written["co"] and not written["lead"]:
        problems.append(_("填写会办单位时须有一个主办单位"))
    elif written["split"] == 1:
        problems.append(_("分办须有两个或以上单位；只由一个单位办理时请填在“主办单位”列"))
    if written["lead"] > 1:
        problems.append(_("主办单位只能填一个；由几个单位分别办理时请填在“分办单位”列"))

    due_text = cells.get("due_date", "")
    due = parse_day(due_text) if due_text else None
    if due_text and due is None:
        problems.append(_("答复期限“%(value)s”不是日期，应写作 2026-06-30", value=_short(due_text)))
    elif due is not None:
        problems.extend(_due_problems(due, ref.today, ref.limit, ref.months))

    row = {
        "row": line,
        "session_id": session.id if session is not None else None,
        "session": session.label if session is not None else session_text,
        "number": number,
        "number_label": number_label(number),
        "proposal_id": proposal.id if proposal is not None else None,
        "title": proposal.title if proposal is not None else cells.get("title", ""),
        "lead": leads[0].code if leads and not splits else None,
        "co": [d.code for d in cos],
        "split": [d.code for d in splits],
        "due_date": due.isoformat() if due is not None else None,
    }
    return row, problems


def _due_problems(due, today, limit, months):
    if due <= today:
        return [
            _(
                "答复期限 %(date)s 应在今天（%(today)s）之后",
                date=due.isoformat(),
                today=today.isoformat(),
            )
        ]
    if due > limit:
        return [
            _(
                "答复期限 %(date)s 晚于 %(limit)s（交办时最长 %(n)d 个月）",
                date=due.isoformat(),
                limit=limit.isoformat(),
                n=months,
            )
        ]
    return []


def check_rows(rows, *, now=None):
    """Every row of a read sheet checked against the current records: (rows as stored,
    [{"row", "message"}]). Nothing is changed."""
    _now, today = clock(now)
    ref = _Reference(rows, today)
    checked, errors, seen = [], [], {}
    for line, cells in rows:
        row, problems = _check_row(ref, line, cells, seen)
        checked.append(row)
        errors.extend({"row": line, "message": message} for message in problems)
    return checked, errors


def check_sheet(filename, content, *, now=None):
    """read_sheet() then check_rows()."""
    return check_rows(read_sheet(filename, content), now=now)


def clean_filename(filename):
    name = os.path.basename(str(filename or "").replace("\\", "/"))
    return UNSTORABLE.sub("", name).strip()[:255]


def create_plan(actor, filename, content, *, now=None):
    """Read and check an uploaded sheet and keep it as a plan, errors and all (a plan with
    errors is shown, never applied). Nothing is assigned."""
    require_secretariat(actor)
    now, _today = clock(now)
    rows, errors = check_sheet(filename, content, now=now)
    plan = AssignmentPlan(
        filename=clean_filename(filename),
        rows=rows,
        errors=errors,
        created_by=actor,
        created_at=now,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def load_plan(actor, plan_id):
    require_secretariat(actor)
    plan = db.session.get(AssignmentPlan, plan_id)
    if plan is None:
        raise NotFound(_("交办方案不存在"))
    return plan


def recent_plans(limit=20):
    return db.session.scalars(
        select(AssignmentPlan).order_by(AssignmentPlan.id.desc()).limit(limit)
    ).all()


# --------------------------------------------------------------------------- applying


def at_row(row, message):
    return _("第 %(row)d 行：%(message)s", row=row, message=message)


def departments_of(row):
    """The row's units as assign_proposal() takes them: one lead with its co-units, or the
    split units, each a lead."""
    if row["split"]:
        return [{"code": code, "role": "lead"} for code in row["split"]]
    return [{"code": row["lead"], "role": "lead"}] + [
        {"code": code, "role": "co"} for code in row["co"]
    ]


def _recheck(row, proposals, units, today, limit, months):
    """What no longer holds for a row of a checked plan (the plan was checked when uploaded)."""
    problems = []
    proposal = proposals.get(row["proposal_id"])
    label = row.get("number_label") or ""
    if proposal is None:
        problems.append(_("%(number)s提案已不存在", number=label))
    elif proposal.state != P.FILED:
        problems.append(
            _(
                "%(number)s提案现为“%(state)s”，不能再交办",
                number=label,
                state=_(STATE_LABELS.get(proposal.state, proposal.state)),
            )
        )
    for item in departments_of(row):
        department = units.get(item["code"])
        if department is None or not department.active:
            problems.append(
                _(
                    "单位“%(unit)s”已停用或不存在",
                    unit=department.name if department is not None else item["code"],
                )
            )
    if row["due_date"]:
        problems.extend(_due_problems(date.fromisoformat(row["due_date"]), today, limit, months))
    return [at_row(row["row"], p) for p in problems]


def apply_plan(actor, plan, *, now=None):
    """Assign every proposal of a checked plan, each through assign_proposal() (its history,
    deadlines and notifications as for one assignment). Every row is checked again against
    the records as they are now; any row that no longer holds refuses the whole plan (409,
    naming the rows), and so does a refusal of any single assignment: the caller rolls back.
    Returns the assigned proposals."""
    require_secretariat(actor)
    if plan.applied_at is not None:
        when = plan.applied_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
        raise InvalidState(_("该方案已于 %(when)s 执行，不能再次执行", when=when))
    if plan.errors:
        raise InvalidState(
            _("方案有 %(n)d 处错误，不能执行；请修改表格后重新上传", n=len(plan.errors))
        )
    now, today = clock(now)
    months = committee_settings.get("extension_max_months")
    limit = add_months(today, months)
    ids = [row["proposal_id"] for row in plan.rows]
    proposals = {
        p.id: p for p in db.session.scalars(select(Proposal).where(Proposal.id.in_(ids))).all()
    }
    units = {d.code: d for d in db.session.scalars(select(Department)).all()}
    problems = []
    for row in plan.rows:
        problems.extend(_recheck(row, proposals, units, today, limit, months))
    if problems:
        shown = problems[:SHOWN]
        if len(problems) > SHOWN:
            shown.append(_("……另有 %(n)d 处", n=len(problems) - SHOWN))
        raise InvalidState(
            _(
                "方案未执行，以下行与现在的情况不符，请重新下载模板：%(problems)s",
                problems=_("；").join(shown),
            )
        )
    assigned = []
    for row in sorted(plan.rows, key=lambda r: r["row"]):
        proposal = proposals[row["proposal_id"]]
        due = date.fromisoformat(row["due_date"]) if row["due_date"] else None
        try:
            ops.assign_proposal(actor, proposal, departments_of(row), due, now=now)
        except ValidationError as exc:  # stored data the operation refuses: the plan is stale
            raise InvalidState(at_row(row["row"], exc.message)) from None
        except DomainError as exc:
            raise type(exc)(at_row(row["row"], exc.message)) from None
        assigned.append(proposal)
    plan.applied_by_id = actor.id
    plan.applied_at = now
    db.session.flush()
    return assigned


# --------------------------------------------------------------------------- answers


def plan_json(plan):
    """A plan as the API shows it (units by code, times in Asia/Shanghai)."""
    applied_by = db.session.get(User, plan.applied_by_id) if plan.applied_by_id else None
    return {
        "id": plan.id,
        "filename": plan.filename,
        "created_by": plan.created_by.username,
        "created_at": plan.created_at.astimezone(LOCAL_TZ).isoformat(),
        "applied_by": applied_by.username if applied_by is not None else None,
        "applied_at": plan.applied_at.astimezone(LOCAL_TZ).isoformat() if plan.applied_at else None,
        "applicable": not plan.errors and plan.applied_at is None,
        "rows": [{key: row.get(key) for key in ROW_KEYS} for row in sorted(plan.rows, key=_row_no)],
        "errors": [{"row": e["row"], "message": e["message"]} for e in plan.errors],
    }


ROW_KEYS = (
    "row",
    "session_id",
    "session",
    "number",
    "number_label",
    "proposal_id",
    "title",
    "lead",
    "co",
    "split",
    "due_date",
)


def _row_no(row):
    return row["row"]
