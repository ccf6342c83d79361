"""The annual report as an Excel workbook (openpyxl), and the words and rows that the
workbook, the text report and the Word section of the work report (提案工作情况, an official
document: documents/kinds/annual.py) share.

Each takes the figures of :func:`proposals.stats.figures.annual_figures` (docs/domain.md) and
only lays them out; nothing here counts anything again. The one exception is the workbook's
full list of the period's proposals (提案清单), which streams rows straight from SQL
(:func:`period_proposal_rows`: one query per batch of proposals, units, replies and ratings
aggregated by the database) into a write-only workbook, so the memory used stays the same
whether the period holds 70 proposals or 70,000.
"""

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from sqlalchemy import String, and_, cast, func, select
from sqlalchemy.orm import aliased

from ..accounts.models import ORG_TYPE_LABELS, Department, User
from ..committee import settings as committee_settings
from ..committee.calendar import LOCAL_TZ
from ..committee.models import DISPOSITION_LABELS, Category
from ..extensions import db
from ..handling.models import RATINGS, ROLE_LABELS, Assignment, Rating, Reply
from ..i18n import _, join
from ..workflow.core import STATE_LABELS
from ..workflow.models import KIND_LABELS, Proposal, number_label
from ..workflow.states import AssignmentState
from ..workflow.states import ProposalState as P
from .headline import percent as headline_percent
from .headline import rating_basis, rating_basis_words
from .intake import received_proposals
from .period import make_window

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# the figures' review outcomes as proposal states (for their labels)
OUTCOME_STATES = {"pending": P.SUBMITTED}
BATCH = 500
# what separates the fields of one unit-item, and the items, inside the aggregated string
FIELD_SEP, ITEM_SEP = "\x1f", "\x1e"


# ---------------------------------------------------------------- the list of proposals


def _unit_items(proposal_id, cutoff):
    """A correlated subquery: the proposal's unit-items (not the reassigned ones) as one string,
    each item "assignment id, role, unit, result of the latest reply delivered by the cut-off,
    latest primary rating by the cut-off", aggregated by the database (string_agg /
    group_concat); the items are put in order in Python."""
    delivered = and_(Reply.delivered_at.is_not(None), Reply.delivered_at < cutoff)
    rated = and_(Rating.is_primary.is_(True), Rating.created_at < cutoff)
    latest_result = (
        select(Reply.result)
        .where(Reply.assignment_id == Assignment.id, delivered)
        .order_by(Reply.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    latest_rating = (
        select(Rating.rating)
        .join(Reply, Reply.id == Rating.reply_id)
        .where(Reply.assignment_id == Assignment.id, rated)
        .order_by(Rating.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    item = (
        cast(Assignment.id, String)
        + FIELD_SEP
        + Assignment.role
        + FIELD_SEP
        + Department.name
        + FIELD_SEP
        + func.coalesce(latest_result, "")
        + FIELD_SEP
        + func.coalesce(latest_rating, "")
    )
    return (
        select(func.aggregate_strings(item, ITEM_SEP))
        .select_from(Assignment)
        .join(Department, Department.id == Assignment.department_id)
        .where(
            Assignment.proposal_id == proposal_id,
            Assignment.state != AssignmentState.REASSIGNED,
            Assignment.assigned_at < cutoff,
        )
        .scalar_subquery()
    )


def period_proposal_rows(year=None, session_id=None, as_of=None, *, batch=BATCH):
    """The period's proposals (exactly those annual_figures() counts as received), in the
    order they were created (id), as plain tuples (id, number, receipt serial, title, first
    proposer, kind, organisation type, category, review outcome as of the date (filed,
    merged, not_filed, withdrawn, pending), current state, key, submitted_at, unit-items)
    where unit-items is a list of (role, unit name, result or None, rating or None).

    Keyset pagination: one SQL statement per batch, whatever the number of proposals, units,
    replies or ratings; no ORM object is loaded."""
    window = make_window(year, session_id, as_of)
    received = received_proposals(window)
    current = aliased(Proposal, name="current")
    query = (
        select(
            received.c.id,
            received.c.number,
            current.receipt_serial,
            received.c.title,
            User.name,
            received.c.kind,
            User.org_type,
            Category.name,
            received.c.status,
            current.state,
            received.c.is_key,
            received.c.submitted_at,
            _unit_items(received.c.id, window.end),
        )
        .select_from(received)
        .join(current, current.id == received.c.id)
        .join(User, User.id == received.c.proposer_id)
        .join(Category, Category.id == received.c.category_id)
        .order_by(received.c.id)
        .limit(batch)
    )
    last = 0
    while True:
        rows = db.session.execute(query.where(received.c.id > last)).all()
        for row in rows:
            yield tuple(row[:-1]) + (_split_items(row[-1]),)
        if len(rows) < batch:
            return
        last = rows[-1][0]


def _split_items(text):
    if not text:
        return []
    items = []
    for chunk in text.split(ITEM_SEP):
        ident, role, unit, result, rating = chunk.split(FIELD_SEP)
        items.append((int(ident), role, unit, result or None, rating or None))
    return [item[1:] for item in sorted(items)]


def status_label(status):
    """A proposal's state, or its review outcome as the figures count it ("pending": 待审查)."""
    return _(STATE_LABELS.get(OUTCOME_STATES.get(status, status), status or ""))


def list_row(row):
    """One line of 提案清单 in words."""
    (
        _id,
        number,
        serial,
        title,
        proposer,
        kind,
        org_type,
        category,
        outcome,
        state,
        is_key,
        submitted_at,
        items,
    ) = row
    kind_text = _(KIND_LABELS.get(kind, kind))
    if kind == "collective" and org_type:
        kind_text = _("%(kind)s（%(type)s）", kind=kind_text, type=_(ORG_TYPE_LABELS[org_type]))
    units = join(
        _("%(unit)s（%(role)s）", unit=unit, role=_(ROLE_LABELS[role]))
        for role, unit, _r, _g in items
    )
    results = join(
        _("%(unit)s：%(value)s", unit=unit, value=result)
        for role, unit, result, _g in items
        if result
    )
    ratings = join(
        _("%(unit)s：%(value)s", unit=unit, value=_(RATINGS[rating]))
        for role, unit, _r, rating in items
        if rating
    )
    return [
        number_label(number) or "",
        serial,
        title,
        proposer,
        kind_text,
        _(category),
        status_label(outcome),
        status_label(state),
        _("是") if is_key else _("否"),
        submitted_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d") if submitted_at else "",
        units,
        results,
        ratings,
    ]


# ---------------------------------------------------------------- words and numbers


def percent(rate):
    """0.9231 → "92.31%", 1.0 → "100%" (as the headline writes them), None (no denominator)
    → "—"."""
    return "—" if rate is None else headline_percent(rate) + "%"


def period_title(figures):
    """ "2026 年" or "第十届第五次会议" (annual_figures words it)."""
    return (figures.get("period") or {}).get("label") or str(figures.get("year") or "")


def as_of_text(figures):
    value = figures.get("as_of")
    return str(value) if value else ""


def _n(figures, key, default=0):
    value = figures.get(key, default)
    return default if value is None else value


def _sub(figures, key, sub, default=0):
    value = (figures.get(key) or {}).get(sub, default)
    return default if value is None else value


def intake_rows(figures):
    """受理和立案: (label, count or rate, is_rate)."""
    rows = [
        (_("收到提案"), _n(figures, "received"), False),
        (_("立案"), _n(figures, "filed"), False),
        (_("并案"), _n(figures, "merged"), False),
        (_("不予立案"), _n(figures, "not_filed"), False),
    ]
    for code, label in DISPOSITION_LABELS.items():
        rows.append(
            (
                _("其中：%(label)s", label=_(label)),
                _sub(figures, "not_filed_by_disposition", code),
                False,
            )
        )
    rows += [
        (_("撤案"), _n(figures, "withdrawn"), False),
        (_("待审查"), _n(figures, "pending_review"), False),
        (_("立案率"), figures.get("filing_rate"), True),
    ]
    return rows


def kind_rows(figures):
    rows = [
        (_(label), _sub(figures, "by_kind", kind), False) for kind, label in KIND_LABELS.items()
    ]
    for org_type, label in ORG_TYPE_LABELS.items():
        if figures.get("collective_by_org_type") is not None:
            rows.append(
                (
                    _("其中：%(label)s", label=_(label)),
                    _sub(figures, "collective_by_org_type", org_type),
                    False,
                )
            )
    participation = figures.get("participation") or {}
    if participation:
        rows += [
            (_("提交或联名提案的委员"), participation.get("members") or 0, False),
            (_("在册委员"), participation.get("active_members") or 0, False),
            (_("参与率"), participation.get("rate"), True),
        ]
    return rows


def result_codes(figures):
    """The result codes of the figures, in their order: those of the settings, then any code
    replies still carry that the settings no longer list (annual_figures orders them)."""
    return list(figures.get("results") or {}) or list(committee_settings.result_labels())


def result_row_label(code, labels):
    """ "D 类（因条件限制暂不能解决）" with the committee's wording, "D 类" without one."""
    if labels.get(code):
        return _("%(code)s 类（%(label)s）", code=code, label=labels[code])
    return _("%(code)s 类", code=code)


def handling_rows(figures):
    """办理和答复: items (件次) and reply letters (份) each named as such."""
    rows = [
        (_("涉及承办单位"), _n(figures, "units_involved"), False),
        (_("承办件次"), _n(figures, "assignment_items"), False),
        (_("已答复件次"), _n(figures, "replied_items"), False),
        (_("已全部办复的提案"), _n(figures, "replied_proposals"), False),
        (_("办复率"), figures.get("reply_rate"), True),
        (_("送达答复（份）"), _n(figures, "replies_delivered"), False),
        (_("按时送达答复（份）"), _n(figures, "replies_on_time"), False),
        (_("按时答复率（按答复份数）"), figures.get("on_time_rate"), True),
    ]
    labels = committee_settings.result_labels()
    rows += [
        (result_row_label(code, labels), _sub(figures, "results", code), False)
        for code in result_codes(figures)
    ]
    return rows


def satisfaction_rows(figures):
    """满意度: each unit-item counted once by its latest rating, or on the basis 'all' every
    proposer's rating of it; the basis and the denominator are shown."""
    s = figures.get("satisfaction") or {}
    if rating_basis(figures) == "all":
        denominator = _("测评人次（分母）")
    else:
        denominator = _("已测评件次（分母）")
    return [
        (_("测评口径"), rating_basis_words(figures), False),
        (_("满意"), s.get("satisfied") or 0, False),
        (_("基本满意"), s.get("basically_satisfied") or 0, False),
        (_("不满意"), s.get("unsatisfied") or 0, False),
        (denominator, s.get("rated") or 0, False),
        (_("未测评件次"), s.get("unrated") or 0, False),
        (_("满意率（满意与基本满意）"), s.get("rate"), True),
        (_("满意率（仅满意）"), s.get("strict_rate"), True),
    ]


def unit_rating_headers(figures):
    """The per-unit rating columns, named in items (件) or, on the basis 'all', ratings (人次)."""
    if rating_basis(figures) == "all":
        return (_("已测评（人次）"), _("满意（人次）"), _("基本满意（人次）"), _("不满意（人次）"))
    return (_("已测评（件）"), _("满意（件）"), _("基本满意（件）"), _("不满意（件）"))


def key_units(units):
    """A key proposal's units, whether given as names or as {"name", "role"} dicts."""
    names = []
    for unit in units or []:
        if isinstance(unit, dict):
            name = unit.get("name") or unit.get("code") or ""
            if unit.get("role") in ROLE_LABELS:
                name = _("%(unit)s（%(role)s）", unit=name, role=_(ROLE_LABELS[unit["role"]]))
            names.append(name)
        else:
            names.append(str(unit))
    return join(names)


def yes_no_count(value):
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return "" if value is None else value


def rating_text(value):
    if isinstance(value, dict):
        value = value.get("rating")
    if isinstance(value, (list, tuple)):
        return join(rating_text(v) for v in value)
    return _(RATINGS[value]) if value in RATINGS else (value or "")


def all_units(figures):
    """Every unit with items, most items first."""
    units = list(figures.get("by_department") or [])
    units.sort(key=lambda u: (-(u.get("assigned") or 0), u.get("code") or ""))
    return units


def recognition_header():
    """The columns of the year's recognition (translated when called)."""
    return (_("类别"), _("提案号"), _("案由或单位"), _("第一提案人"), _("评定人"), _("评定日期"))


def recognition_rows(figures):
    """The awarded excellent proposals, then the outstanding units (figures["recognitions"]),
    each as the words of recognition_header()."""
    found = figures.get("recognitions") or {}
    rows = [
        (
            _("优秀提案"),
            p.get("number_label") or "",
            p.get("title") or "",
            p.get("proposer") or "",
            p.get("decided_by") or "",
            (p.get("decided_at") or "")[:10],
        )
        for p in found.get("proposals") or []
    ]
    rows += [
        (
            _("先进承办单位"),
            "",
            d.get("name") or "",
            "",
            d.get("decided_by") or "",
            (d.get("decided_at") or "")[:10],
        )
        for d in found.get("departments") or []
    ]
    return rows


def recognition_lines(figures):
    """The year's recognition as lines of the text report."""
    found = figures.get("recognitions") or {}
    proposals, units = found.get("proposals") or [], found.get("departments") or []
    if not proposals and not units:
        return [_("优秀提案和先进承办单位：尚无评定")]
    lines = []
    if proposals:
        lines.append(_("优秀提案（已评定）："))
        lines += [
            "  "
            + _(
                "%(number)s %(title)s（第一提案人：%(proposer)s；%(by)s 评定于 %(day)s）",
                number=p.get("number_label") or "",
                title=p.get("title") or "",
                proposer=p.get("proposer") or "",
                by=p.get("decided_by") or "",
                day=(p.get("decided_at") or "")[:10],
            )
            for p in proposals
        ]
    if units:
        lines.append(_("先进承办单位（已评定）："))
        lines += [
            "  "
            + _(
                "%(name)s（%(code)s；%(by)s 评定于 %(day)s）",
                name=d.get("name") or "",
                code=d.get("code") or "",
                by=d.get("decided_by") or "",
                day=(d.get("decided_at") or "")[:10],
            )
            for d in units
        ]
    return lines


# ---------------------------------------------------------------- Excel

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)


def safe_text(value):
    """A text cell a spreadsheet will not run as a formula (formula injection)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class _Sheet:
    """A write-only sheet with a bold header row and neutralised text cells."""

    def __init__(self, workbook, title, widths):
        self.ws = workbook.create_sheet(title)
        for index, width in enumerate(widths):
            self.ws.column_dimensions[chr(ord("A") + index)].width = width

    def cell(self, value, *, rate=False, bold=False, wrap=False):
        if isinstance(value, str):
            value = safe_text(value)
        elif rate:
            value = "—" if value is None else value
        c = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # never a formula, whatever the text
        if rate and not isinstance(value, str):
            c.number_format = "0.00%"
        if bold:
            c.font = BOLD
        if wrap:
            c.alignment = Alignment(wrap_text=True, vertical="top")
        return c

    def header(self, *labels):
        self.ws.append([self.cell(label, bold=True) for label in labels])

    def row(self, *values, rates=()):
        self.ws.append([self.cell(v, rate=i in rates) for i, v in enumerate(values)])

    def blank(self):
        self.ws.append([])


def annual_xlsx(figures, proposals_rows, output):
    """The annual report as a workbook written to ``output`` (a path or a binary file):
    汇总, 分类, 承办单位, 重点提案, 提案清单. ``proposals_rows`` is an iterable of
    :func:`period_proposal_rows` tuples, written as they come."""
    wb = Workbook(write_only=True)

    summary = _Sheet(wb, _("汇总"), [34, 16])
    summary.ws.append(
        [summary.cell(_("%(period)s提案工作统计", period=period_title(figures)), bold=True)]
    )
    summary.row(_("截至"), as_of_text(figures))
    summary.ws.append([summary.cell(figures.get("headline") or "", wrap=True)])
    summary.blank()
    for title, rows in (
        (_("受理和立案"), intake_rows(figures)),
        (_("提案形式"), kind_rows(figures)),
        (_("办理和答复"), handling_rows(figures)),
        (_("满意度"), satisfaction_rows(figures)),
    ):
        summary.header(title, _("数值"))
        for label, value, is_rate in rows:
            summary.row(label, value, rates=(1,) if is_rate else ())
        summary.blank()
    summary.ws.append([summary.cell(_("优秀提案和先进承办单位（已评定）"), bold=True)])
    summary.header(*recognition_header())
    recognised = recognition_rows(figures)
    for row in recognised:
        summary.row(*row)
    if not recognised:
        summary.row(_("尚无评定"))

    categories = _Sheet(wb, _("分类"), [10, 20, 10, 10, 12])
    categories.header(_("代码"), _("类别"), _("收到"), _("立案"), _("立案率"))
    for c in figures.get("by_category") or []:
        received, filed = c.get("received") or 0, c.get("filed") or 0
        categories.row(
            c.get("code") or "",
            _(c.get("name") or ""),
            received,
            filed,
            filed / received if received else None,
            rates=(4,),
        )

    codes = result_codes(figures)
    units = _Sheet(wb, _("承办单位"), [10, 24] + [11] * (11 + len(codes)) + [12, 14])
    units.header(
        _("代码"),
        _("承办单位"),
        _("交办件次"),
        _("已签收（件）"),
        _("已答复（件）"),
        _("按时答复（件）"),
        _("送达答复（份）"),
        _("逾期未答复（件）"),
        *(_("%(code)s 类（件）", code=code) for code in codes),
        *unit_rating_headers(figures),
        _("满意率"),
        _("按时答复率（按件）"),
    )
    for u in figures.get("by_department") or []:
        results = u.get("results") or {}
        units.row(
            u.get("code") or "",
            u.get("name") or "",
            u.get("assigned") or 0,
            u.get("accepted") or 0,
            u.get("replied") or 0,
            u.get("on_time") or 0,
            u.get("replies_delivered") or 0,
            u.get("overdue") or 0,
            *(results.get(code) or 0 for code in codes),
            u.get("rated") or 0,
            u.get("satisfied") or 0,
            u.get("basically_satisfied") or 0,
            u.get("unsatisfied") or 0,
            u.get("satisfaction_rate"),
            u.get("on_time_rate"),
            rates=(12 + len(codes), 13 + len(codes)),
        )

    keys = _Sheet(wb, _("重点提案"), [12, 40, 14, 36, 12, 10, 10, 12])
    keys.header(
        _("提案号"),
        _("案由"),
        _("督办领导"),
        _("承办单位"),
        _("状态"),
        _("已答复"),
        _("逾期"),
        _("测评"),
    )
    for k in figures.get("key_proposals") or []:
        keys.row(
            k.get("number_label") or "",
            k.get("title") or "",
            k.get("supervisor") or "",
            key_units(k.get("units")),
            status_label(k.get("state")),
            yes_no_count(k.get("replied")),
            yes_no_count(k.get("overdue")),
            rating_text(k.get("rating")),
        )

    listing = _Sheet(wb, _("提案清单"), [12, 9, 40, 12, 14, 14, 10, 10, 8, 12, 40, 24, 24])
    listing.ws.freeze_panes = "A2"
    listing.header(*list_header())
    for row in proposals_rows:
        listing.row(*list_row(row))

    wb.save(output)
    return output


def list_header():
    """The columns of 提案清单 (translated when called)."""
    return (
        _("提案号"),
        _("收件号"),
        _("案由"),
        _("第一提案人"),
        _("提案形式"),
        _("类别"),
        _("审查结果"),
        _("当前状态"),
        _("重点提案"),
        _("提交日期"),
        _("承办单位"),
        _("答复结果"),
        _("最新测评"),
    )
