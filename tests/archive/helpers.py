"""A past session, sheets of earlier years' proposals, and what the database holds."""

import csv
import io
from datetime import date

from openpyxl import Workbook
from sqlalchemy import func, select

from proposals.accounts.models import User
from proposals.committee.models import Counter
from proposals.committee.service import create_session
from proposals.extensions import db
from proposals.handling.models import Assignment, Rating, Reply
from proposals.notifications.models import Notification
from proposals.search.models import SearchDocument
from proposals.workflow.models import Cosigner, HistoryEntry, Proposal

YEAR = 2023
SESSION_LABEL = "第九届第二次会议"
HEADER = [
    "会次",
    "年度",
    "提案号",
    "案由",
    "提案人",
    "类别",
    "主办单位",
    "会办单位",
    "答复结果",
    "答复内容",
    "满意度",
    "提交日期",
    "答复日期",
    "集体提案",
]
URBAN = "关于推进老旧街区城市更新和历史风貌保护的建议"
# four rows of 2023: an individual proposal with a co-unit, a joint one (one proposer without an
# account), a collective one, and one rated unsatisfied; units by code and by name
GOOD = [
    [SESSION_LABEL, "", "1", URBAN, "张委员", "社会建设", "ZJJ", "CZJ", "A",
     "答复：已将老旧街区城市更新纳入年度计划，历史风貌保护条例已经出台。", "满意",
     "2023-01-12", "2023-04-20", ""],
    ["", "2023", "2", "关于完善农村饮用水水质监测的建议", "李委员、新委员甲", "经济建设",
     "市财政局", "", "B", "答复：农村饮用水水质监测站点正在建设，年底完成。", "基本满意",
     "", "", ""],
    [SESSION_LABEL, "2023", "0003", "关于发展民营经济的建议", "民盟市委", "ecology", "JYJ",
     "", "C", "答复：因财力所限，留作参考。", "未测评", "2023-02-01", "2023-05-06", "是"],
    [SESSION_LABEL, "", "第5号", "关于规范校外培训收费的建议", "王委员", "文化建设", "JYJ",
     "ZJJ、CZJ", "A", "答复：已开展专项整治。", "不满意", "2023-03-20", "2023-06-30", ""],
]  # fmt: skip


def past_session(year=YEAR, term=9, meeting=2):
    session = create_session(term, meeting, year, date(year, 1, 10), date(year, 1, 14), False)
    db.session.commit()
    return session


def csv_bytes(rows, header=HEADER, encoding="utf-8"):
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER):
    book = Workbook()
    for row in [header, *rows]:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_sheet(tmp_path, rows, header=HEADER, name="archive.csv"):
    path = tmp_path / name
    path.write_bytes(
        xlsx_bytes(rows, header) if name.endswith(".xlsx") else csv_bytes(rows, header)
    )
    return str(path)


def with_cell(row, column, value):
    """A copy of ``row`` with the cell under ``column`` (a HEADER name) changed."""
    row = list(row)
    row[HEADER.index(column)] = value
    return row


MODELS = (Proposal, Cosigner, Assignment, Reply, Rating, HistoryEntry, User, Notification)


def counts():
    """How many rows of each table an import writes (and the search index, the counters)."""
    out = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}
    out["search_documents"] = db.session.scalar(select(func.count()).select_from(SearchDocument))
    out["counters"] = sorted(
        tuple(row)
        for row in db.session.execute(select(Counter.session_id, Counter.kind, Counter.last_value))
    )
    return out


def imported(session):
    """The proposals of ``session`` by number."""
    rows = db.session.scalars(select(Proposal).where(Proposal.session_id == session.id))
    return {p.number: p for p in rows}
