"""征询意见表: the paper form on which a proposer who is not online rates a delivered reply; the
secretariat enters what comes back as a paper rating (handling/ratings.py). One form per reply:
the proposal, the unit, the reply's date and result code, a box for each of the app's ratings
(满意, 基本满意, 不满意), room for opinions, the signature and the date."""

from ...handling.models import RATINGS
from ...i18n import N_, _, join
from ..layout import official_document, paragraph
from ..templates import register
from ..text import chinese_date, proposal_label, proposers, session_label
from .common import COMMITTEE, form

FIELDS = {
    "title": N_("标题"),
    "session_label": N_("会次，如“政协第十届第三次会议”"),
    "number_label": N_("提案号"),
    "proposal_title": N_("案由"),
    "proposers": N_("提案人"),
    "unit_name": N_("承办单位"),
    "reply_date": N_("答复日期"),
    "result_label": N_("答复结果代码，如“A类”"),
    "rating_boxes": N_("测评选项（满意、基本满意、不满意），每项前有方框"),
    "rating_due": N_("测评截止日期"),
    "sender": N_("回寄机关"),
}


def build_default():
    document = official_document()
    paragraph(document, "{{ title }}", "公文标题")
    paragraph(document, "{{ session_label }}{{ number_label }}", "公文居中")
    form(
        document,
        [
            ("提案号", "{{ number_label }}"),
            ("案由", "{{ proposal_title }}"),
            ("提案人", "{{ proposers }}"),
            ("承办单位", "{{ unit_name }}"),
            ("答复日期", "{{ reply_date }}"),
            ("答复结果", "{{ result_label }}"),
            ("办理结果评价", "{{ rating_boxes }}"),
            ("意见和建议", "\n\n\n\n\n\n"),
            ("提案人签名", "\n\n签名：　　　　　　　　日期：　　年　　月　　日"),
        ],
    )
    paragraph(document, "", "公文无缩进")
    paragraph(
        document,
        "请在所选评价前的方框内打“√”，于{{ rating_due }}前寄回{{ sender }}。",
        "公文正文",
    )
    return document


register("opinion_form", N_("征询意见表"), FIELDS, build_default)


def context(reply):
    """The fields of the form of a delivered ``reply`` (loaded as for the letter)."""
    assignment = reply.assignment
    proposal = assignment.proposal
    session = proposal.session
    return {
        "title": _("提案办理情况征询意见表"),
        "session_label": session_label(session.term, session.meeting),
        "number_label": proposal_label(proposal),
        "proposal_title": proposal.title,
        "proposers": join(p.name for p in proposers(proposal)),
        "unit_name": assignment.department.name,
        "reply_date": chinese_date(reply.delivered_at),
        "result_label": _("%(code)s类", code=reply.result),
        "rating_boxes": "\u3000".join(
            _("□%(label)s", label=_(label)) for label in RATINGS.values()
        ),
        "rating_due": chinese_date(reply.rating_due) if reply.rating_due else _("测评截止日"),
        "sender": _(COMMITTEE),
    }
