"""不予立案告知书: the committee tells the proposers that their proposal was not filed, why
(the reason of the review), and what became of it (the disposition: 转为意见建议, 委员来信,
社情民意信息, or not passed on), dated the day of the review decision."""

from sqlalchemy import select

from ...committee.calendar import local_date, utcnow
from ...committee.models import DISPOSITION_LABELS
from ...extensions import db
from ...i18n import N_, _
from ...workflow.models import ReviewDecision
from ..layout import official_document, paragraph
from ..templates import register
from ..text import chinese_date, official, proposers, salutation, session_label
from .common import COMMITTEE, closing, loop

FIELDS = {
    "title": N_("标题"),
    "salutation": N_("称谓：每位提案人"),
    "proposal_title": N_("案由"),
    "submitted_date": N_("提交日期"),
    "reason": N_("不予立案的理由"),
    "disposition_label": N_("处理方式，如“转为委员来信”"),
    "comment": N_("审查意见（可为空）"),
    "paragraphs": N_("告知正文，按段落的列表"),
    "sender": N_("发文机关"),
    "date": N_("成文日期（审查决定日期）"),
}


def build_default():
    document = official_document()
    paragraph(document, "", "公文无缩进")
    paragraph(document, "{{ title }}", "公文标题")
    paragraph(document, "{{ salutation }}", "公文无缩进")
    loop(document, "paragraphs", "{{ p }}")
    closing(document, "{{ sender }}")
    return document


register("not_filed_notice", N_("不予立案告知书"), FIELDS, build_default)


def decided_on(proposal):
    """The day of the final decision not to file (today when none is recorded: a proposal
    brought in from a spreadsheet)."""
    moment = db.session.scalar(
        select(ReviewDecision.created_at)
        .where(
            ReviewDecision.proposal_id == proposal.id,
            ReviewDecision.decision == "not_file",
            ReviewDecision.stage == "final",
        )
        .order_by(ReviewDecision.id.desc())
        .limit(1)
    )
    return local_date(moment or utcnow())


def body(proposal, reason, disposition, comment):
    session = proposal.session
    lines = [
        _(
            "你们于%(date)s提交的提案《%(title)s》收悉。根据%(session)s提案审查的有关规定，"
            "经审查，该提案不予立案，理由是：%(reason)s。",
            date=chinese_date(proposal.submitted_at) if proposal.submitted_at else "",
            title=proposal.title,
            session=session_label(session.term, session.meeting),
            reason=reason,
        )
    ]
    if comment:
        lines.append(_("审查意见：%(comment)s", comment=official(comment)))
    if proposal.not_filed_disposition in (None, "none"):
        lines.append(_("该提案不作转交。"))
    else:
        lines.append(_("该提案已%(disposition)s处理。", disposition=disposition))
    lines.append(_("感谢你们对政协提案工作的关心和支持，欢迎继续提出意见和建议。"))
    lines.append(_("特此告知。"))
    return lines


def context(proposal):
    """The fields of the notice of a not-filed ``proposal`` (loaded with its co-signers and its
    not_filed_reason: workflow.queries.proposal_detail_options)."""
    people = proposers(proposal)
    reason = proposal.not_filed_reason.name if proposal.not_filed_reason else ""
    disposition = _(DISPOSITION_LABELS.get(proposal.not_filed_disposition or "none", ""))
    comment = proposal.review_comment or ""
    lines = body(proposal, reason, disposition, comment)
    if len(people) == 1 and not people[0].org_type:
        lines = [line.replace("你们", "您") for line in lines]
    return {
        "title": _("提案不予立案告知书"),
        "salutation": salutation(people),
        "proposal_title": proposal.title,
        "submitted_date": chinese_date(proposal.submitted_at) if proposal.submitted_at else "",
        "reason": reason,
        "disposition_label": disposition,
        "comment": comment,
        "paragraphs": lines,
        "sender": _(COMMITTEE),
        "date": chinese_date(decided_on(proposal)),
    }
