"""提案工作情况: the section of the committee's annual work report read at the plenary, from
the same figures as /stats/annual (stats.annual_figures).

The headline in official text (no spaces around numbers; a session's opens "政协第×届第×次会议
以来"), the intake (received, filed, merged, not filed), the shares of the categories, of the
kinds of proposer and of the result codes (each set adding up to 100.0%: text.shares), every
unit with items, the key proposals with their progress, the year's excellent proposals and
outstanding units, then the headings 主要做法, 存在问题, 下一步工作, each over an empty
paragraph for the office's own account."""

from ...committee import settings as committee_settings
from ...committee.models import DISPOSITION_LABELS, CommitteeSession
from ...extensions import db
from ...i18n import N_, _, join
from ...stats.exports import all_units, key_units, result_codes, status_label
from ...stats.headline import rating_basis, rating_basis_words
from ...workflow.models import KIND_LABELS
from ..layout import official_document, paragraph
from ..templates import register, render
from ..text import chinese_date, official, official_values, percent, session_label, shares
from .common import loop, table

FIELDS = {
    "title": N_("标题"),
    "period_label": N_("统计期间，如“2026年”或“政协第十届第三次会议”"),
    "as_of": N_("统计截至日期的说明"),
    "headline": N_("总述（一句话）"),
    "summary": N_("基本情况，按段落的列表"),
    "categories": N_("分类：每项 name、received、filed、share"),
    "kinds": N_("提案形式：每项 label、count、share"),
    "results": N_("办理结果：每项 label、count、share"),
    "units": N_("承办单位（全部）：每项 name、assigned、replied、on_time、overdue、satisfaction"),
    "key_proposals": N_("重点提案：每项 number_label、title、units、progress"),
    "excellent": N_("优秀提案：每项 number_label、title、proposer"),
    "excellent_units": N_("先进承办单位（以顿号分隔）"),
}

SESSION_OPENING = "本次会议以来"  # headline.py's opening for a session (Chinese)


def build_default():
    document = official_document()
    paragraph(document, "{{ title }}", "公文标题")
    paragraph(document, "（{{ period_label }}）", "公文居中")
    paragraph(document, "{{ headline }}", "公文正文")
    paragraph(document, "{{ as_of }}", "公文正文")
    paragraph(document, "一、基本情况", "一级标题")
    loop(document, "summary", "{{ s }}")
    paragraph(document, "（一）提案分类", "二级标题")
    table(
        document,
        ("类别", "收到（件）", "立案（件）", "占收到提案"),
        "categories",
        ("{{ c.name }}", "{{ c.received }}", "{{ c.filed }}", "{{ c.share }}"),
    )
    paragraph(document, "（二）提案形式", "二级标题")
    table(
        document,
        ("提案形式", "件数", "占收到提案"),
        "kinds",
        ("{{ k.label }}", "{{ k.count }}", "{{ k.share }}"),
    )
    paragraph(document, "（三）办理结果", "二级标题")
    table(
        document,
        ("答复结果", "件次", "占比"),
        "results",
        ("{{ r.label }}", "{{ r.count }}", "{{ r.share }}"),
    )
    paragraph(document, "（四）承办单位办理情况", "二级标题")
    table(
        document,
        ("承办单位", "交办件次", "已答复（件）", "按时答复（件）", "逾期未答复（件）", "满意率"),
        "units",
        (
            "{{ u.name }}",
            "{{ u.assigned }}",
            "{{ u.replied }}",
            "{{ u.on_time }}",
            "{{ u.overdue }}",
            "{{ u.satisfaction }}",
        ),
        widths=(46, 22, 22, 22, 22, 22),
    )
    paragraph(document, "（五）重点提案办理情况", "二级标题")
    paragraph(document, "{%p if key_proposals %}", "公文正文")
    table(
        document,
        ("提案号", "案由", "承办单位", "办理进展"),
        "key_proposals",
        ("{{ k.number_label }}", "{{ k.title }}", "{{ k.units }}", "{{ k.progress }}"),
        widths=(24, 62, 40, 30),
    )
    paragraph(document, "{%p else %}", "公文正文")
    paragraph(document, "本期没有确定重点提案。", "公文正文")
    paragraph(document, "{%p endif %}", "公文正文")
    paragraph(document, "（六）优秀提案和先进承办单位", "二级标题")
    paragraph(document, "{%p if excellent %}", "公文正文")
    table(
        document,
        ("提案号", "案由", "第一提案人"),
        "excellent",
        ("{{ e.number_label }}", "{{ e.title }}", "{{ e.proposer }}"),
        widths=(24, 100, 32),
    )
    paragraph(document, "{%p else %}", "公文正文")
    paragraph(document, "优秀提案：尚无评定。", "公文正文")
    paragraph(document, "{%p endif %}", "公文正文")
    paragraph(document, "先进承办单位：{{ excellent_units }}。", "公文正文")
    for heading in ("二、主要做法", "三、存在问题", "四、下一步工作"):
        paragraph(document, heading, "一级标题")
        paragraph(document, "", "公文正文")
    return document


register("annual", N_("提案工作情况"), FIELDS, build_default)


def _n(value):
    return value or 0


def period_label(figures):
    period = figures.get("period") or {}
    if period.get("kind") == "session" and period.get("session"):
        session = db.session.get(CommitteeSession, period["session"])
        if session is not None:
            return session_label(session.term, session.meeting)
    return _("%(year)s年", year=figures.get("year") or period.get("year") or "")


def headline(figures, label):
    """The figures' headline in official text; a session's names the session."""
    text = figures.get("headline") or ""
    if (figures.get("period") or {}).get("kind") == "session" and text.startswith(SESSION_OPENING):
        text = _("%(session)s以来", session=label) + text[len(SESSION_OPENING) :]
    return official(text)


def summary(figures):
    disposition = join(
        _(
            "%(label)s%(count)d件",
            label=_(label),
            count=_n((figures.get("not_filed_by_disposition") or {}).get(code)),
        )
        for code, label in DISPOSITION_LABELS.items()
    )
    intake = _(
        "共收到提案%(received)d件，经审查，立案%(filed)d件，并案%(merged)d件，"
        "不予立案%(not_filed)d件（其中%(disposition)s），立案率%(rate)s。",
        received=_n(figures.get("received")),
        filed=_n(figures.get("filed")),
        merged=_n(figures.get("merged")),
        not_filed=_n(figures.get("not_filed")),
        disposition=disposition,
        rate=percent(figures.get("filing_rate")),
    )
    handling = _(
        "提案交%(units)d个承办单位办理，共%(items)d件次，已答复%(replied)d件次；"
        "已全部办复的提案%(proposals)d件，办复率%(reply_rate)s；按时答复率%(on_time)s。",
        units=_n(figures.get("units_involved")),
        items=_n(figures.get("assignment_items")),
        replied=_n(figures.get("replied_items")),
        proposals=_n(figures.get("replied_proposals")),
        reply_rate=percent(figures.get("reply_rate")),
        on_time=percent(figures.get("on_time_rate")),
    )
    satisfaction = figures.get("satisfaction") or {}
    unit = _("人次") if rating_basis(figures) == "all" else _("件次")
    rated = _(
        "满意率%(basis)s：满意%(satisfied)d%(unit)s，基本满意%(basic)d%(unit)s，"
        "不满意%(unsatisfied)d%(unit)s，已测评%(rated)d%(unit)s，未测评%(unrated)d件次；"
        "满意率（满意与基本满意）%(rate)s。",
        basis=rating_basis_words(figures),
        unit=unit,
        satisfied=_n(satisfaction.get("satisfied")),
        basic=_n(satisfaction.get("basically_satisfied")),
        unsatisfied=_n(satisfaction.get("unsatisfied")),
        rated=_n(satisfaction.get("rated")),
        unrated=_n(satisfaction.get("unrated")),
        rate=percent(satisfaction.get("rate")),
    )
    return [official(s) for s in (intake, handling, rated)]


def categories(figures):
    rows = figures.get("by_category") or []
    parts = shares([_n(c.get("received")) for c in rows])
    return [
        {
            "name": c.get("name") or "",
            "received": _n(c.get("received")),
            "filed": _n(c.get("filed")),
            "share": share,
        }
        for c, share in zip(rows, parts)
    ]


def kinds(figures):
    by_kind = figures.get("by_kind") or {}
    counts = [_n(by_kind.get(kind)) for kind in KIND_LABELS]
    return [
        {"label": _(label), "count": count, "share": share}
        for label, count, share in zip(KIND_LABELS.values(), counts, shares(counts))
    ]


def results(figures):
    labels = committee_settings.result_labels()
    codes = result_codes(figures)
    counts = [_n((figures.get("results") or {}).get(code)) for code in codes]
    rows = []
    for code, count, share in zip(codes, counts, shares(counts)):
        if labels.get(code):
            label = _("%(code)s类（%(label)s）", code=code, label=labels[code])
        else:
            label = _("%(code)s类", code=code)
        rows.append({"label": label, "count": count, "share": share})
    return rows


def units(figures):
    return [
        {
            "name": u.get("name") or u.get("code") or "",
            "assigned": _n(u.get("assigned")),
            "replied": _n(u.get("replied")),
            "on_time": _n(u.get("on_time")),
            "overdue": _n(u.get("overdue")),
            "satisfaction": percent(u.get("satisfaction_rate")),
        }
        for u in all_units(figures)
    ]


def progress(key):
    """A key proposal's progress in a few words."""
    if key.get("replied"):
        words = _("已办复")
    elif key.get("overdue"):
        words = _("办理中，有逾期未答复")
    else:
        words = status_label(key.get("state"))
    return words


def key_proposals(figures):
    return [
        {
            "number_label": k.get("number_label") or "",
            "title": k.get("title") or "",
            "units": official(key_units(k.get("units"))),
            "progress": progress(k),
        }
        for k in figures.get("key_proposals") or []
    ]


def excellent(figures):
    found = figures.get("recognitions") or {}
    return [
        {
            "number_label": p.get("number_label") or "",
            "title": p.get("title") or "",
            "proposer": p.get("proposer") or "",
        }
        for p in found.get("proposals") or []
    ]


def context(figures):
    """The fields of the section for ``figures`` (stats.annual_figures)."""
    label = period_label(figures)
    found = figures.get("recognitions") or {}
    unit_names = [d.get("name") or "" for d in found.get("departments") or []]
    return {
        "title": _("提案工作情况"),
        "period_label": label,
        "as_of": _("统计截至%(date)s。", date=chinese_date(figures["as_of"]))
        if figures.get("as_of")
        else "",
        "headline": headline(figures, label),
        "summary": summary(figures),
        "categories": categories(figures),
        "kinds": kinds(figures),
        "results": results(figures),
        "units": units(figures),
        "key_proposals": key_proposals(figures),
        "excellent": excellent(figures),
        "excellent_units": join(unit_names) if unit_names else _("尚无评定"),
    }


def write(figures, output):
    """The section as a .docx written to ``output`` (a path or a binary file)."""
    return render("annual", official_values(context(figures)), output)
