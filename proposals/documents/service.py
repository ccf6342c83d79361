"""The single-record documents and the annual section as files: who may have each, built from
the records, sent as Word or PDF with a Chinese file name. The JSON API (api/documents.py) and
the pages (web/documents.py) call the same functions with their own user, so the checks are
the same for both; a refusal is a DomainError (404: the record is not visible; 403: visible,
but this person may not have the document; 409: not in the state the document needs; 503: no
PDF converter).

Documents are always in Chinese, whatever the language of the page (an official document is
Chinese): they are built under the Chinese locale."""

import io
from contextlib import nullcontext
from urllib.parse import quote

from flask import has_request_context, send_file
from flask_babel import force_locale

from ..errors import DomainError, InvalidState, NotFound, NotPermitted
from ..handling.models import Assignment, Reply
from ..i18n import _
from ..stats import annual_figures
from ..workflow.access import can_view, can_view_reply
from ..workflow.models import Proposal
from ..workflow.queries import (
    assignment_detail_options,
    load_one,
    proposal_detail_options,
    reply_detail_options,
)
from ..workflow.states import AssignmentState, CosignerState, ProposalState, Role
from ..workflow.states import ReplyState as R
from . import pdf
from .kinds import annual, letter, not_filed_notice, notice, opinion_form
from .templates import DOCX_MIMETYPE, render
from .text import official_values

PDF_MIMETYPE = "application/pdf"
FORMATS = ("docx", "pdf")
DELIVERED = (R.DELIVERED, R.RATED, R.UNRATED)
# a joint assignment not confirmed by the office has not been sent to the unit
NOT_SENT = (AssignmentState.PROPOSED, AssignmentState.NOT_CONFIRMED)


class PdfNotAvailable(DomainError):
    """The server cannot make PDFs (no LibreOffice) or the conversion failed."""

    status = 503
    code = "unavailable"


def route_both(bp, rule, endpoint, wrap):
    """A decorator registering a view on ``bp`` for ``rule``.docx and ``rule``.pdf (two rules:
    each is its own path), wrapped by ``wrap`` (the API's authenticated, the pages'
    login_required); the view receives ``fmt``."""

    def register(view):
        for fmt in FORMATS:
            bp.add_url_rule(
                f"{rule}.{fmt}",
                endpoint=f"{endpoint}_{fmt}",
                view_func=wrap(view),
                defaults={"fmt": fmt},
                methods=["GET"],
            )
        return view

    return register


def chinese():
    return force_locale("zh") if has_request_context() else nullcontext()


# ---------------------------------------------------------------- who may have which document


def _reply(user, reply_id):
    reply = load_one(Reply, reply_id, reply_detail_options())
    if (
        reply is None
        or not can_view(user, reply.assignment.proposal)
        or not can_view_reply(user, reply)
    ):
        raise NotFound(_("答复不存在"))
    return reply


def _delivered(reply):
    if reply.state not in DELIVERED:
        raise InvalidState(_("答复尚未送达提案人，还没有答复函和征询意见表"))
    return reply


def is_proposer(user, proposal):
    """The first proposer or a co-signer who accepted."""
    return user.id == proposal.proposer_id or any(
        c.user_id == user.id and c.state == CosignerState.ACCEPTED for c in proposal.cosigners
    )


def letter_reply(user, reply_id):
    """The reply whose letter ``user`` may have: whoever may see it, once delivered."""
    return _delivered(_reply(user, reply_id))


def opinion_form_entitled(user, proposal):
    """The secretariat and the proposers (those of proposals merged into it too, who rate the
    same reply)."""
    return (
        user.role == Role.SECRETARIAT
        or is_proposer(user, proposal)
        or any(m.proposer_id == user.id for m in proposal.merged)
    )


def opinion_form_reply(user, reply_id):
    """The reply whose opinion form ``user`` may have, once delivered."""
    reply = _reply(user, reply_id)
    if not opinion_form_entitled(user, reply.assignment.proposal):
        raise NotPermitted(_("征询意见表只发给提案人，由提案委员会办公室打印"))
    return _delivered(reply)


def notice_entitled(user, assignment):
    """The secretariat, the unit, the office supervising the unit."""
    return (
        user.role == Role.SECRETARIAT
        or assignment.belongs_to(user)
        or assignment.department_id in user.office_department_ids
    )


def notice_assignment(user, assignment_id):
    """The assignment whose notice ``user`` may have, once sent to the unit."""
    assignment = load_one(Assignment, assignment_id, assignment_detail_options())
    if assignment is None or not can_view(user, assignment.proposal):
        raise NotFound(_("交办记录不存在"))
    if not notice_entitled(user, assignment):
        raise NotPermitted(_("交办通知书只发给承办单位"))
    if assignment.state in NOT_SENT:
        raise InvalidState(_("交办尚待督查室确认，还没有交办通知书"))
    return assignment


def not_filed_notice_entitled(user, proposal):
    return user.role == Role.SECRETARIAT or is_proposer(user, proposal)


def not_filed_proposal(user, proposal_id):
    """The not-filed proposal whose notice ``user`` may have: the secretariat, the proposers."""
    proposal = load_one(Proposal, proposal_id, proposal_detail_options())
    if proposal is None or not can_view(user, proposal):
        raise NotFound(_("提案不存在"))
    if not not_filed_notice_entitled(user, proposal):
        raise NotPermitted(_("不予立案告知书只发给提案人"))
    if proposal.state != ProposalState.NOT_FILED:
        raise InvalidState(_("该提案不是不予立案的提案"))
    return proposal


def offered(user):
    """Which documents the page offers ``user`` on records it shows (and may see): the same
    rules as the files, for the buttons."""
    return {
        "letter": lambda reply: reply.state in DELIVERED,
        "opinion_form": lambda reply, proposal: (
            reply.state in DELIVERED and opinion_form_entitled(user, proposal)
        ),
        "notice": lambda a: a.state not in NOT_SENT and notice_entitled(user, a),
        "not_filed_notice": lambda p: (
            p.state == ProposalState.NOT_FILED and not_filed_notice_entitled(user, p)
        ),
    }


def require_secretariat(user):
    if user.role != Role.SECRETARIAT:
        raise NotPermitted(_("仅提案委员会办公室可以导出提案工作情况"))


# ---------------------------------------------------------------- building and sending


def docx_bytes(kind, context):
    out = io.BytesIO()
    render(kind, official_values(context), out)
    return out.getvalue()


def as_pdf(data):
    try:
        return pdf.to_pdf(data)
    except pdf.PdfUnavailable as exc:
        raise PdfNotAvailable(
            _("服务器未安装 PDF 转换程序（LibreOffice），暂时无法生成 PDF，请下载 Word 文件")
        ) from exc
    except pdf.PdfFailed as exc:
        raise PdfNotAvailable(_("PDF 转换失败，请稍后重试或下载 Word 文件")) from exc


def send(data, fmt, name, ascii_name):
    """The file as an attachment named ``name`` (Chinese, RFC 5987) with an ASCII fallback."""
    if fmt == "pdf":
        data = as_pdf(data)
    response = send_file(
        io.BytesIO(data), mimetype=PDF_MIMETYPE if fmt == "pdf" else DOCX_MIMETYPE, max_age=0
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{ascii_name}.{fmt}"; '
        f"filename*=UTF-8''{quote(f'{name}.{fmt}', safe='')}"
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _number(proposal):
    return f"{proposal.number:04d}" if proposal.number else f"R{proposal.id}"


def letter_file(user, reply_id, fmt):
    reply = letter_reply(user, reply_id)
    with chinese():
        data = docx_bytes("letter", letter.context(reply))
        proposal, unit = reply.assignment.proposal, reply.assignment.department
        name = _("答复函-第%(number)s号-%(unit)s", number=_number(proposal), unit=unit.name)
    return send(data, fmt, name, f"reply-letter-{reply.id}")


def opinion_form_file(user, reply_id, fmt):
    reply = opinion_form_reply(user, reply_id)
    with chinese():
        data = docx_bytes("opinion_form", opinion_form.context(reply))
        proposal, unit = reply.assignment.proposal, reply.assignment.department
        name = _("征询意见表-第%(number)s号-%(unit)s", number=_number(proposal), unit=unit.name)
    return send(data, fmt, name, f"opinion-form-{reply.id}")


def notice_file(user, assignment_id, fmt):
    assignment = notice_assignment(user, assignment_id)
    with chinese():
        data = docx_bytes("notice", notice.context(assignment))
        name = _(
            "交办通知书-第%(number)s号-%(unit)s",
            number=_number(assignment.proposal),
            unit=assignment.department.name,
        )
    return send(data, fmt, name, f"assignment-notice-{assignment.id}")


def not_filed_notice_file(user, proposal_id, fmt):
    proposal = not_filed_proposal(user, proposal_id)
    with chinese():
        data = docx_bytes("not_filed_notice", not_filed_notice.context(proposal))
        name = _("不予立案告知书-%(title)s", title=proposal.title[:40])
    return send(data, fmt, name, f"not-filed-notice-{proposal.id}")


def annual_docx(figures):
    """The annual section of ``figures`` as .docx bytes, in Chinese."""
    with chinese():
        out = io.BytesIO()
        annual.write(figures, out)
        return out.getvalue()


def annual_file(user, period, fmt):
    """The annual section for the period (stats.read_period_args), for the secretariat."""
    require_secretariat(user)
    with chinese():
        figures = annual_figures(**period)
        data = annual_docx(figures)
        name = _("提案工作情况-%(period)s", period=annual.period_label(figures))
    stem = (figures.get("period") or {}).get("session") or figures.get("year") or ""
    return send(data, fmt, name, f"proposal-work-{stem}")
