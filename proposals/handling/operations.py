"""The units' operations (承办): accept or ask for reassignment, contacts, co-unit opinions,
extensions, replies with sign-off (签发) and review (审核), ratings (测评), re-handling and
B-class follow-ups. Same contract as workflow/operations.py."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import Department
from ..committee import settings as committee_settings
from ..committee.calendar import add_months, load_calendar, local_date
from ..errors import InvalidState, NotPermitted, ValidationError
from ..extensions import db
from ..i18n import N_, _, join
from ..workflow.core import bool_field, clock, date_field, loaded, log, move, raise_if, text_field
from ..workflow.models import Proposal
from ..workflow.states import AssignmentState as A
from ..workflow.states import CosignerState, Role
from ..workflow.states import ProposalState as P
from ..workflow.states import ReplyState as R
from . import office
from .models import (
    CONTACT_MODES,
    RATINGS,
    Assignment,
    Contact,
    ExtensionRequest,
    FollowUp,
    Opinion,
    Rating,
    Reply,
)

IN_PROGRESS = (R.AWAITING_SIGNOFF, R.AWAITING_OFFICE_REVIEW, R.AWAITING_REVIEW)


def create_assignment(
    actor, proposal, department, role, *, due_date=None, now=None, proposed=False, confirmed=True
):
    """A new assignment with its deadlines computed and stored as dates. ``proposed``: a joint
    assignment waiting for the supervising office (``confirmed`` False for a unit it
    supervises); its deadlines move when it starts (_start)."""
    target = A.PROPOSED if proposed else A.PENDING
    move("assignment", "assign", None, actor, to=target)
    now, today = clock(now)
    conf = committee_settings.all_settings()
    cal = load_calendar()
    assignment = Assignment(
        proposal=proposal,
        department=department,
        role=role,
        state=target,
        round=1,
        assigned_at=now,
        round_started_on=today,
        accept_due=cal.add_working_days(today, conf["accept_window_working_days"]),
        contact_due=cal.add_working_days(today, conf["contact_due_working_days"]),
        opinion_due=add_months(today, conf["opinion_due_months"]) if role == "co" else None,
        reply_due=due_date
        or add_months(today, conf[committee_settings.reply_due_months_key(proposal.is_plenary)]),
        confirmed_at=now if proposed and confirmed else None,
    )
    db.session.add(assignment)
    db.session.flush()
    log(
        proposal,
        actor,
        "assign_unit",
        None,
        target,
        assignment=assignment,
        comment=department.name,
        now=now,
    )
    return assignment


def confirm_assignment(actor, assignment, data, *, now=None):
    """联合交办: the office supervising the unit confirms the secretariat's assignment or refuses
    it with a comment. The last confirmation of a proposal starts every unit's part at once; a
    refusal withdraws them all and the proposal waits to be assigned again."""
    if not office.is_office_of(actor, assignment.department_id):
        raise NotPermitted(_("只有督查室可以确认其所联系单位的交办"))
    errors = {}
    approve = bool_field(errors, data, "approve", N_("是否同意"))
    action = "confirm" if approve or approve is None else "refuse_confirmation"
    move("assignment", action, assignment, actor)
    if approve and assignment.confirmed_at is not None:
        raise InvalidState(_("此交办已确认，等待其他单位的督查室确认"))
    comment = text_field(
        errors, data, "comment", N_("意见"), required=approve is False, max_len=2000
    )
    raise_if(errors)
    now, today = clock(now)
    proposal = loaded(assignment, "proposal").proposal
    siblings = [a for a in loaded(proposal, "assignments").assignments if a.state == A.PROPOSED]
    if approve:
        assignment.confirmed_by_id, assignment.confirmed_at = actor.id, now
        log(
            proposal,
            actor,
            "confirm_assignment",
            A.PROPOSED,
            A.PROPOSED,
            assignment=assignment,
            comment=comment or assignment.department.name,
            now=now,
        )
        if all(a.confirmed_at is not None for a in siblings):
            for sibling in siblings:
                _start(actor, sibling, now, today)
    else:
        for sibling in siblings:
            move("assignment", "refuse_confirmation", sibling, actor)
            sibling.state, sibling.closed_at = A.NOT_CONFIRMED, now
        target = move("proposal", "unassign", proposal, actor)
        log(
            proposal,
            actor,
            "refuse_confirmation",
            proposal.state,
            target,
            assignment=assignment,
            comment=f"{assignment.department.name}：{comment}",
            now=now,
        )
        proposal.state = target
    db.session.flush()
    return assignment


def _start(actor, assignment, now, today):
    """A confirmed joint assignment starts: its deadlines run from today, each period as long
    as it was when the secretariat proposed it."""
    target = move("assignment", "start", assignment, actor)
    conf = committee_settings.all_settings()
    cal = load_calendar()
    shift = today - assignment.round_started_on
    assignment.accept_due = cal.add_working_days(today, conf["accept_window_working_days"])
    assignment.contact_due = cal.add_working_days(today, conf["contact_due_working_days"])
    if assignment.opinion_due is not None:
        assignment.opinion_due += shift
    assignment.reply_due += shift
    assignment.assigned_at, assignment.round_started_on = now, today
    assignment.state = target
    log(
        assignment.proposal,
        actor,
        "start_assignment",
        A.PROPOSED,
        target,
        assignment=assignment,
        comment=f"{assignment.department.name}，答复期限 {assignment.reply_due.isoformat()}",
        now=now,
    )


def _require_unit(actor, assignment):
    loaded(assignment, "proposal")  # each operation logs on it
    if actor is None or not actor.is_unit_staff or not assignment.belongs_to(actor):
        raise NotPermitted(_("只有本单位的经办人或负责人可以办理"))


def _settle_acceptance(assignment, now, today):
    """After the acceptance window a pending assignment counts as accepted (签收)."""
    if assignment.state == A.PENDING and today > assignment.accept_due:
        move("assignment", "auto_accept", assignment, None)
        assignment.state, assignment.accepted_at = A.HANDLING, now
        log(
            loaded(assignment, "proposal").proposal,
            None,
            "auto_accept",
            A.PENDING,
            A.HANDLING,
            assignment=assignment,
            comment="签收期限已过，视为签收",
            now=now,
        )


def accept_assignment(actor, assignment, *, now=None):
    _require_unit(actor, assignment)
    now, today = clock(now)
    _settle_acceptance(assignment, now, today)
    target = move("assignment", "accept", assignment, actor)
    assignment.state, assignment.accepted_at = target, now
    log(assignment.proposal, actor, "accept", A.PENDING, target, assignment=assignment, now=now)
    db.session.flush()
    return assignment


def request_reassignment(actor, assignment, reason, *, now=None):
    """申请调整: within the acceptance window only; the unit never passes it on itself."""
    _require_unit(actor, assignment)
    now, today = clock(now)
    target = move("assignment", "request_reassignment", assignment, actor)
    if today > assignment.accept_due:
        raise InvalidState(_("签收期限已过，不能再申请调整"))
    errors = {}
    reason = text_field(errors, {"reason": reason}, "reason", N_("申请调整理由"), max_len=2000)
    raise_if(errors)
    assignment.state, assignment.reassignment_reason = target, reason
    log(
        assignment.proposal,
        actor,
        "request_reassignment",
        A.PENDING,
        target,
        assignment=assignment,
        comment=reason,
        now=now,
    )
    db.session.flush()
    return assignment


def decide_reassignment(actor, assignment, data, *, now=None):
    """The secretariat approves (naming the new unit) or refuses (the unit must handle it)."""
    errors = {}
    approve = bool_field(errors, data, "approve", N_("是否同意"))
    action = "approve_reassignment" if approve else "refuse_reassignment"
    office.check_decider(actor, assignment, committee_settings.all_settings())
    target = move("assignment", action, assignment, actor)
    loaded(loaded(assignment, "proposal").proposal, "assignments")
    comment = text_field(errors, data, "comment", N_("意见"), required=False, max_len=2000)
    department = None
    if approve:
        code = data.get("department")
        department = (
            db.session.scalar(select(Department).where(Department.code == code, Department.active))
            if isinstance(code, str)
            else None
        )
        taken = {
            a.department_id
            for a in assignment.proposal.assignments
            if a.state not in (A.REASSIGNED, A.NOT_CONFIRMED)
        }
        if department is None:
            errors["department"] = _("请指定调整后的承办单位代码")
        elif department.id in taken:
            errors["department"] = _("该单位已承办此提案")
    raise_if(errors)
    now, today = clock(now)
    proposal = assignment.proposal
    if approve:
        assignment.state, assignment.closed_at = target, now
        log(
            proposal,
            actor,
            action,
            A.REASSIGNMENT_REQUESTED,
            target,
            assignment=assignment,
            comment=comment or f"调整至{department.name}",
            now=now,
        )
        new = create_assignment(actor, proposal, department, assignment.role, now=now)
        assignment.reassigned_to_id = new.id
    else:
        assignment.state, assignment.accepted_at = target, now
        log(
            proposal,
            actor,
            action,
            A.REASSIGNMENT_REQUESTED,
            target,
            assignment=assignment,
            comment=comment,
            now=now,
        )
    db.session.flush()
    return assignment


def record_contact(actor, assignment, data, *, now=None):
    """办前沟通: mode, date, summary."""
    _require_unit(actor, assignment)
    now, today = clock(now)
    _settle_acceptance(assignment, now, today)
    move("assignment", "record_contact", assignment, actor)
    errors = {}
    mode = data.get("mode")
    if mode not in CONTACT_MODES:
        errors["mode"] = _("沟通方式应为 %(modes)s", modes=join(CONTACT_MODES))
    day = date_field(errors, data, "date", N_("沟通日期"))
    if day is not None and day > today:
        errors["date"] = _("沟通日期不能晚于今天")
    if day is not None and day < local_date(assignment.assigned_at):
        errors["date"] = _("沟通日期不能早于交办日期")
    summary = text_field(errors, data, "summary", N_("沟通情况"), max_len=5000)
    raise_if(errors)
    contact = Contact(
        assignment=assignment,
        mode=mode,
        day=day,
        summary=summary,
        recorded_by_id=actor.id,
        created_at=now,
    )
    db.session.add(contact)
    log(
        assignment.proposal,
        actor,
        "record_contact",
        assignment.state,
        assignment.state,
        assignment=assignment,
        comment=f"{CONTACT_MODES[mode]} {day.isoformat()}：{summary}",
        now=now,
    )
    db.session.flush()
    return contact


def submit_opinion(actor, assignment, text, *, now=None):
    """A co-unit's written opinion to the lead unit (会办意见)."""
    _require_unit(actor, assignment)
    if assignment.role != "co":
        raise NotPermitted(_("只有会办单位提交会办意见"))
    now, today = clock(now)
    _settle_acceptance(assignment, now, today)
    target = move("assignment", "submit_opinion", assignment, actor)
    errors = {}
    text = text_field(errors, {"text": text}, "text", N_("会办意见"), max_len=10000)
    raise_if(errors)
    db.session.add(Opinion(assignment=assignment, text=text, author_id=actor.id, created_at=now))
    assignment.state, assignment.closed_at = target, now
    log(
        assignment.proposal,
        actor,
        "submit_opinion",
        A.HANDLING,
        target,
        assignment=assignment,
        now=now,
    )
    db.session.flush()
    return assignment


def extension_limit(assignment):
    return add_months(assignment.round_started_on, committee_settings.get("extension_max_months"))


def request_extension(actor, assignment, data, *, now=None):
    """One extension per round, with a reason; never beyond 6 months after assignment."""
    _require_unit(actor, assignment)
    if assignment.role == "co":
        raise NotPermitted(_("会办单位不申请答复延期"))
    now, today = clock(now)
    loaded(assignment, "extension_requests")
    _settle_acceptance(assignment, now, today)
    move("assignment", "request_extension", assignment, actor)
    if any(r.round == assignment.round for r in assignment.extension_requests):
        raise InvalidState(_("本轮办理已申请过延期"))
    errors = {}
    until = date_field(errors, data, "until", N_("延期至"))
    reason = text_field(errors, data, "reason", N_("延期理由"), max_len=2000)
    limit = extension_limit(assignment)
    if until is not None and until <= assignment.effective_due:
        errors["until"] = _(
            "延期日期应晚于现在的答复期限 %(date)s", date=assignment.effective_due.isoformat()
        )
    elif until is not None and until > limit:
        errors["until"] = _("延期不能超过交办后 6 个月（%(date)s）", date=limit.isoformat())
    raise_if(errors)
    request = ExtensionRequest(
        assignment=assignment,
        round=assignment.round,
        until=until,
        reason=reason,
        requested_by_id=actor.id,
        created_at=now,
    )
    db.session.add(request)
    log(
        assignment.proposal,
        actor,
        "request_extension",
        assignment.state,
        assignment.state,
        assignment=assignment,
        comment=f"申请延期至 {until.isoformat()}：{reason}",
        now=now,
    )
    db.session.flush()
    return assignment


def decide_extension(actor, assignment, data, *, now=None):
    office.check_decider(actor, assignment, committee_settings.all_settings())
    move("assignment", "decide_extension", assignment, actor)
    loaded(assignment, "proposal", "extension_requests")
    request = next((r for r in assignment.extension_requests if r.state == "pending"), None)
    if request is None:
        raise InvalidState(_("没有待审批的延期申请"))
    errors = {}
    approve = bool_field(errors, data, "approve", N_("是否同意"))
    comment = text_field(errors, data, "comment", N_("意见"), required=False, max_len=2000)
    raise_if(errors)
    now, _today = clock(now)
    if approve and request.until > extension_limit(assignment):
        raise ValidationError(fields={"approve": _("延期不能超过交办后 6 个月")})
    request.state = "approved" if approve else "refused"
    request.decided_by_id, request.decided_at, request.comment = actor.id, now, comment
    if approve:
        assignment.extended_to = request.until
    log(
        assignment.proposal,
        actor,
        "approve_extension" if approve else "refuse_extension",
        assignment.state,
        assignment.state,
        assignment=assignment,
        comment=comment,
        now=now,
    )
    db.session.flush()
    return assignment


def draft_reply(actor, assignment, data, *, now=None):
    """The unit's reply (答复) with its result code; then sign-off and review per the settings."""
    _require_unit(actor, assignment)
    if assignment.role == "co":
        raise NotPermitted(_("会办单位不单独答复，请提交会办意见"))
    now, today = clock(now)
    loaded(assignment, "replies", "contacts")
    _settle_acceptance(assignment, now, today)
    move("assignment", "draft_reply", assignment, actor)
    conf = committee_settings.all_settings()
    round_replies = [r for r in assignment.replies if r.round == assignment.round]
    if any(r.state in IN_PROGRESS for r in round_replies):
        raise InvalidState(_("已有一份答复在签发或审核中"))
    if conf["contact_required_before_reply"] and not assignment.contacts:
        raise InvalidState(_("答复前须至少记录一次办前沟通"))
    if conf["reply_requires_co_opinions"]:
        co = [
            a
            for a in loaded(assignment.proposal, "assignments").assignments
            if a.role == "co" and a.state not in (A.REASSIGNED,)
        ]
        waiting = [a.department.name for a in co if loaded(a, "opinion").opinion is None]
        if waiting:
            raise InvalidState(_("尚未收到会办意见：%(units)s", units=join(waiting)))
    errors = {}
    result = data.get("result")
    if result not in conf["result_codes"]:
        errors["result"] = _("答复结果应为 %(codes)s", codes=join(conf["result_codes"]))
    text = text_field(errors, data, "text", N_("答复正文"), max_len=20000)
    signer = text_field(errors, data, "signer", N_("签发领导"), max_len=80)
    contact = text_field(errors, data, "contact", N_("联系人及电话"), max_len=120)
    promised = date_field(errors, data, "promised_date", N_("承诺完成日期"), required=result == "B")
    if promised is not None and promised < today:
        errors["promised_date"] = _("承诺完成日期不能早于今天")
    raise_if(errors)
    target = office.next_reply_state(assignment, conf)
    move("reply", "draft", None, actor, to=target)
    reply = Reply(
        assignment=assignment,
        round=assignment.round,
        state=target,
        result=result,
        text=text,
        signer=signer,
        contact=contact,
        promised_date=promised if result == "B" else None,
        drafted_by_id=actor.id,
        created_at=now,
    )
    db.session.add(reply)
    db.session.flush()
    log(
        assignment.proposal,
        actor,
        "draft_reply",
        None,
        target,
        assignment=assignment,
        reply=reply,
        comment=f"答复结果 {result}",
        now=now,
    )
    if target == R.DELIVERED:
        _deliver(reply, actor, now, today)
    db.session.flush()
    return reply


def _require_reply_unit_head(actor, reply):
    assignment = loaded(reply, "assignment").assignment
    if actor is None or actor.role != Role.DEPARTMENT_HEAD or not assignment.belongs_to(actor):
        raise NotPermitted(_("只有本单位负责人可以签发答复"))


def signoff_reply(actor, reply, data, *, now=None):
    """签发 by the unit's department head, or return to the clerk with a comment."""
    _require_reply_unit_head(actor, reply)
    loaded(reply.assignment, "proposal")
    errors = {}
    approve = bool_field(errors, data, "approve", N_("是否签发"))
    if approve is None:
        move("reply", "signoff_return", reply, actor)  # state first, then the input
        raise_if(errors)
    conf = committee_settings.all_settings()
    if approve:
        target = office.next_reply_state(reply.assignment, conf, R.AWAITING_SIGNOFF)
        move("reply", "signoff_approve", reply, actor, to=target)
    else:
        target = move("reply", "signoff_return", reply, actor)
    comment = text_field(
        errors, data, "comment", N_("退回意见"), required=not approve, max_len=2000
    )
    raise_if(errors)
    now, today = clock(now)
    from_state = reply.state
    reply.state = target
    reply.signed_off_by_id, reply.signed_off_at = actor.id, now
    if not approve:
        reply.return_comment = comment
    log(
        reply.assignment.proposal,
        actor,
        "signoff" if approve else "signoff_return",
        from_state,
        target,
        assignment=reply.assignment,
        reply=reply,
        comment=comment,
        now=now,
    )
    if target == R.DELIVERED:
        _deliver(reply, actor, now, today)
    db.session.flush()
    return reply


def review_reply(actor, reply, data, *, now=None):
    """审核 by the secretariat, or by the supervising office where the settings give it its
    units' replies: deliver or pass on (optionally correcting the result code), or return."""
    errors = {}
    approve = bool_field(errors, data, "approve", N_("是否通过"))
    by_office = reply.state == R.AWAITING_OFFICE_REVIEW
    if by_office:
        action = "office_review_approve" if approve or approve is None else "office_review_return"
    else:
        action = "review_approve" if approve or approve is None else "review_return"
    assignment = loaded(reply, "assignment").assignment
    to = None
    if action == "office_review_approve":
        conf = committee_settings.all_settings()
        to = office.next_reply_state(assignment, conf, R.AWAITING_OFFICE_REVIEW)
    target = move("reply", action, reply, actor, to=to)
    loaded(assignment, "proposal")
    if by_office and not office.is_office_of(actor, assignment.department_id):
        raise NotPermitted(_("只有督查室可以审核其所联系单位的答复"))
    comment = text_field(
        errors, data, "comment", N_("审核意见"), required=approve is False, max_len=2000
    )
    result = data.get("result")
    conf = committee_settings.all_settings()
    if result is not None and result not in conf["result_codes"]:
        errors["result"] = _("答复结果应为 %(codes)s", codes=join(conf["result_codes"]))
    if approve and result == "B" and reply.promised_date is None:
        errors["result"] = _("改为 B 类须有承诺完成日期，请退回单位补充")
    raise_if(errors)
    now, today = clock(now)
    from_state = reply.state
    if approve and result and result != reply.result:
        comment = (comment + "；" if comment else "") + f"结果由 {reply.result} 改为 {result}"
        reply.result = result
    reply.state = target
    if by_office:
        reply.office_reviewed_by_id, reply.office_reviewed_at = actor.id, now
    else:
        reply.reviewed_by_id, reply.reviewed_at = actor.id, now
    if not approve:
        reply.return_comment = comment
    log(
        reply.assignment.proposal,
        actor,
        ("office_review_reply" if approve else "office_review_return")
        if by_office
        else ("review_reply" if approve else "review_return"),
        from_state,
        target,
        assignment=reply.assignment,
        reply=reply,
        comment=comment,
        now=now,
    )
    if target == R.DELIVERED:
        _deliver(reply, actor, now, today)
    db.session.flush()
    return reply


def _deliver(reply, actor, now, today):
    """Delivered to the first proposer, co-signers and merged proposers; the rating window opens."""
    assignment = reply.assignment
    to_state = move("assignment", "deliver_reply", assignment, actor)
    from_state = assignment.state
    reply.state = R.DELIVERED
    reply.delivered_at = now
    reply.due_on = assignment.effective_due  # kept: re-handling later moves the deadline
    reply.rating_due = load_calendar().add_working_days(
        today, committee_settings.get("rating_window_working_days")
    )
    assignment.state = to_state
    if reply.result == "B":
        assignment.follow_up_open = True
    log(
        assignment.proposal,
        actor,
        "deliver_reply",
        from_state,
        to_state,
        assignment=assignment,
        reply=reply,
        now=now,
    )


def may_rate(user, reply, *, rating_by=None):
    """'primary' for the first proposer, 'merged' for the first proposer of a proposal merged
    into this one, 'cosigner' for a co-signer who accepted when the committee's setting
    rating_by is 'all', None otherwise. ``rating_by``: that setting, or a function giving it
    (called only when it matters: a page asking about many replies reads it once, or not at
    all); read here when needed and not given."""
    proposal = loaded(loaded(reply, "assignment").assignment, "proposal").proposal
    if user is None or user.role != Role.MEMBER:
        return None
    if proposal.proposer_id == user.id:
        return "primary"
    if any(m.proposer_id == user.id for m in loaded(proposal, "merged").merged):
        return "merged"
    accepted = any(
        c.user_id == user.id and c.state == CosignerState.ACCEPTED
        for c in loaded(proposal, "cosigners").cosigners
    )
    if not accepted:
        return None
    if callable(rating_by):
        rating_by = rating_by()
    if (rating_by or committee_settings.get("rating_by")) == "all":
        return "cosigner"
    return None


def rating_refusal(rating_by=None):
    """Why someone may not rate, in the words of the setting rating_by in force."""
    if (rating_by or committee_settings.get("rating_by")) == "all":
        return _("只有第一提案人（或集体提案单位）和已确认联名的提案人可以测评")
    return _("只有第一提案人（或集体提案单位）可以测评")


def rate_reply(actor, reply, data, *, now=None, entered_by=None):
    """满意度测评 by ``actor``. Unsatisfied the first time sends the item back for re-handling
    (重新办理); only the first proposer's rating moves anything. ``entered_by``: the secretariat
    user entering, on ``actor``'s behalf, the rating returned on the paper opinion form
    (征询意见表; handling/ratings.py paper_rating): the same checks and effects, marked as such."""
    standing = may_rate(actor, reply)
    if standing is None:
        raise NotPermitted(rating_refusal())
    if entered_by is None:
        marks, paper = {"source": "online"}, ""
    else:
        marks = {"source": "paper", "entered_by_id": entered_by.id}
        paper = f"（纸质测评，由{entered_by.name}录入）"
    errors = {}
    rating = data.get("rating")
    if rating not in RATINGS:
        errors["rating"] = _("测评结果应为 satisfied、basically_satisfied 或 unsatisfied")
    comment = text_field(
        errors, data, "comment", N_("意见"), required=rating == "unsatisfied", max_len=5000
    )
    now, today = clock(now)
    loaded(reply, "ratings")
    loaded(reply.assignment.proposal, "assignments")  # maybe_close() looks at every unit
    if standing != "primary":
        # merged proposers, and co-signers under rating_by 'all': recorded, nothing moves
        if reply.state not in (R.DELIVERED, R.RATED):
            raise InvalidState(_("当前状态下不能测评"))
        if any(r.rater_id == actor.id for r in reply.ratings):
            raise InvalidState(_("您已测评过此答复"))
        raise_if(errors)
        db.session.add(
            Rating(
                reply=reply,
                rater_id=actor.id,
                is_primary=False,
                rating=rating,
                comment=comment,
                created_at=now,
                **marks,
            )
        )
        if standing == "merged":
            action, note = "rate_merged", RATINGS[rating] + paper
        else:  # a co-signer's rating: the same action as the first proposer's, state unchanged
            action, note = "rate", RATINGS[rating] + paper + (f"：{comment}" if comment else "")
        log(
            reply.assignment.proposal,
            actor,
            action,
            reply.state,
            reply.state,
            assignment=reply.assignment,
            reply=reply,
            comment=note,
            now=now,
        )
        db.session.flush()
        return reply
    target = move("reply", "rate", reply, actor)
    assignment = reply.assignment
    if rating == "unsatisfied" and assignment.round == 1:
        a_target = A.REHANDLING
    else:
        a_target = A.CLOSED
    move("assignment", "rate", assignment, actor, to=a_target)
    raise_if(errors)
    proposal = assignment.proposal
    db.session.add(
        Rating(
            reply=reply,
            rater_id=actor.id,
            is_primary=True,
            rating=rating,
            comment=comment,
            created_at=now,
            **marks,
        )
    )
    reply.state = target
    log(
        proposal,
        actor,
        "rate",
        R.DELIVERED,
        target,
        assignment=assignment,
        reply=reply,
        comment=RATINGS[rating] + paper + (f"：{comment}" if comment else ""),
        now=now,
    )
    if a_target == A.REHANDLING:
        conf = committee_settings.all_settings()
        assignment.round = 2
        assignment.round_started_on = today
        assignment.reply_due = add_months(today, conf["rehandling_due_months"])
        assignment.extended_to = None
        log(
            proposal,
            None,
            "rehandle",
            A.REPLIED,
            A.REHANDLING,
            assignment=assignment,
            now=now,
            comment=f"重新办理，答复期限 {assignment.reply_due.isoformat()}",
        )
    else:
        assignment.closed_at = now
        if rating == "unsatisfied":
            proposal.consultation_due = True
    assignment.state = a_target
    maybe_close(proposal, now=now)
    db.session.flush()
    return reply


def expire_ratings(*, now=None):
    """System sweep: replies not rated within the window close as unrated."""
    now, today = clock(now)
    replies = (
        db.session.scalars(
            select(Reply)
            .where(Reply.state == R.DELIVERED, Reply.rating_due < today)
            .options(
                joinedload(Reply.assignment)
                .joinedload(Assignment.proposal)
                .selectinload(Proposal.assignments)
            )
        )
        .unique()
        .all()
    )
    for reply in replies:
        target = move("reply", "expire_rating", reply, None)
        assignment = reply.assignment
        a_target = move("assignment", "expire_rating", assignment, None)
        reply.state = target
        assignment.state, assignment.closed_at = a_target, now
        log(
            assignment.proposal,
            None,
            "expire_rating",
            R.DELIVERED,
            target,
            assignment=assignment,
            reply=reply,
            comment="测评期限已过，视为未测评",
            now=now,
        )
        maybe_close(assignment.proposal, now=now)
    db.session.flush()
    return replies


def settle_acceptances(*, now=None):
    """System sweep: pending assignments past their window count as accepted."""
    now, today = clock(now)
    pending = db.session.scalars(
        select(Assignment)
        .where(Assignment.state == A.PENDING, Assignment.accept_due < today)
        .options(joinedload(Assignment.proposal))
    ).all()
    for assignment in pending:
        _settle_acceptance(assignment, now, today)
    db.session.flush()
    return pending


def follow_up(actor, assignment, data, *, now=None):
    """跟踪办理 of a B-class reply until the unit reports it done."""
    _require_unit(actor, assignment)
    move("assignment", "follow_up", assignment, actor)
    if not assignment.follow_up_open:
        raise InvalidState(_("此项没有待跟踪办理的 B 类答复"))
    errors = {}
    text = text_field(errors, data, "text", N_("办理进展"), max_len=5000)
    done = bool_field(errors, data, "done", N_("是否已办结"))
    raise_if(errors)
    now, _today = clock(now)
    db.session.add(
        FollowUp(assignment=assignment, text=text, done=done, author_id=actor.id, created_at=now)
    )
    if done:
        assignment.follow_up_open = False
    log(
        assignment.proposal,
        actor,
        "follow_up",
        assignment.state,
        assignment.state,
        assignment=assignment,
        comment=text + ("（已完成）" if done else ""),
        now=now,
    )
    db.session.flush()
    return assignment


def maybe_close(proposal, *, now=None):
    """A proposal is closed (办结) when every reply it needs is closed (rated or unrated)."""
    if proposal.state != P.ASSIGNED:
        return False
    live = [a for a in loaded(proposal, "assignments").assignments if a.state != A.REASSIGNED]
    needed = [a for a in live if a.role != "co"]
    if not needed or any(a.state != A.CLOSED for a in needed):
        return False
    now, _today = clock(now)
    for a in live:
        if a.state != A.CLOSED:
            move("assignment", "close", a, None)
            log(proposal, None, "close", a.state, A.CLOSED, assignment=a, now=now)
            a.state, a.closed_at = A.CLOSED, now
    move("proposal", "close", proposal, None)
    proposal.state, proposal.closed_at = P.CLOSED, now
    log(proposal, None, "close", P.ASSIGNED, P.CLOSED, now=now)
    return True
