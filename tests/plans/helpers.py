"""Sheets to upload and the state of the proposals they name, for the 交办方案 tests."""

import io
from datetime import timedelta

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from proposals.committee.calendar import local_date, utcnow
from proposals.extensions import db
from proposals.handling.models import Assignment
from proposals.plans.models import AssignmentPlan
from proposals.workflow.models import HistoryEntry, Proposal

HEADER = ["会次", "提案号", "案由", "建议承办单位", "主办单位", "会办单位", "分办单位", "答复期限"]


def today():
    return local_date(utcnow())


def later(days):
    return (today() + timedelta(days=days)).isoformat()


def xlsx(rows, header=HEADER):
    """An .xlsx file: the header on line 1, then ``rows`` (lists of cells; None is blank)."""
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(proposal=None, lead=None, co=None, split=None, due=None, number=None, session=None):
    """One line of the plan sheet for ``proposal`` (its session left blank: the current one)."""
    if number is None and proposal is not None:
        number = f"{proposal.number:04d}"
    return [session, number, proposal.title if proposal else None, None, lead, co, split, due]


def upload(client, content, name="方案.xlsx"):
    """POST /assignment-plans as multipart (``client`` an ApiClient)."""
    return client.call("POST", "/assignment-plans", data={"file": (io.BytesIO(content), name)})


def states(*proposals):
    db.session.expire_all()
    return [db.session.get(Proposal, p.id).state for p in proposals]


def plans_count():
    return db.session.scalar(select(func.count()).select_from(AssignmentPlan))


def assignments_of(proposal):
    return db.session.scalars(
        select(Assignment).where(Assignment.proposal_id == proposal.id).order_by(Assignment.id)
    ).all()


def history_of(proposal):
    return db.session.scalars(
        select(HistoryEntry)
        .where(HistoryEntry.proposal_id == proposal.id)
        .order_by(HistoryEntry.id)
    ).all()


def read_xlsx(content):
    """{sheet title: [rows as tuples]} of an .xlsx file."""
    book = load_workbook(io.BytesIO(content))
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}
