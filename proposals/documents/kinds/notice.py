"""交办通知书: the committee's notice to one unit of its part in a proposal (主办, 会办 or
分办), with the deadlines of that part, sent by the proposals committee on the day of the
assignment. 文号 "政协提案委员会交〔<session year>〕<proposal number>号"."""

from ...committee.calendar import local_date
from ...handling.models import ROLE_LABELS
from ...i18n import N_, _, join
from ..layout import official_document, paragraph
from ..templates import register
from ..text import chinese_date, proposal_label, proposers, session_label
from .common import COMMITTEE, closing, form, head, loop

FIELDS = {
    "title": N_("标题"),
    "reference": N_("文号"),
    "salutation": N_("称谓：承办单位，如“市教育局：”"),
    "unit_name": N_("承办单位"),
    "role_label": N_("办理方式：主办、会办或分办"),
    "number_label": N_("提案号"),
    "proposal_title": N_("案由"),
    "proposers": N_("提案人"),
    "deadlines": N_("办理期限的列表，每项有 label（名称）和 date（日期）"),
    "paragraphs": N_("通知正文，按段落的列表"),
    "sender": N_("发文机关"),
    "date": N_("成文日期（交办日期）"),
}


def build_default():
    document = official_document()
    head(document)
    paragraph(document, "{{ title }}", "公文标题")
    paragraph(document, "{{ salutation }}", "公文无缩进")
    loop(document, "paragraphs", "{{ p }}")
    form(
        document,
        [
            ("提案号", "{{ number_label }}"),
            ("案由", "{{ proposal_title }}"),
            ("提案人", "{{ proposers }}"),
            ("办理方式", "{{ role_label }}"),
        ],
    )
    paragraph(document, "", "公文无缩进")
    paragraph(document, "办理期限：", "公文正文")
    loop(document, "deadlines", "{{ d.label }}：{{ d.date }}")
    closing(document, "{{ sender }}")
    return document


register("notice", N_("交办通知书"), FIELDS, build_default)


def deadlines(assignment):
    rows = [(_("签收期限"), assignment.accept_due)]
    if assignment.role == "co":
        rows.append((_("会办意见期限"), assignment.opinion_due))
    else:
        rows += [
            (_("办前沟通期限"), assignment.contact_due),
            (_("答复期限"), assignment.effective_due),
        ]
    return [{"label": label, "date": chinese_date(day)} for label, day in rows if day]


def body(assignment, label):
    proposal = assignment.proposal
    session = proposal.session
    first = _(
        "现将%(session)s%(number)s提案《%(title)s》交由你单位%(role)s，请按照提案办理工作的"
        "有关规定认真研究办理。",
        session=session_label(session.term, session.meeting),
        number=proposal_label(proposal),
        title=proposal.title,
        role=label,
    )
    if assignment.role == "co":
        second = _("请于会办意见期限前将会办意见送主办单位，并在系统中提交。")
    else:
        second = _(
            "请于办前沟通期限前与提案人沟通办理思路，于答复期限前书面答复提案人，"
            "并抄送政协提案委员会。"
        )
    return [first, second, _("特此通知。")]


def context(assignment):
    """The fields of the notice of ``assignment`` (loaded with its proposal and the proposal's
    co-signers: workflow.queries.assignment_detail_options)."""
    proposal = assignment.proposal
    unit = assignment.department
    label = _(ROLE_LABELS[assignment.role])
    return {
        "title": _("提案交办通知书"),
        "reference": _(
            "%(sender)s交〔%(year)d〕%(number)d号",
            sender=_(COMMITTEE),
            year=proposal.session.year,
            number=proposal.number or 0,
        ),
        "salutation": _("%(unit)s：", unit=unit.name),
        "unit_name": unit.name,
        "role_label": label,
        "number_label": proposal_label(proposal),
        "proposal_title": proposal.title,
        "proposers": join(p.name for p in proposers(proposal)),
        "deadlines": deadlines(assignment),
        "paragraphs": body(assignment, label),
        "sender": _(COMMITTEE),
        "date": chinese_date(local_date(assignment.assigned_at)),
    }
