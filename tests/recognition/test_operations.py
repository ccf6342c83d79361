"""Nominating and deciding (proposals/recognition/service.py): who may, what may be nominated,
once per subject and year, decided once, and what a decision writes (docs/domain.md §9)."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from proposals.cli.committee import create_session
from proposals.committee.calendar import utcnow
from proposals.errors import InvalidState, NotPermitted, ValidationError
from proposals.extensions import db
from proposals.recognition import queries, service
from proposals.recognition.models import Recognition
from proposals.workflow import operations as ops
from proposals.workflow.models import Proposal

from .. import flows
from .helpers import Year, changes, fingerprint, history_of, nominations, this_year


@pytest.fixture()
def year(world):
    return Year(world)


# ---------------------------------------------------------------- nominating


def test_a_filed_proposal_is_nominated_by_its_id_with_a_history_entry(year):
    before = utcnow()
    r = year.nominate(year.handled, reason="调研深入，建议具体")
    assert (r.kind, r.state, r.year, r.proposal_id) == (
        "proposal",
        "nominated",
        year.year,
        year.handled.id,
    )
    assert r.nominated_by.username == "sec" and r.nominated_at >= before
    assert r.decided_at is None and r.decided_by is None
    assert history_of(year.handled)[-1] == "nominate_excellent"
    entry = db.session.scalars(select(Proposal).where(Proposal.id == year.handled.id)).one()
    assert entry.is_excellent is False  # a nomination is not an award


@pytest.mark.parametrize("written", ["{n}", "{n:04d}"])
def test_a_proposal_is_named_by_its_number_within_the_year(year, written):
    data = {
        "year": year.year,
        "kind": "proposal",
        "number": written.format(n=year.filed.number),
        "reason": "理由",
    }
    r = service.nominate(year.world.secretariat, data)
    assert r.proposal is year.filed


def test_a_number_two_sessions_of_the_year_share_must_be_given_as_an_id(year, world):
    other = create_session(
        10, 99, year.year, world.session.plenary_start, world.session.plenary_end, True
    )
    db.session.commit()
    twin = flows.filed(world, title="关于另一会次的建议")
    assert twin.session_id == other.id and twin.number == year.handled.number == 1
    with pytest.raises(ValidationError) as exc:
        service.nominate(
            world.secretariat,
            {"year": year.year, "kind": "proposal", "number": 1, "reason": "理由"},
        )
    assert "请改填提案 ID" in exc.value.fields["number"]
    assert f"{year.handled.id}、{twin.id}" in exc.value.fields["number"]


def test_a_proposal_of_an_earlier_years_session_belongs_to_that_year(year, world):
    earlier = create_session(
        9,
        5,
        year.year - 1,
        world.session.plenary_start.replace(year=year.year - 1),
        world.session.plenary_end.replace(year=year.year - 1),
        True,
    )
    db.session.commit()
    old = flows.filed(world, title="关于上一年度的建议")
    assert old.session_id == earlier.id
    with pytest.raises(ValidationError) as exc:
        service.nominate(
            world.secretariat,
            {"year": year.year, "kind": "proposal", "proposal_id": old.id, "reason": "理由"},
        )
    assert f"{year.year - 1} 年" in exc.value.fields["proposal_id"]
    r = service.nominate(
        world.secretariat,
        {"year": year.year - 1, "kind": "proposal", "number": old.number, "reason": "理由"},
    )
    assert r.proposal is old and r.year == year.year - 1


def test_a_unit_that_accepted_an_assignment_of_the_year_is_nominated(year, world):
    r = year.nominate(world.unit_b)  # a co-unit counts: it handled its part
    assert (r.kind, r.department.code, r.proposal_id) == ("department", "CZJ", None)
    codes = [d.code for d in queries.eligible_departments(year.year)]
    assert codes == ["CZJ", "JYJ", "ZJJ"]  # not WGLJ, which handled nothing


def test_a_unit_whose_assignment_is_still_pending_has_handled_nothing(world):
    flows.assigned(world, plan=[(world.unit_c, "lead")])  # not accepted yet
    with pytest.raises(ValidationError) as exc:
        service.nominate(
            world.secretariat,
            {"year": this_year(), "kind": "department", "department": "JYJ", "reason": "理由"},
        )
    assert "没有签收办理过提案" in exc.value.fields["department"]


def refusals(y):
    """(what is sent, the field named, a phrase of its message) for each bad nomination."""
    w = y.world
    p = {"kind": "proposal", "proposal_id": y.handled.id, "reason": "理由", "year": y.year}
    u = {"kind": "department", "department": "ZJJ", "reason": "理由", "year": y.year}
    draft = flows.draft(w, title="尚未提交的草稿")
    return [
        ({**p, "year": y.year + 1}, "year", "之间的整数"),
        ({**p, "year": 1899}, "year", "之间的整数"),
        ({**p, "year": "明年"}, "year", "之间的整数"),
        ({**p, "year": True}, "year", "之间的整数"),
        ({**p, "year": None}, "year", "请填写年度"),
        ({**p, "kind": "member"}, "kind", "之一"),
        ({**p, "kind": ["proposal"]}, "kind", "之一"),
        ({**p, "kind": None}, "kind", "请选择提名类别"),
        ({**p, "reason": "  "}, "reason", "请填写提名理由"),
        ({**p, "reason": "长" * 2001}, "reason", "不能超过"),
        ({**p, "proposal_id": y.submitted.id}, "proposal_id", "未立案"),
        ({**p, "proposal_id": draft.id}, "proposal_id", "不存在"),  # never received: unseen
        ({**p, "proposal_id": 2**31}, "proposal_id", "之间的整数"),
        ({**p, "proposal_id": 987654}, "proposal_id", "不存在"),
        ({**p, "proposal_id": None}, "number", "请填写提案号或提案 ID"),
        ({**p, "number": y.handled.number}, "proposal_id", "只填一项"),
        ({**p, "proposal_id": None, "number": 999}, "number", "没有第0999号提案"),
        ({**p, "proposal_id": None, "number": "第一号"}, "number", "正整数"),
        ({**p, "department": "ZJJ"}, "department", "不填承办单位"),
        ({**u, "proposal_id": y.handled.id}, "department", "不填提案"),
        ({**u, "department": "NOPE"}, "department", "未知的承办单位"),
        ({**u, "department": 7}, "department", "单位代码"),
        ({**u, "department": None}, "department", "请选择承办单位"),
        ({**u, "department": "WGLJ"}, "department", "没有签收办理过提案"),
        ({**p, "proposal": y.handled.id}, "proposal", "不支持的字段"),
    ]


def test_bad_nominations_name_the_field_and_change_nothing(year, world):
    cases = refusals(year)
    before = fingerprint()
    for data, field, phrase in cases:
        with pytest.raises(ValidationError) as exc:
            service.nominate(world.secretariat, data)
        assert phrase in exc.value.fields.get(field, ""), (data, exc.value.fields)
        assert changes(before) == {}, data
    assert nominations() == 0


def test_an_inactive_unit_is_not_nominated(year, world):
    world.unit_a.active = False
    db.session.commit()
    with pytest.raises(ValidationError) as exc:
        year.nominate(world.unit_a)
    assert "已停用" in exc.value.fields["department"]


@pytest.mark.parametrize("who", ["member", "clerk_a", "head_a", "admin"])
def test_only_the_secretariat_nominates(year, world, who):
    before = fingerprint()
    with pytest.raises(NotPermitted):
        service.nominate(
            getattr(world, who),
            {"year": year.year, "kind": "proposal", "proposal_id": year.handled.id, "reason": "理"},
        )
    assert changes(before) == {}


def test_a_subject_is_nominated_once_a_year(year, world):
    year.nominate(year.handled)
    unit = year.nominate(world.unit_a)
    year.decide(unit, False)
    before = fingerprint()
    with pytest.raises(ValidationError) as exc:
        service.nominate(
            world.secretariat,
            {"year": year.year, "kind": "proposal", "number": year.handled.number, "reason": "再"},
        )
    assert "第0001号提案已被提名" in exc.value.fields["number"]
    assert "已提名" in exc.value.fields["number"] and "不能重复提名" in exc.value.fields["number"]
    with pytest.raises(ValidationError) as exc:
        year.nominate(world.unit_a)
    assert "未评定" in exc.value.fields["department"]  # how the first one stands
    assert changes(before) == {}


def test_a_nomination_committed_meanwhile_gets_the_same_message(year, world, monkeypatch):
    """Two nominations of one subject at once (PostgreSQL lets both pass the check): the unique
    constraint refuses the second, answered as the check would have."""
    year.nominate(year.handled)
    real = queries.existing
    calls = []

    def not_yet(*args, **kw):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kw)

    monkeypatch.setattr(queries, "existing", not_yet)
    with pytest.raises(ValidationError) as exc:
        year.nominate(year.handled)
    assert "不能重复提名" in exc.value.fields["proposal_id"]
    db.session.rollback()
    assert nominations() == 1


# ---------------------------------------------------------------- deciding


def test_awarding_a_proposal_records_who_and_when_and_marks_it_excellent(year, world):
    r = year.nominate(year.handled)
    moment = utcnow() - timedelta(hours=1)
    year.decide(r, True, "同意评为优秀提案", now=moment)
    db.session.expire_all()
    r = db.session.get(Recognition, r.id)
    assert (r.state, r.decided_by.username, r.decision_comment) == (
        "awarded",
        "sec",
        "同意评为优秀提案",
    )
    assert abs((r.decided_at - moment).total_seconds()) < 1
    assert db.session.get(Proposal, year.handled.id).is_excellent is True
    assert history_of(year.handled)[-2:] == ["nominate_excellent", "award_excellent"]


def test_declining_leaves_the_proposal_as_it_was(year):
    r = year.nominate(year.filed)
    year.decide(r, False)
    db.session.expire_all()
    assert db.session.get(Recognition, r.id).state == "declined"
    assert db.session.get(Recognition, r.id).decision_comment is None
    assert db.session.get(Proposal, year.filed.id).is_excellent is False
    assert history_of(year.filed)[-1] == "decline_excellent"


def test_a_unit_is_decided_without_touching_any_proposal(year, world):
    r = year.nominate(world.unit_c)
    before = fingerprint()
    year.decide(r, True)
    changed = changes(before)
    assert set(changed) == {"recognitions"}


def test_a_decided_nomination_is_not_decided_again(year):
    r = year.nominate(year.handled)
    year.decide(r, False, "暂不评定")
    before = fingerprint()
    with pytest.raises(InvalidState) as exc:
        service.decide(year.world.secretariat, r, {"award": True})
    assert "不能再次决定" in exc.value.message
    assert changes(before) == {}
    assert db.session.get(Proposal, year.handled.id).is_excellent is False


def test_the_state_is_checked_before_the_input(year):
    """As every operation: a decided nomination is refused as such, whatever was sent."""
    r = year.nominate(year.handled)
    year.decide(r, True)
    with pytest.raises(InvalidState):
        service.decide(year.world.secretariat, r, {"award": "yes"})


def test_of_two_decisions_at_once_only_one_is_taken(year):
    """The second decision read the nomination before the first was committed: the conditional
    update finds it decided and refuses."""
    r = year.nominate(year.handled)
    db.session.execute(
        update(Recognition)
        .where(Recognition.id == r.id)
        .values(state="declined", decided_by_id=year.world.secretariat.id, decided_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    assert r.state == "nominated"  # what the second request read
    with pytest.raises(InvalidState):
        service.decide(year.world.secretariat, r, {"award": True})
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Proposal, year.handled.id).is_excellent is False
    assert "award_excellent" not in history_of(year.handled)


@pytest.mark.parametrize(
    "data, field",
    [
        ({}, "award"),
        ({"award": "true"}, "award"),
        ({"award": 1}, "award"),
        ({"award": True, "comment": ["好"]}, "comment"),
        ({"award": True, "comment": "长" * 2001}, "comment"),
        ({"award": True, "reason": "x"}, "reason"),
    ],
)
def test_a_bad_decision_names_the_field_and_changes_nothing(year, data, field):
    r = year.nominate(year.handled)
    before = fingerprint()
    with pytest.raises(ValidationError) as exc:
        service.decide(year.world.secretariat, r, data)
    assert field in exc.value.fields
    assert changes(before) == {}


@pytest.mark.parametrize("who", ["member", "clerk_a", "head_a", "admin"])
def test_only_the_secretariat_decides(year, world, who):
    r = year.nominate(year.handled)
    before = fingerprint()
    with pytest.raises(NotPermitted):
        service.decide(getattr(world, who), r, {"award": True})
    assert changes(before) == {}


def test_is_excellent_is_written_by_the_award_alone(year, world):
    """The flag the pages read follows the award, and no other action touches it."""
    p = year.handled
    r = year.nominate(p)
    ops.mark_key(world.secretariat, p, True, "sec")
    db.session.commit()
    assert db.session.get(Proposal, p.id).is_excellent is False
    year.decide(r, True)
    ops.mark_key(world.secretariat, p, False)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Proposal, p.id).is_excellent is True
