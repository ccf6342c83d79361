"""The documents of a whole year or session, written in constant memory: 提案汇编 (the
compilation: a cover and table of contents, then every filed proposal with its delivered
replies, each on a new page) and 交办清单 (the assignment list).

The compilation is never one document tree: the cover (kind ``compilation``) is rendered once,
then each proposal (kind ``compilation_entry``) on its own, a window of proposals at a time, and
the body of each rendering is written straight into the output's ``word/document.xml`` through
``zipfile``; every other part of the package (styles, settings, footers with the page numbers)
is the cover's, and the cover's final section properties close the body. Memory holds one
window of proposals and one rendered entry, whatever the number of proposals.
"""

import gc
import io
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..committee import settings as committee_settings
from ..committee.calendar import local_date, utcnow
from ..committee.models import Category, CommitteeSession
from ..extensions import db
from ..handling.models import ROLE_LABELS, Assignment
from ..i18n import _
from ..workflow.models import KIND_LABELS, Proposal, number_label
from ..workflow.states import AssignmentState, ProposalState, ReplyState
from . import kinds  # noqa: F401  (registers the kinds this module renders)
from .templates import environment, render, template_bytes
from .text import chinese_date, official, proposers
from .text import paragraphs as split_paragraphs

FILED = (ProposalState.FILED, ProposalState.ASSIGNED, ProposalState.CLOSED)
DELIVERED = (ReplyState.DELIVERED, ReplyState.RATED, ReplyState.UNRATED)
# an assignment handed on to another unit, or refused by the supervising office, is not listed
GONE = (AssignmentState.REASSIGNED, AssignmentState.NOT_CONFIRMED)
LIVE_ASSIGNMENT = tuple(s for s in AssignmentState if s not in GONE)
WINDOW = 50  # proposals read and rendered per round


def paragraphs(text):
    """The paragraphs of a multi-line text, each written as official text."""
    return [official(line) for line in split_paragraphs(text)]


# --- what a document covers --------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A year or a session: the proposals' filter and the words of the title."""

    year: int | None
    session_id: int | None
    period: str  # 第十届第三次会议, 2026年

    def where(self):
        if self.session_id is not None:
            return Proposal.session_id == self.session_id
        ids = select(CommitteeSession.id).where(CommitteeSession.year == self.year)
        return Proposal.session_id.in_(ids)

    def title(self, what):
        """政协第十届第三次会议提案汇编, 2026年提案汇编."""
        if self.session_id is not None:
            return f"政协{self.period}{what}"
        return f"{self.period}{what}"


def scope_of(params):
    """The Scope of validated params ({"year"} or {"session"}, jobs.py checks them)."""
    if params.get("session") is not None:
        session = db.session.get(CommitteeSession, params["session"])
        return Scope(None, session.id, session.label)
    year = params.get("year") or local_date(utcnow()).year
    return Scope(year, None, f"{year}年")


def session_order():
    return (CommitteeSession.year, CommitteeSession.term, CommitteeSession.meeting)


def filed_ids(scope):
    """The ids of the filed proposals in number order (ints: a few bytes each)."""
    return list(
        db.session.scalars(
            select(Proposal.id)
            .join(CommitteeSession, CommitteeSession.id == Proposal.session_id)
            .where(scope.where(), Proposal.state.in_(FILED))
            .order_by(*session_order(), Proposal.number, Proposal.id)
        )
    )


def windows(ids, size=WINDOW):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# --- the compilation ---------------------------------------------------------------------------


def toc_entries(ids):
    """The table of contents' lines of the proposals ``ids`` (in that order), read as columns."""
    rows = db.session.execute(
        select(Proposal.id, Proposal.number, Proposal.title, User.name, Category.name)
        .join(User, User.id == Proposal.proposer_id)
        .join(Category, Category.id == Proposal.category_id)
        .where(Proposal.id.in_(ids))
    ).all()
    by_id = {
        row[0]: {
            "number": number_label(row[1]) or "",
            "title": official(row[2]),
            "proposer": row[3],
            "category": row[4],
        }
        for row in rows
    }
    return [by_id[i] for i in ids if i in by_id]


def load_window(ids):
    """The proposals of ``ids`` with what an entry shows, in a few statements."""
    found = db.session.scalars(
        select(Proposal)
        .where(Proposal.id.in_(ids))
        .options(
            selectinload(Proposal.cosigners),
            selectinload(Proposal.assignments).selectinload(Assignment.replies),
        )
    ).all()
    by_id = {p.id: p for p in found}
    return [by_id[i] for i in ids if i in by_id]


def entry_context(proposal, result_labels):
    names = [person.name for person in proposers(proposal)]
    replies = []
    for assignment in proposal.assignments:
        for reply in assignment.replies:
            if reply.state not in DELIVERED:
                continue
            result = reply.result
            if result_labels.get(result):
                result = f"{result}类（{result_labels[result]}）"
            replies.append(
                {
                    "unit": assignment.department.name,
                    "role": _(ROLE_LABELS.get(assignment.role, assignment.role)),
                    "result": result,
                    "date": chinese_date(local_date(reply.delivered_at))
                    if reply.delivered_at
                    else "",
                    "paragraphs": paragraphs(reply.text),
                    "_order": (reply.delivered_at or reply.created_at, reply.id),
                }
            )
    replies.sort(key=lambda r: r.pop("_order"))
    return {
        "number": number_label(proposal.number) or "",
        "title": official(proposal.title),
        "proposers": "、".join(names),
        "category": proposal.category.name,
        "kind": _(KIND_LABELS.get(proposal.kind, proposal.kind)),
        "analysis": paragraphs(proposal.analysis),
        "suggestions": paragraphs(proposal.suggestions),
        "replies": replies,
    }


def body_children(docx):
    """The top-level elements of a rendered document's body, its section properties left out."""
    body = docx.element.body
    return [child for child in body if child.tag != qn("w:sectPr")]


def first_paragraph_on_new_page(children):
    """Each proposal starts a page: its first paragraph gets "page break before" (an empty
    paragraph with a break would leave a blank line at the top of the page)."""
    first = next((child for child in children if child.tag == qn("w:p")), None)
    if first is None:
        return
    ppr = first.find(qn("w:pPr"))
    if ppr is None:
        ppr = etree.Element(qn("w:pPr"))
        first.insert(0, ppr)
    if ppr.find(qn("w:pageBreakBefore")) is not None:
        return
    # pPr's children come in the schema's order: pStyle, keepNext, keepLines, pageBreakBefore
    before = [qn("w:pStyle"), qn("w:keepNext"), qn("w:keepLines")]
    position = sum(1 for child in ppr if child.tag in before)
    ppr.insert(position, etree.Element(qn("w:pageBreakBefore")))


def split_document_xml(data):
    """The cover's ``word/document.xml`` as (head, section properties, tail): the entries go
    between the head (everything up to the last body element) and the section properties."""
    root = etree.fromstring(data)  # nosec B320  # our own rendering of the template
    body = root.find(qn("w:body"))
    sect = body.find(qn("w:sectPr"))
    sect_xml = b""
    if sect is not None:
        body.remove(sect)
        sect_xml = etree.tostring(sect)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    end = xml.rindex(b"</w:body>")
    if xml[:end].endswith(b"<w:body/>"):  # an empty cover: lxml closed the body itself
        return xml[: end - len(b"<w:body/>")] + b"<w:body>", sect_xml, xml[end:]
    return xml[:end], sect_xml, xml[end:]


def compiled_once(env):
    """``env`` (templates.environment()) compiling each template source once: docxtpl compiles
    the body, headers and footers at every rendering, and every entry of a compilation has the
    same sources, so the entries after the first skip Jinja's compiler (two thirds of the
    time of an entry)."""
    compiled = {}
    compile_source = env.from_string

    def from_string(source, globals=None, template_class=None):
        if globals is not None or template_class is not None:
            return compile_source(source, globals, template_class)
        if source not in compiled:
            if len(compiled) >= 16:  # a template has a body, a few headers and footers
                compiled.clear()
            compiled[source] = compile_source(source)
        return compiled[source]

    env.from_string = from_string
    return env


class Renderer:
    """Renders one template again and again (with docxtpl) and writes the top-level elements
    of each rendering's body to ``out``: the pieces of the compilation after the cover."""

    def __init__(self, kind, env, out):
        self.data, self.env, self.out = template_bytes(kind), env, out

    def write(self, context, new_page=False):
        template = DocxTemplate(io.BytesIO(self.data))
        template.render(context, self.env, autoescape=True)
        # the rendered document (get_docx() would load the template again)
        children = body_children(template.docx)
        if new_page:
            first_paragraph_on_new_page(children)
        for child in children:
            self.out.write(etree.tostring(child, encoding="UTF-8"))


def write_compilation(params, output_path, progress: Callable[[float], None] = lambda f: None):
    """Write the compilation of ``params``' period to ``output_path`` (.docx); ``progress``
    is told the share of proposals done."""
    scope = scope_of(params)
    ids = filed_ids(scope)
    cover = io.BytesIO()
    render(
        "compilation",
        {
            "title": scope.title("提案汇编"),
            "period": scope.period,
            "date": chinese_date(local_date(utcnow())),
            "count": len(ids),
        },
        cover,
    )
    env = compiled_once(environment())
    env.autoescape = True  # what render(autoescape=True) sets, before the first compilation
    labels = committee_settings.result_labels()
    done = 0
    with (
        zipfile.ZipFile(cover) as source,
        zipfile.ZipFile(output_path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != "word/document.xml":
                with source.open(info) as src, target.open(info.filename, "w") as dst:
                    shutil.copyfileobj(src, dst)
                continue
            head, sect, tail = split_document_xml(source.read(info))
            with target.open("word/document.xml", "w", force_zip64=True) as out:
                out.write(head)
                toc = Renderer("compilation_toc", env, out)
                for window in windows(ids, 200):
                    toc.write({"entries": toc_entries(window)})
                entry = Renderer("compilation_entry", env, out)
                for window in windows(ids):
                    for proposal in load_window(window):
                        entry.write(entry_context(proposal, labels), new_page=True)
                        done += 1
                    # a rendered document is a web of reference cycles (python-docx's parts
                    # and package), freed only by the cycle collector: collected each window,
                    # not left to pile up until Python's oldest generation is collected
                    gc.collect()
                    progress(done / len(ids))
                out.write(sect)
                out.write(tail)
    progress(1.0)
    return output_path


# --- the assignment list ------------------------------------------------------------------------


def assignment_rows(scope):
    """One row per proposal with live assignments, in number order."""
    rows = []
    ids = filed_ids(scope)
    for window in windows(ids, 200):
        assignments = db.session.scalars(
            select(Assignment)
            .where(Assignment.proposal_id.in_(window), Assignment.state.in_(LIVE_ASSIGNMENT))
            .order_by(Assignment.id)
        ).all()
        by_proposal = {}
        for a in assignments:
            by_proposal.setdefault(a.proposal_id, []).append(a)
        proposals = db.session.scalars(
            select(Proposal)
            .where(Proposal.id.in_(list(by_proposal)))
            .options(selectinload(Proposal.cosigners))
        ).all()
        by_id = {p.id: p for p in proposals}
        for proposal_id in window:
            units = by_proposal.get(proposal_id)
            if not units:
                continue
            p = by_id[proposal_id]
            leads = [a for a in units if a.role != "co"]
            co = [a for a in units if a.role == "co"]
            due = max((a.extended_to or a.reply_due) for a in (leads or units))
            names = [person.name for person in proposers(p)]
            rows.append(
                {
                    "index": len(rows) + 1,
                    "number": number_label(p.number) or "",
                    "title": official(p.title),
                    "proposers": "、".join(names),
                    "lead": "、".join(a.department.name for a in leads),
                    "co": "、".join(a.department.name for a in co),
                    "due": chinese_date(due),
                }
            )
    return rows


def write_assignment_list(params, output_path, progress=lambda f: None):
    scope = scope_of(params)
    rows = assignment_rows(scope)
    progress(0.5)
    render(
        "assignment_list",
        {
            "title": scope.title("提案交办清单"),
            "period": scope.period,
            "date": chinese_date(local_date(utcnow())),
            "count": len(rows),
            "rows": rows,
        },
        output_path,
    )
    progress(1.0)
    return output_path


# kind → (writer, file stem); the writers take (params, output path, progress)
WRITERS = {
    "compilation": (write_compilation, "提案汇编"),
    "assignment_list": (write_assignment_list, "提案交办清单"),
}
