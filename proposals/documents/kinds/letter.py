"""答复函: a unit's delivered reply as the letter it seals and files (GB/T 9704).

分类标识 (the reply's result code, "A类") at the top right; the 文号 "<unit>提复〔<session
year>〕<proposal number>号" — the unit's name stands for its 机关代字 (the app has no short
form of a unit's name; a committee with 代字 of its own puts them in its template), the year
of the session and the proposal's number make it unique per unit and session; the title; the
salutation to every proposer; the reply's text a paragraph per line; the unit and the delivery
date in Chinese; the 附注 with the contact; 签发人; the 版记 (抄送: the proposals committee and
the unit's supervising office when it has one)."""

from sqlalchemy import select

from ...accounts.models import User, office_units
from ...extensions import db
from ...i18n import N_, _, join
from ...workflow.states import Role
from ..layout import official_document, paragraph
from ..templates import register
from ..text import (
    chinese_date,
    official,
    paragraphs,
    proposal_label,
    proposers,
    salutation,
    session_label,
)
from .common import COMMITTEE, closing, head, loop

FIELDS = {
    "title": N_("标题：关于政协××届×次会议第×号提案的答复"),
    "result_label": N_("分类标识：答复结果代码，如“A类”"),
    "reference": N_("文号，如“市教育局提复〔2026〕12号”"),
    "number_label": N_("提案号，如“第0012号”"),
    "proposal_title": N_("案由"),
    "salutation": N_("称谓：每位提案人，如“张三委员并李四、王五委员：”"),
    "paragraphs": N_("答复正文，按段落的列表"),
    "signer": N_("签发人"),
    "contact": N_("联系人及电话"),
    "unit_name": N_("承办单位"),
    "date": N_("成文日期（送达日期），如“2026年12月6日”"),
    "copy_to": N_("抄送机关"),
}


def build_default():
    document = official_document()
    head(document, result=True)
    paragraph(document, "签发人：{{ signer }}", "公文右对齐")
    paragraph(document, "{{ title }}", "公文标题")
    paragraph(document, "{{ salutation }}", "公文无缩进")
    loop(document, "paragraphs", "{{ p }}")
    closing(document)
    paragraph(document, "（联系人及电话：{{ contact }}）", "公文正文")
    paragraph(document, "", "公文无缩进")
    paragraph(document, "抄送：{{ copy_to }}。", "版记")
    return document


register("letter", N_("答复函"), FIELDS, build_default)


def supervising_offices(department_id):
    """The names of the active supervising offices (督查室) that oversee the unit."""
    return list(
        db.session.scalars(
            select(User.name)
            .join(office_units, office_units.c.user_id == User.id)
            .where(
                office_units.c.department_id == department_id,
                User.role == Role.OFFICE,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def without_salutation(lines, people):
    """The reply's lines without an opening line that already greets the proposers (replies
    are often typed starting with one; the letter writes its own)."""
    first = lines[0] if lines else ""
    greets = first.endswith(("：", ":")) and len(first) <= 120
    if greets and all(person.name in first for person in people):
        return lines[1:]
    return lines


def reference(unit_name, year, number):
    return _("%(unit)s提复〔%(year)d〕%(number)d号", unit=unit_name, year=year, number=number)


def context(reply):
    """The fields of the letter of a delivered ``reply`` (loaded with its assignment and the
    proposal's co-signers: workflow.queries.reply_detail_options)."""
    assignment = reply.assignment
    proposal = assignment.proposal
    people = proposers(proposal)
    unit = assignment.department
    session = proposal.session
    copy_to = [_(COMMITTEE)] + supervising_offices(unit.id)
    return {
        "title": _(
            "关于%(session)s%(number)s提案的答复",
            session=session_label(session.term, session.meeting),
            number=proposal_label(proposal),
        ),
        "result_label": _("%(code)s类", code=reply.result),
        "reference": reference(unit.name, session.year, proposal.number or 0),
        "number_label": proposal_label(proposal),
        "proposal_title": proposal.title,
        "salutation": salutation(people),
        "paragraphs": [official(p) for p in without_salutation(paragraphs(reply.text), people)],
        "signer": reply.signer,
        "contact": reply.contact,
        "unit_name": unit.name,
        "date": chinese_date(reply.delivered_at),
        "copy_to": join(copy_to),
    }
