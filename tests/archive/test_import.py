"""Importing earlier years' proposals (docs/domain.md, "Proposals of earlier years"):
`proposals import FILE --as USER` writes each row as a closed proposal that the statistics,
the similar-proposal search and the portal see like any other, after checking every row; a bad
row refuses the whole file."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from proposals.accounts.models import User
from proposals.committee import settings as committee_settings
from proposals.extensions import db
from proposals.handling.models import Rating
from proposals.reminders.sweep import run_sweep
from proposals.search.similar import find_similar
from proposals.workflow.core import loaded
from proposals.workflow.models import HistoryEntry

from .. import flows
from .helpers import (
    GOOD,
    SESSION_LABEL,
    URBAN,
    YEAR,
    counts,
    imported,
    past_session,
    write_sheet,
)


def run(runner, path, *more, by="sec"):
    return runner.invoke(args=["proposals", "import", path, "--as", by, *more])


def ok(result):
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def refused(result, *phrases):
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    for phrase in phrases:
        assert phrase in result.output, f"{phrase!r} not in {result.output!r}"
    return result.output


@pytest.fixture()
def past(world):
    return past_session()


def figures(runner, *period):
    return json.loads(ok(runner.invoke(args=["stats", "annual", *period, "--format", "json"])))


def test_a_good_sheet_becomes_closed_proposals_with_their_units_reply_and_rating(
    runner, world, past, tmp_path
):
    out = ok(run(runner, write_sheet(tmp_path, GOOD)))
    assert "已导入 4 件提案" in out
    assert f"{SESSION_LABEL}：4 件，提案号 1–5" in out
    assert "archive-0001 新委员甲" in out
    by_number = imported(past)
    assert sorted(by_number) == [1, 2, 3, 5]
    first = by_number[1]
    loaded(first, "assignments", "history", "cosigners")
    assert (first.state, first.kind, first.title, first.proposer_id) == (
        "closed",
        "individual",
        URBAN,
        world.member.id,
    )
    assert first.imported_at is not None and first.category.code == "society"
    assert first.submitted_at == first.filed_at == datetime(2023, 1, 12, 4, tzinfo=UTC)
    assert first.is_plenary is True  # 12 January: inside the collection window
    units = [(a.department.code, a.role, a.state) for a in first.assignments]
    assert units == [("ZJJ", "lead", "closed"), ("CZJ", "co", "closed")]
    lead, co = first.assignments
    (reply,) = loaded(lead, "replies").replies
    assert (reply.state, reply.result, reply.round) == ("rated", "A", 1)
    assert reply.delivered_at == datetime(2023, 4, 20, 4, tzinfo=UTC)
    assert reply.drafted_by_id == world.secretariat.id
    (rating,) = loaded(reply, "ratings").ratings
    assert (rating.rating, rating.rater_id, rating.is_primary) == (
        "satisfied",
        world.member.id,
        True,
    )
    assert loaded(co, "replies").replies == []  # a co-unit's part ends with the proposal
    assert [(h.action, h.to_state, h.actor_id) for h in first.history] == [
        ("import", "closed", world.secretariat.id)
    ]
    assert "archive.csv 第 2 行" in first.history[0].comment

    joint = loaded(by_number[2], "cosigners")
    new = db.session.scalar(select(User).where(User.username == "archive-0001"))
    assert (new.name, new.role, new.active, new.org_type) == ("新委员甲", "member", False, None)
    assert not new.check_password("!") and not new.check_password("")
    assert joint.kind == "joint" and joint.proposer_id == world.member2.id
    assert [(c.user_id, c.state) for c in joint.cosigners] == [(new.id, "accepted")]
    assert joint.submitted_at == datetime(2023, 1, 10, 4, tzinfo=UTC)  # the plenary's first day
    assert joint.is_plenary is None  # neither a date nor the flag says which
    (b_reply,) = loaded(loaded(joint, "assignments").assignments[0], "replies").replies
    assert b_reply.result == "B" and b_reply.promised_date is not None
    # no reply date: the reply deadline (three months after assignment)
    assert b_reply.delivered_at.date() == date(2023, 4, 10)

    collective = by_number[3]
    assert collective.kind == "collective" and collective.proposer_id == world.org.id
    (c_reply,) = loaded(loaded(collective, "assignments").assignments[0], "replies").replies
    assert c_reply.state == "unrated" and loaded(c_reply, "ratings").ratings == []
    assert counts()["notifications"] == 0  # an import tells nobody


def test_stats_annual_counts_the_imported_year(runner, world, past, tmp_path):
    ok(run(runner, write_sheet(tmp_path, GOOD)))
    for period in (["--year", str(YEAR)], ["--session", str(past.id)]):
        f = figures(runner, *period)
        assert (f["received"], f["filed"], f["filing_rate"]) == (4, 4, 1.0)
        assert f["by_kind"] == {"individual": 2, "joint": 1, "collective": 1}
        assert (f["assignment_items"], f["co_handling_items"], f["reply_items"]) == (7, 3, 4)
        assert (f["replied_items"], f["replied_proposals"], f["reply_rate"]) == (4, 4, 1.0)
        assert f["overdue_items"] == 0
        # on time by the sheet's dates: only the row without a reply date (the deadline itself)
        assert (f["replies_delivered"], f["replies_on_time"]) == (4, 1)
        assert f["results"] == {"A": 2, "B": 1, "C": 1}
        s = f["satisfaction"]
        assert (s["satisfied"], s["basically_satisfied"], s["unsatisfied"]) == (1, 1, 1)
        assert (s["rated"], s["unrated"], s["awaiting_rating"]) == (3, 1, 0)
        assert s["rate"] == round(2 / 3, 4)
        assert [m["received"] for m in f["monthly"]][:3] == [2, 1, 1]
        by_unit = {u["code"]: u for u in f["by_department"]}
        assert by_unit["JYJ"]["assigned"] == 2 and by_unit["JYJ"]["replied"] == 2
        assert by_unit["ZJJ"]["co_handled"] == 1 and by_unit["CZJ"]["co_handled"] == 2
    assert figures(runner, "--year", str(YEAR + 1))["received"] == 0


def test_the_similar_proposal_search_finds_an_imported_proposal(runner, world, past, tmp_path):
    ok(run(runner, write_sheet(tmp_path, GOOD)))
    urban = imported(past)[1]
    for viewer in (world.secretariat, world.member3):  # the member: public facts only
        found = find_similar(viewer, "关于老旧街区城市更新的建议", "推进历史风貌保护")
        assert found and found[0][0].id == urban.id, found


def test_imported_proposals_trigger_no_reminder_and_no_sweep(runner, world, past, tmp_path):
    ok(run(runner, write_sheet(tmp_path, GOOD)))
    before = counts()
    result = run_sweep(now=datetime(YEAR, 4, 25, 2, tzinfo=UTC))
    run_sweep()
    assert result["replies_unrated"] == 0 and result["notifications_created"] == 0
    assert counts() == before


def test_the_number_counter_moves_past_the_imported_numbers(runner, world, tmp_path):
    rows = [[world.session.label, "", "7", URBAN, "张委员", "社会建设", "ZJJ", "", "A",
             "答复正文。", "", "", "", ""]]  # fmt: skip
    ok(run(runner, write_sheet(tmp_path, rows, name="current.csv")))
    later = flows.filed(world)
    assert later.number == 8


def test_a_second_import_of_the_same_sheet_is_refused(runner, world, past, tmp_path):
    path = write_sheet(tmp_path, GOOD)
    ok(run(runner, path))
    before = counts()
    out = refused(run(runner, path), "导入失败，未导入任何记录：4 处错误")
    for line, number in ((2, 1), (3, 2), (4, 3), (5, 5)):
        assert f"第 {line} 行：{SESSION_LABEL}的提案号 {number} 已被使用" in out
    assert counts() == before


def test_a_number_filed_in_the_system_is_taken_too(runner, world, tmp_path):
    filed = flows.filed(world)
    rows = [[world.session.label, "", str(filed.number), URBAN, "张委员", "社会建设", "ZJJ",
             "", "A", "答复。", "", "", "", ""]]  # fmt: skip
    before = counts()
    refused(run(runner, write_sheet(tmp_path, rows)), f"第 2 行：{world.session.label}的提案号")
    assert counts() == before


def test_checking_only_writes_nothing(runner, world, past, tmp_path):
    before = counts()
    out = ok(run(runner, write_sheet(tmp_path, GOOD), "--check"))
    assert "检查通过，可导入 4 件提案" in out and "将新建 1 个" in out and "新委员甲" in out
    assert counts() == before


def test_only_the_secretariat_imports(runner, world, past, tmp_path):
    path = write_sheet(tmp_path, GOOD)
    before = counts()
    for who in ("admin", "m1", "clerk_a"):
        refused(run(runner, path, by=who), "只有提案委员会办公室可以导入历年提案")
    refused(run(runner, path, by="nobody"), "用户 nobody 不存在")
    world.secretariat.active = False
    db.session.commit()
    refused(run(runner, path), "只有提案委员会办公室可以导入历年提案")
    assert counts() == before


def test_a_name_shared_by_two_members_gets_a_new_account_and_one_name_one_account(
    runner, world, past, tmp_path, make
):
    make.user("member", username="z2", name="张委员")  # now two members are called 张委员
    db.session.commit()
    rows = [list(GOOD[0]), list(GOOD[3])]
    rows[1][4] = "张委员；新委员甲"  # 张委员 again, and a new name
    rows[0][4] = "张委员, 新委员甲"
    ok(run(runner, write_sheet(tmp_path, rows)))
    made = db.session.scalars(
        select(User).where(User.username.like("archive-%")).order_by(User.username)
    ).all()
    assert [(u.username, u.name) for u in made] == [
        ("archive-0001", "张委员"),
        ("archive-0002", "新委员甲"),
    ]
    by_number = imported(past)
    assert by_number[1].proposer_id == by_number[5].proposer_id == made[0].id
    # a later sheet finds the inactive accounts the first one made (one account per name)
    rows = [list(GOOD[1])]
    rows[0][4] = "新委员甲"
    ok(run(runner, write_sheet(tmp_path, rows, name="more.csv")))
    assert imported(past)[2].proposer_id == made[1].id


def test_a_configured_result_code_and_its_wording_are_accepted(runner, world, past, tmp_path):
    committee_settings.set_values(
        {
            "result_codes": "A,B,C,D",
            "result_code_labels": "已解决或采纳,正在解决或列入计划,因条件限制留作参考,暂不能解决",
        }
    )
    db.session.commit()
    rows = [list(GOOD[0]), list(GOOD[3])]
    rows[0][8], rows[1][8] = "D", "暂不能解决"
    ok(run(runner, write_sheet(tmp_path, rows)))
    assert figures(runner, "--year", str(YEAR))["results"]["D"] == 2


def test_an_xlsx_sheet_with_english_headers_and_date_cells(runner, world, past, tmp_path):
    header = ["session", "number", "title", "proposers", "category", "lead_unit", "co_units",
              "result", "reply", "rating", "submitted_on", "replied_on", "plenary",
              "remarks"]  # fmt: skip
    row = [SESSION_LABEL, 11, URBAN, "张委员", "society", "ZJJ", "", "a类", "答复。", "satisfied",
           datetime(2023, 6, 1), date(2023, 9, 1), "否", "备注"]  # fmt: skip
    out = ok(run(runner, write_sheet(tmp_path, [row], header, name="archive.xlsx")))
    assert "未识别的列（已忽略）：remarks" in out
    p = imported(past)[11]
    assert p.submitted_at.date() == date(2023, 6, 1) and p.is_plenary is False
    (reply,) = loaded(loaded(p, "assignments").assignments[0], "replies").replies
    assert reply.result == "A" and reply.delivered_at.date() == date(2023, 9, 1)


def test_a_csv_saved_by_excel_in_gbk_is_read(runner, world, past, tmp_path):
    from .helpers import csv_bytes

    path = tmp_path / "gbk.csv"
    path.write_bytes(csv_bytes([GOOD[0]], encoding="gb18030"))
    ok(run(runner, str(path)))
    assert imported(past)[1].title == URBAN


def test_imported_proposals_follow_the_disclosure_rule_or_are_withheld(
    runner, world, past, tmp_path, web
):
    ok(run(runner, write_sheet(tmp_path, [GOOD[0]])))
    urban = imported(past)[1]
    client = web()
    assert client.get(f"/public/proposals/{urban.id}").status_code == 200
    assert URBAN in client.get(f"/public?year={YEAR}").get_data(as_text=True)
    ok(run(runner, write_sheet(tmp_path, [GOOD[3]], name="more.csv"), "--withhold-from-portal"))
    hidden = imported(past)[5]
    assert hidden.not_for_disclosure and hidden.not_for_disclosure_reason
    assert client.get(f"/public/proposals/{hidden.id}").status_code == 404


def test_the_imported_history_entry_is_the_only_one_and_names_no_event(
    runner, world, past, tmp_path
):
    ok(run(runner, write_sheet(tmp_path, GOOD)))
    actions = db.session.scalars(select(HistoryEntry.action)).all()
    assert actions == ["import"] * 4
    assert db.session.scalar(select(Rating.source).limit(1)) == "paper"


def test_the_proposer_sees_the_imported_proposal_whose_records_are_final(
    runner, world, past, tmp_path, api
):
    ok(run(runner, write_sheet(tmp_path, [GOOD[0]])))
    urban = imported(past)[1]
    answer = api(world.member).get(f"/proposals/{urban.id}")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["state"], body["number"]) == ("closed", 1)
    (reply,) = body["replies"]
    assert (reply["result"], reply["state"]) == ("A", "rated")
    assert [r["rating"] for r in body["ratings"]] == ["satisfied"]
    before = counts()
    again = api(world.member).post(f"/replies/{reply['id']}/rating", {"rating": "unsatisfied"})
    assert again.status_code == 409, again.get_json()
    review = api(world.secretariat).post(f"/proposals/{urban.id}/review", {"decision": "file"})
    assert review.status_code == 409, review.get_json()
    assert counts() == before


def test_a_number_taken_between_the_check_and_the_write_changes_nothing(
    runner, world, tmp_path, monkeypatch
):
    from proposals.archive.checks import Checker

    filed = flows.filed(world)
    checked = Checker.__init__

    def blind(self, *args, **kw):  # as if the number were filed right after the check
        checked(self, *args, **kw)
        self.taken = set()

    monkeypatch.setattr(Checker, "__init__", blind)
    rows = [[world.session.label, "", str(filed.number), URBAN, "张委员", "社会建设", "ZJJ",
             "", "A", "答复。", "", "", "", ""]]  # fmt: skip
    before = counts()
    refused(run(runner, write_sheet(tmp_path, rows)), "导入期间数据已被他人改变")
    assert counts() == before
