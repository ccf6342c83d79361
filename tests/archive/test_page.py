"""The secretariat's page 历年提案导入: the same checks and import as the command, the bad rows
listed with their line numbers, nothing imported while any is bad."""

import io

from sqlalchemy import select

from proposals.extensions import db
from proposals.workflow.models import HistoryEntry, Proposal

from .helpers import GOOD, counts, csv_bytes, past_session, with_cell, xlsx_bytes


def upload(client, content, name="archive.csv", **fields):
    data = {"file": (io.BytesIO(content), name), **fields}
    return client.post("/archive/import", data=data, content_type="multipart/form-data")


def test_the_page_imports_a_good_sheet_and_says_what_it_did(world, web):
    past = past_session()
    client = web(world.secretariat)
    page = client.get("/archive/import")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "历年提案导入" in text and "主办单位" in text and "lead_unit" in text
    answer = upload(client, xlsx_bytes(GOOD), "archive.xlsx")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "已导入 4 件提案" in shown and "archive-0001 新委员甲" in shown
    numbers = db.session.scalars(
        select(Proposal.number).where(Proposal.session_id == past.id).order_by(Proposal.number)
    ).all()
    assert numbers == [1, 2, 3, 5]
    proposal = db.session.scalar(select(Proposal).where(Proposal.number == 1))
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    timeline = page[page.index('data-testid="timeline"') :]
    # the history entry in words, not its action name
    assert "<div>历年提案导入</div>" in timeline and "<div>import</div>" not in timeline
    assert "archive.xlsx 第 2 行" in timeline
    assert db.session.scalar(select(HistoryEntry.actor_id)) == world.secretariat.id


def test_the_page_lists_every_bad_line_and_imports_nothing(world, web):
    past_session()
    client = web(world.secretariat)
    rows = [GOOD[0], with_cell(GOOD[1], "类别", "农业"), with_cell(GOOD[2], "答复结果", "Z")]
    before = counts()
    answer = upload(client, csv_bytes(rows))
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert "文件中有 2 处错误，未导入任何记录" in text
    assert "第 3 行：未知的提案类别“农业”" in text and "第 4 行：答复结果“Z”" in text
    assert counts() == before


def test_checking_only_shows_the_result_and_writes_nothing(world, web):
    past_session()
    before = counts()
    answer = upload(web(world.secretariat), csv_bytes(GOOD), check_only="y")
    assert answer.status_code == 200
    assert "检查通过，可导入 4 件提案" in answer.get_data(as_text=True)
    assert counts() == before


def test_a_file_that_cannot_be_read_is_named_on_the_form(world, web):
    client = web(world.secretariat)
    for content, name, message in (
        (b"", "x.csv", "文件是空的"),
        (b"abc", "x.txt", "只支持 .csv 或 .xlsx 文件"),
    ):
        answer = upload(client, content, name)
        assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    answer = client.post("/archive/import", data={}, content_type="multipart/form-data")
    assert answer.status_code == 400 and "请选择要导入的文件" in answer.get_data(as_text=True)


def test_only_the_secretariat_has_the_page(world, web):
    past_session()
    before = counts()
    for user in (world.admin, world.member, world.clerk_a, world.head_a):
        client = web(user)
        assert client.get("/archive/import").status_code == 403
        assert upload(client, csv_bytes(GOOD)).status_code == 403
    assert web().get("/archive/import").status_code == 302  # to the login page
    assert counts() == before
    nav = web(world.secretariat).get("/").get_data(as_text=True)
    assert "/archive/import" in nav
    assert "/archive/import" not in web(world.admin).get("/").get_data(as_text=True)


def test_a_number_taken_meanwhile_answers_409_and_imports_nothing(world, web, monkeypatch):
    from proposals.archive.checks import Checker

    from .. import flows

    filed = flows.filed(world)
    checked = Checker.__init__

    def blind(self, *args, **kw):  # as if the number were filed right after the check
        checked(self, *args, **kw)
        self.taken = set()

    monkeypatch.setattr(Checker, "__init__", blind)
    row = with_cell(with_cell(GOOD[0], "会次", world.session.label), "提案号", str(filed.number))
    before = counts()
    answer = upload(web(world.secretariat), csv_bytes([row]))
    assert answer.status_code == 409
    assert counts() == before
