"""Year-end recognition: the secretariat nominates excellent proposals (优秀提案) and outstanding
handling units (先进承办单位) for a year, then decides each nomination once (awarded or declined).

The operations have the shape of every other (docs/architecture.md): the role first, then the
state and the input, then the change, one history row on the proposal for a proposal's
nomination and decision (workflow.core.log, without the reason or the comment, which only the
secretariat reads), and a flush; the caller commits. A refusal raises a DomainError before
anything is changed.

``Proposal.is_excellent``, the flag the pages read, is written here only: set when a
proposal's nomination is awarded."""

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Department
from ..errors import InvalidState, NotPermitted, ValidationError
from ..extensions import db
from ..i18n import N_, _, join
from ..inputs import MAX_ID, MIN_YEAR, bounded_int
from ..workflow.access import can_view
from ..workflow.core import STATE_LABELS, clock, log, raise_if, text_field
from ..workflow.models import Proposal, number_label
from ..workflow.states import ProposalState as P
from ..workflow.states import Role
from . import queries
from .models import RECOGNITION_KINDS, RECOGNITION_STATES, Recognition

# the proposals that may be nominated: filed, whatever happened to them since
NOMINABLE_STATES = (P.FILED, P.ASSIGNED, P.CLOSED)
NOMINATE_FIELDS = ("year", "kind", "proposal_id", "number", "department", "reason")
DECIDE_FIELDS = ("award", "comment")
TEXT_MAX = 2000


def require_secretariat(actor):
    if actor is None or actor.role != Role.SECRETARIAT:
        raise NotPermitted(_("只有提案委员会办公室可以提名和评定优秀提案、先进承办单位"))


def state_text(recognition):
    return _(RECOGNITION_STATES[recognition.state])


def _unknown_fields(data, allowed):
    return {name: _("不支持的字段") for name in sorted(set(data) - set(allowed))}


def _read_year(errors, data, today):
    value = data.get("year")
    year = bounded_int(value, MIN_YEAR, today.year)
    if value is None or value == "":
        errors["year"] = _("请填写年度")
    elif year is None:
        errors["year"] = _("年度应为 %(low)d 到 %(high)d 之间的整数", low=MIN_YEAR, high=today.year)
    return year


def _read_proposal(errors, actor, data, year):
    """The proposal named by ``proposal_id`` or by ``number`` within ``year``: filed in a session
    of that year; an error under the field that named it otherwise."""
    raw_id, raw_number = data.get("proposal_id"), data.get("number")
    given_id = raw_id not in (None, "")
    given_number = raw_number not in (None, "")
    if given_id and given_number:
        errors["proposal_id"] = _("提案号和提案 ID 只填一项")
        return None
    if not given_id and not given_number:
        errors["number"] = _("请填写提案号或提案 ID")
        return None
    field = "proposal_id" if given_id else "number"
    if given_id:
        ident = bounded_int(raw_id, 1, MAX_ID)
        if ident is None:
            errors[field] = _("提案 ID 应为 1 到 %(max)d 之间的整数", max=MAX_ID)
            return None
        proposal = db.session.get(Proposal, ident)
        if proposal is None or not can_view(actor, proposal):
            errors[field] = _("提案 %(id)s 不存在", id=raw_id)
            return None
    else:
        number = bounded_int(raw_number, 1, MAX_ID)
        if number is None:
            errors[field] = _("提案号应为正整数")
            return None
        if year is None:
            return None  # the year is wrong: said under its own name
        found = queries.proposals_numbered(year, number)
        if not found:
            errors[field] = _(
                "%(year)d 年度没有%(number)s提案", year=year, number=number_label(number)
            )
            return None
        if len(found) > 1:
            errors[field] = _(
                "%(year)d 年度有多件%(number)s提案（分属不同会次），请改填提案 ID：%(ids)s",
                year=year,
                number=number_label(number),
                ids=join(str(p.id) for p in found),
            )
            return None
        proposal = found[0]
    if proposal.state not in NOMINABLE_STATES:
        errors[field] = _(
            "提案“%(title)s”未立案（当前状态：%(state)s），不能提名",
            title=proposal.title,
            state=_(STATE_LABELS.get(proposal.state, proposal.state)),
        )
        return None
    if year is not None and proposal.session.year != year:
        errors[field] = _(
            "%(number)s提案属于%(session)s（%(session_year)d 年），不能提名 %(year)d 年度优秀提案",
            number=proposal.number_label,
            session_year=proposal.session.year,
            session=proposal.session.label,
            year=year,
        )
        return None
    return proposal


def _read_department(errors, data, year):
    code = data.get("department")
    if code is None or (isinstance(code, str) and not code.strip()):
        errors["department"] = _("请选择承办单位")
        return None
    if not isinstance(code, str):
        errors["department"] = _("承办单位应为单位代码")
        return None
    code = code.strip()
    department = db.session.scalar(select(Department).where(Department.code == code))
    if department is None:
        errors["department"] = _("未知的承办单位：%(code)s", code=code)
        return None
    if not department.active:
        errors["department"] = _("承办单位“%(name)s”已停用，不能提名", name=department.name)
        return None
    if year is not None and not queries.has_handled(department, year):
        errors["department"] = _(
            "承办单位“%(name)s”在 %(year)d 年度没有签收办理过提案，不能提名",
            name=department.name,
            year=year,
        )
        return None
    return department


def _duplicate_message(recognition, year):
    if recognition.kind == "proposal":
        return _(
            "%(number)s提案已被提名为 %(year)d 年度优秀提案（%(state)s），不能重复提名",
            number=recognition.proposal.number_label,
            year=year,
            state=state_text(recognition),
        )
    return _(
        "“%(name)s”已被提名为 %(year)d 年度先进承办单位（%(state)s），不能重复提名",
        name=recognition.department.name,
        year=year,
        state=state_text(recognition),
    )


def nominate(actor, data, *, now=None):
    """Nominate a proposal or a unit for a year's recognition.

    ``data``: ``year``; ``kind`` (``proposal`` or ``department``); for a proposal its
    ``proposal_id`` or its ``number`` (提案号) within the year; for a unit its ``department``
    code; ``reason``. Returns the new Recognition, ``nominated``."""
    require_secretariat(actor)
    now, today = clock(now)
    if not isinstance(data, dict):
        raise ValidationError(fields={"body": _("应为对象")})
    errors = _unknown_fields(data, NOMINATE_FIELDS)
    year = _read_year(errors, data, today)
    kind = data.get("kind")
    if kind is None or kind == "":
        errors["kind"] = _("请选择提名类别")
    elif not isinstance(kind, str) or kind not in RECOGNITION_KINDS:
        errors["kind"] = _("提名类别应为 %(kinds)s 之一", kinds=join(RECOGNITION_KINDS))
    reason = text_field(errors, data, "reason", N_("提名理由"), max_len=TEXT_MAX)
    proposal = department = None
    if kind == "proposal":
        if data.get("department") not in (None, ""):
            errors["department"] = _("提名优秀提案时不填承办单位")
        else:
            proposal = _read_proposal(errors, actor, data, year)
    elif kind == "department":
        if any(data.get(name) not in (None, "") for name in ("proposal_id", "number")):
            errors["department"] = _("提名先进承办单位时不填提案")
        else:
            department = _read_department(errors, data, year)
    raise_if(errors)
    found = queries.existing(year, proposal=proposal, department=department)
    if found is not None:
        field = "department" if department is not None else _proposal_field(data)
        raise ValidationError(fields={field: _duplicate_message(found, year)})
    recognition = Recognition(
        year=year,
        kind=kind,
        proposal=proposal,
        department=department,
        reason=reason,
        state="nominated",
        nominated_by=actor,
        nominated_at=now,
    )
    try:
        # a nomination of the same subject committed meanwhile (on PostgreSQL, where two
        # transactions may both pass the check above) is refused with the same message
        with db.session.begin_nested():
            db.session.add(recognition)
            db.session.flush()
    except IntegrityError:
        found = queries.existing(year, proposal=proposal, department=department)
        if found is None:
            raise
        field = "department" if department is not None else _proposal_field(data)
        raise ValidationError(fields={field: _duplicate_message(found, year)}) from None
    if proposal is not None:
        # the reason stays on the nomination, which only the secretariat reads: the history is
        # seen by the proposers and the units
        log(proposal, actor, "nominate_excellent", proposal.state, proposal.state, now=now)
    db.session.flush()
    return recognition


def _proposal_field(data):
    return "proposal_id" if data.get("proposal_id") not in (None, "") else "number"


def decide(actor, recognition, data, *, now=None):
    """Award or decline a nomination, once: ``data`` ``{"award": bool, "comment"?}``. Records who
    decided and when; awarding a proposal marks it excellent (``Proposal.is_excellent``)."""
    require_secretariat(actor)
    now, _today = clock(now)
    if recognition.state != "nominated":
        raise InvalidState(
            _("此提名已有决定（%(state)s），不能再次决定", state=state_text(recognition))
        )
    if not isinstance(data, dict):
        raise ValidationError(fields={"body": _("应为对象")})
    errors = _unknown_fields(data, DECIDE_FIELDS)
    award = data.get("award")
    if award is None:
        errors["award"] = _("请选择评定或不评定")
    elif not isinstance(award, bool):
        errors["award"] = _("award 应为 true 或 false")
    comment = text_field(errors, data, "comment", N_("评定意见"), required=False, max_len=TEXT_MAX)
    raise_if(errors)
    state = "awarded" if award else "declined"
    # only a nomination still open is decided: of two decisions sent at once, one wins
    done = db.session.execute(
        update(Recognition)
        .where(Recognition.id == recognition.id, Recognition.state == "nominated")
        .values(state=state, decided_by_id=actor.id, decided_at=now, decision_comment=comment)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        db.session.refresh(recognition)
        raise InvalidState(
            _("此提名已有决定（%(state)s），不能再次决定", state=state_text(recognition))
        )
    db.session.refresh(recognition)
    if recognition.kind == "proposal":
        proposal = recognition.proposal
        if award:
            proposal.is_excellent = True
        action = "award_excellent" if award else "decline_excellent"
        log(proposal, actor, action, proposal.state, proposal.state, now=now)  # comment: as above
    db.session.flush()
    return recognition


__all__ = ["nominate", "decide", "NOMINABLE_STATES", "require_secretariat"]
