"""Proposal operations: one function per action (drafting, co-signing, review, assignment).

Each checks role, ownership and state, then changes the records and writes one history row.
They only flush; the caller (a request, a command, a task) commits once. A refusal raises a
DomainError before anything has been changed.
"""

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..accounts.models import Department, User
from ..committee import settings as committee_settings
from ..committee.calendar import add_months, load_calendar
from ..committee.models import DISPOSITIONS, Category, CommitteeSession, Counter, NotFiledReason
from ..errors import InvalidState, NotFound, NotPermitted, ValidationError
from ..extensions import db
from ..handling import office
from ..handling.models import ROLE_LABELS
from ..handling.operations import create_assignment
from ..i18n import N_, _, join
from ..inputs import MAX_ID
from .core import clock, date_field, loaded, log, move, raise_if, text_field
from .models import Cosigner, HistoryEntry, Proposal, ReviewDecision
from .states import CosignerState, Role
from .states import ProposalState as P

EDITABLE = ("title", "category", "analysis", "suggestions", "cosigners", "suggested_departments")


def current_session():
    session = db.session.scalar(select(CommitteeSession).where(CommitteeSession.is_current))
    if session is None:
        raise InvalidState(_("当前没有开放的会次，请联系提案委员会办公室"))
    return session


def next_counter(session_id, kind):
    """Take the next value of a per-session sequence (see Counter)."""
    value = db.session.scalar(
        update(Counter)
        .where(Counter.session_id == session_id, Counter.kind == kind)
        .values(last_value=Counter.last_value + 1)
        .returning(Counter.last_value)
    )
    if value is None:
        db.session.add(Counter(session_id=session_id, kind=kind, last_value=1))
        db.session.flush()
        value = 1
    return value


def _read_content(actor, data, *, partial):
    """Validate the editable fields present in ``data`` and resolve codes and usernames."""
    unknown = set(data) - set(EDITABLE) - {"version"}
    errors = {name: _("不支持的字段") for name in sorted(unknown)}
    out = {}
    max_chars = committee_settings.get("proposal_max_chars")
    if not partial or "title" in data:
        out["title"] = text_field(errors, data, "title", N_("案由"), max_len=200)
        if out["title"]:  # a title is one line (it goes into e-mail subjects and lists)
            out["title"] = " ".join(out["title"].split())
    if not partial or "category" in data:
        code = data.get("category")
        category = None
        if isinstance(code, str) and code:
            category = db.session.scalar(
                select(Category).where(Category.code == code, Category.active)
            )
        if category is None:
            errors["category"] = _("请选择有效的提案类别")
        out["category"] = category
    for name, label in (("analysis", N_("情况分析")), ("suggestions", N_("具体建议"))):
        if not partial or name in data:
            value = text_field(errors, data, name, label, required=False, max_len=max_chars)
            out[name] = value or ""
    if "cosigners" in data:
        out["cosigners"] = _resolve_cosigners(actor, data["cosigners"], errors)
    if "suggested_departments" in data:
        out["suggested_departments"] = _resolve_departments(data["suggested_departments"], errors)
    raise_if(errors)
    return out


def _resolve_cosigners(actor, usernames, errors):
    if not isinstance(usernames, list) or not all(isinstance(u, str) for u in usernames):
        errors["cosigners"] = _("联名人应为用户名列表")
        return []
    if usernames and actor.is_organisation:
        errors["cosigners"] = _("集体提案不设联名人")
        return []
    usernames = list(dict.fromkeys(usernames))
    cap = committee_settings.get("cosigners_max")
    if len(usernames) > cap:  # before any lookup: one invitation (and message) per name
        errors["cosigners"] = _(
            "联名人最多 %(n)d 位，现有 %(count)d 位", n=cap, count=len(usernames)
        )
        return []
    users, wrong = [], []
    for name in usernames:
        user = db.session.scalar(select(User).where(User.username == name))
        if (
            user is None
            or not user.active
            or user.role != Role.MEMBER
            or user.is_organisation
            or user.id == actor.id
        ):
            wrong.append(name)
        else:
            users.append(user)
    if wrong:
        errors["cosigners"] = _("以下用户不能作为联名人：%(names)s", names=join(wrong))
    return users


def _resolve_departments(codes, errors):
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        errors["suggested_departments"] = _("建议承办单位应为单位代码列表")
        return []
    found = db.session.scalars(
        select(Department).where(Department.code.in_(codes), Department.active)
    ).all()
    missing = sorted(set(codes) - {d.code for d in found})
    if missing:
        errors["suggested_departments"] = _("未知的单位代码：%(codes)s", codes=join(missing))
    return list(found)


def _apply_content(proposal, content):
    loaded(proposal, *(n for n in ("cosigners", "suggested_departments") if n in content))
    for name in ("title", "analysis", "suggestions"):
        if name in content:
            setattr(proposal, name, content[name])
    if content.get("category") is not None:
        proposal.category = content["category"]
    if "suggested_departments" in content:
        proposal.suggested_departments = content["suggested_departments"]
    if "cosigners" in content:
        wanted = {u.id: u for u in content["cosigners"]}
        for cosigner in list(proposal.cosigners):
            if cosigner.user_id not in wanted:
                proposal.cosigners.remove(cosigner)
        have = {c.user_id for c in proposal.cosigners}
        for user_id, user in wanted.items():
            if user_id not in have:
                proposal.cosigners.append(Cosigner(user=user, state=CosignerState.INVITED))


def _require_proposer(actor, proposal):
    if not proposal.is_proposer(actor):
        raise NotPermitted(_("只有第一提案人可以执行此操作"))


def create_proposal(actor, data, *, now=None):
    """A member starts a draft (草稿) in the current session."""
    move("proposal", "create", None, actor)
    now, _today = clock(now)
    session = current_session()
    content = _read_content(actor, data, partial=False)
    proposal = Proposal(
        session=session,
        proposer=actor,
        state=P.DRAFT,
        created_at=now,
        kind="collective" if actor.is_organisation else "individual",
    )
    _apply_content(proposal, content)
    db.session.add(proposal)
    db.session.flush()
    log(proposal, actor, "create", None, P.DRAFT, now=now)
    return proposal


def edit_proposal(actor, proposal, data, *, now=None):
    _require_proposer(actor, proposal)
    move("proposal", "edit", proposal, actor)
    content = _read_content(actor, data, partial=True)
    _apply_content(proposal, content)
    # one history entry for a run of edits (the form saves as it is typed): a new one only
    # when something else happened to the draft since the last edit
    last = db.session.scalar(
        select(HistoryEntry)
        .where(HistoryEntry.proposal_id == proposal.id)
        .order_by(HistoryEntry.id.desc())
        .limit(1)
    )
    if last is None or last.action != "edit" or last.actor_id != actor.id:
        log(proposal, actor, "edit", P.DRAFT, P.DRAFT, now=now)
    db.session.flush()
    return proposal


def check_complete(proposal):
    """What a proposal needs before it can be submitted (一事一案, 具体建议 required)."""
    limits = committee_settings.all_settings()
    errors = {}
    if not proposal.title:
        errors["title"] = _("请填写案由")
    if not proposal.suggestions.strip():
        errors["suggestions"] = _("请填写具体建议")
    length = len(proposal.analysis.strip()) + len(proposal.suggestions.strip())
    if length < limits["proposal_min_chars"]:
        errors.setdefault(
            "suggestions",
            _(
                "正文（情况分析与具体建议）不能少于 %(min)d 字，现有 %(n)d 字",
                min=limits["proposal_min_chars"],
                n=length,
            ),
        )
    elif length > limits["proposal_max_chars"]:
        errors["suggestions"] = _(
            "正文不能超过 %(max)d 字，现有 %(n)d 字", max=limits["proposal_max_chars"], n=length
        )
    raise_if(errors)


def submit_proposal(actor, proposal, *, now=None):
    """Draft → awaiting co-signers (联名) or submitted."""
    _require_proposer(actor, proposal)
    target = P.AWAITING_COSIGNERS if loaded(proposal, "cosigners").cosigners else P.SUBMITTED
    move("proposal", "submit", proposal, actor, to=target)
    check_complete(proposal)
    now, today = clock(now)
    if proposal.cosigners:
        window = committee_settings.get("cosign_window_working_days")
        expires = load_calendar().add_working_days(today, window)
        for cosigner in proposal.cosigners:
            cosigner.state = CosignerState.INVITED
            cosigner.invited_at, cosigner.expires_on, cosigner.responded_at = now, expires, None
        # a joint proposal while its co-signers are invited (_settle_cosigning decides for good)
        if proposal.kind == "individual":
            proposal.kind = "joint"
        proposal.state = target
        log(proposal, actor, "submit", P.DRAFT, target, now=now)
    else:
        proposal.state = P.SUBMITTED
        log(proposal, actor, "submit", P.DRAFT, P.SUBMITTED, now=now)
        _mark_received(proposal, now, today)
    db.session.flush()
    return proposal


def _mark_received(proposal, now, today):
    proposal.submitted_at = now
    session = proposal.session
    proposal.is_plenary = session.in_collection_window(today)  # received within 征集期
    if proposal.receipt_serial is None:
        proposal.receipt_serial = next_counter(proposal.session_id, "receipt")


def respond_to_invitation(actor, proposal, accept, *, now=None):
    """An invited co-signer confirms or declines (联名确认)."""
    if not isinstance(accept, bool):
        raise ValidationError(fields={"accept": _("请说明是否同意联名（true 或 false）")})
    cosigner = loaded(proposal, "cosigners").cosigner_for(actor) if actor else None
    if cosigner is None:
        raise NotPermitted(_("您没有被邀请联名此提案"))
    action = "cosign_accept" if accept else "cosign_decline"
    move("proposal", action, proposal, actor, to=P.AWAITING_COSIGNERS)
    now, today = clock(now)
    if cosigner.state != CosignerState.INVITED:
        raise InvalidState(_("您已答复过此联名邀请"))
    if cosigner.expires_on and today > cosigner.expires_on:
        raise InvalidState(_("联名邀请已过期"))
    cosigner.state = CosignerState.ACCEPTED if accept else CosignerState.DECLINED
    cosigner.responded_at = now
    to_state = _settle_cosigning(proposal, now, today)
    log(proposal, actor, action, P.AWAITING_COSIGNERS, to_state, now=now)
    db.session.flush()
    return proposal


def _settle_cosigning(proposal, now, today):
    """Once no invitation is open the proposal is submitted: joint if anyone accepted."""
    if any(c.state == CosignerState.INVITED for c in proposal.cosigners):
        return P.AWAITING_COSIGNERS
    accepted = any(c.state == CosignerState.ACCEPTED for c in proposal.cosigners)
    proposal.kind = "joint" if accepted else "individual"
    proposal.state = P.SUBMITTED
    _mark_received(proposal, now, today)
    return P.SUBMITTED


def expire_invitations(*, now=None):
    """System sweep: invitations past their date expire; their proposals move on."""
    now, today = clock(now)
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.state == P.AWAITING_COSIGNERS)
        .where(
            Proposal.cosigners.any(
                (Cosigner.state == CosignerState.INVITED) & (Cosigner.expires_on < today)
            )
        )
        .options(selectinload(Proposal.cosigners))
    ).all()
    for proposal in proposals:
        move("proposal", "cosign_expire", proposal, None)
        for cosigner in proposal.cosigners:
            if cosigner.state == CosignerState.INVITED and cosigner.expires_on < today:
                cosigner.state = CosignerState.EXPIRED
        to_state = _settle_cosigning(proposal, now, today)
        log(proposal, None, "cosign_expire", P.AWAITING_COSIGNERS, to_state, now=now)
    db.session.flush()
    return proposals


def withdraw_proposal(actor, proposal, reason, *, now=None):
    """撤案, before filing only."""
    _require_proposer(actor, proposal)
    from_state = proposal.state
    target = move("proposal", "withdraw", proposal, actor)
    errors = {}
    reason = text_field(errors, {"reason": reason}, "reason", N_("撤案理由"), max_len=2000)
    raise_if(errors)
    loaded(proposal, "cosigners")
    proposal.state, proposal.withdraw_reason = target, reason
    for cosigner in proposal.cosigners:
        if cosigner.state == CosignerState.INVITED:
            cosigner.state = CosignerState.EXPIRED
    if from_state == P.AWAITING_COSIGNERS and proposal.kind == "joint":
        accepted = any(c.state == CosignerState.ACCEPTED for c in proposal.cosigners)
        proposal.kind = "joint" if accepted else "individual"
    if proposal.submitted_at is None:
        now, today = clock(now)
        _mark_received(proposal, now, today)
    log(proposal, actor, "withdraw", from_state, target, comment=reason, now=now)
    db.session.flush()
    return proposal


REVIEW_DECISIONS = {"file", "not_file", "merge", "return"}
DECISION_WORDS = {"file": "立案", "not_file": "不予立案", "merge": "并案", "return": "退回修改"}


def review_proposal(actor, proposal, data, *, now=None):
    """立案审查: file, not file (reason and disposition), merge (并案) or return for revision.

    Under staged review (setting staged_review) a filing decision on a submitted proposal is the
    初审: it is checked in full and recorded, and the proposal waits for the 审定, which another
    secretariat account takes by reviewing it again (confirming or changing the decision). A
    return for revision needs no 审定."""
    decision = data.get("decision")
    if decision not in REVIEW_DECISIONS:
        move("proposal", "file", proposal, actor)  # role and state first
        raise ValidationError(
            fields={"decision": _("审查结论应为 file、not_file、merge 或 return")}
        )
    preliminary = (
        decision != "return"
        and proposal.state == P.SUBMITTED
        and committee_settings.get("staged_review")
    )
    target = move("proposal", "pre_review" if preliminary else decision, proposal, actor)
    if proposal.state == P.PRE_REVIEWED:
        first = _preliminary_review(proposal)
        if first is not None and first.reviewer_id == actor.id:
            raise NotPermitted(_("初审与审定须由不同人员进行"))
    now, _today = clock(now)
    errors = {}
    review = _read_review(proposal, decision, data, errors)
    raise_if(errors)
    if preliminary:
        return _record_preliminary(actor, proposal, decision, review, target, now)
    comment = review["comment"]
    if decision == "file":
        title = review["title"]
        if title and title != proposal.title:
            log(
                proposal,
                actor,
                "correct_title",
                proposal.state,
                proposal.state,
                comment=f"案由由“{proposal.title}”改为“{title}”",
                now=now,
            )
            proposal.title = title
        proposal.category = review["category"]
        proposal.number = next_counter(proposal.session_id, "number")
        proposal.filed_at = now
    elif decision == "not_file":
        proposal.not_filed_reason = review["reason"]
        proposal.not_filed_disposition = review["disposition"]
    elif decision == "merge":
        host = review["host"]
        proposal.merged_into = host
        log(
            host,
            actor,
            "absorb",
            host.state,
            host.state,
            comment=f"并入提案（收件号 {proposal.receipt_serial}）：{proposal.title}",
            now=now,
        )
    from_state = proposal.state
    proposal.state = target
    proposal.review_comment = comment
    db.session.add(
        ReviewDecision(
            proposal_id=proposal.id,
            reviewer_id=actor.id,
            decision=decision,
            comment=comment,
            category_id=proposal.category_id if decision == "file" else None,
            reason_id=proposal.not_filed_reason.id if decision == "not_file" else None,
            disposition=proposal.not_filed_disposition if decision == "not_file" else None,
            merge_into_id=proposal.merged_into.id if decision == "merge" else None,
            created_at=now,
        )
    )
    log(proposal, actor, decision, from_state, target, comment=comment, now=now)
    db.session.flush()
    return proposal


def _read_review(proposal, decision, data, errors):
    """The review's inputs, checked: the same for a 初审 and a final decision."""
    review = {
        "comment": text_field(
            errors, data, "comment", N_("审查意见"), required=decision == "return", max_len=2000
        )
    }
    if decision == "file":
        category = proposal.category
        if data.get("category"):
            category = db.session.scalar(
                select(Category).where(Category.code == data["category"], Category.active)
            )
            if category is None:
                errors["category"] = _("未知的提案类别")
        title = None
        if data.get("title") is not None:  # the reviewer corrects the 案由 as it is filed
            title = text_field(errors, data, "title", N_("案由"), max_len=200)
            title = " ".join(title.split()) if title else title
        review.update(category=category, title=title)
    elif decision == "not_file":
        reason = None
        if isinstance(data.get("reason_code"), str):
            reason = db.session.scalar(
                select(NotFiledReason).where(
                    NotFiledReason.code == data["reason_code"], NotFiledReason.active
                )
            )
        if reason is None:
            errors["reason_code"] = _("请选择有效的不予立案理由")
        disposition = data.get("disposition") or "none"
        if disposition not in DISPOSITIONS:
            errors["disposition"] = _("处理方式应为 opinion、letter、social_info 或 none")
        review.update(reason=reason, disposition=disposition)
    elif decision == "merge":
        review["host"] = _merge_target(proposal, data.get("merge_into"), errors)
    return review


def _preliminary_review(proposal):
    """The 初审 a proposal waiting for 审定 carries (its latest preliminary decision)."""
    return db.session.scalar(
        select(ReviewDecision)
        .where(ReviewDecision.proposal_id == proposal.id, ReviewDecision.stage == "preliminary")
        .order_by(ReviewDecision.id.desc())
        .limit(1)
    )


def _record_preliminary(actor, proposal, decision, review, target, now):
    """初审: the decision is recorded as proposed; nothing else about the proposal changes."""
    title = review.get("title")
    category = review.get("category")
    reason = review.get("reason")
    host = review.get("host")
    db.session.add(
        ReviewDecision(
            proposal_id=proposal.id,
            reviewer_id=actor.id,
            decision=decision,
            stage="preliminary",
            comment=review["comment"],
            title=title if title and title != proposal.title else None,
            category_id=category.id if category is not None else None,
            reason_id=reason.id if reason is not None else None,
            disposition=review.get("disposition"),
            merge_into_id=host.id if host is not None else None,
            created_at=now,
        )
    )
    words = [f"初审意见：{DECISION_WORDS[decision]}"]
    if title and title != proposal.title:
        words.append(f"案由拟改为“{title}”")
    if category is not None and category.id != proposal.category_id:
        words.append(f"类别拟改为{category.name}")
    if reason is not None:
        words.append(reason.name)
    if host is not None:
        words.append(f"拟并入{host.number_label or host.title}")
    if review["comment"]:
        words.append(review["comment"])
    from_state = proposal.state
    proposal.state = target
    log(proposal, actor, "pre_review", from_state, target, comment="；".join(words), now=now)
    db.session.flush()
    return proposal


BATCH_MAX = 500


def review_batch(actor, ids, data, *, now=None):
    """批量立案: file many submitted proposals (and set their category, when given) in one action,
    in the order they were received, each with its history entry. All or nothing: the first
    proposal that cannot be filed raises, naming it, and the caller rolls everything back."""
    if actor is None or actor.role != Role.SECRETARIAT:
        raise NotPermitted(_("只有提案委员会办公室可以审查提案"))
    errors = {}
    if (
        not isinstance(ids, list)
        or not ids
        or len(ids) > BATCH_MAX
        or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i <= MAX_ID for i in ids)
    ):
        errors["ids"] = _("请选择 1 到 %(n)d 件提案（id 列表）", n=BATCH_MAX)
    if data.get("decision") != "file":
        errors["decision"] = _("批量审查只能立案（file）")
    raise_if(errors)
    wanted = list(dict.fromkeys(ids))
    found = {p.id: p for p in db.session.scalars(select(Proposal).where(Proposal.id.in_(wanted)))}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFound(_("提案 %(id)d 不存在", id=missing[0]))
    order = sorted(found.values(), key=lambda p: (p.session_id, p.receipt_serial or 0, p.id))
    for proposal in order:
        try:
            review_proposal(
                actor, proposal, {"decision": "file", "category": data.get("category")}, now=now
            )
        except (InvalidState, ValidationError) as exc:
            named = _(
                "收件号 %(serial)s（id %(id)d）：%(message)s",
                serial=proposal.receipt_serial or "—",
                id=proposal.id,
                message=exc.message,
            )
            raise type(exc)(named, fields={"ids": named, **exc.fields}) from None
    db.session.flush()
    return order


def _merge_target(proposal, target_id, errors):
    # an id a proposal may have: a larger one is a database error, not merely no proposal
    if isinstance(target_id, bool) or not isinstance(target_id, int) or not 0 < target_id <= MAX_ID:
        errors["merge_into"] = _("请指定并入的已立案提案编号（id）")
        return None
    host = db.session.get(Proposal, target_id)
    if host is None or host.id == proposal.id or host.state not in (P.FILED, P.ASSIGNED, P.CLOSED):
        errors["merge_into"] = _("只能并入一件已立案的提案")
        return None
    return host


def assign_proposal(actor, proposal, departments, due_date=None, *, now=None):
    """交办 to units: one lead (sole), one lead plus co-units (主办+会办), or several leads
    (分办)."""
    target = move("proposal", "assign", proposal, actor)
    now, today = clock(now)
    errors = {}
    plan = _read_assignment_plan(departments, errors)
    if due_date is not None:
        due_date = date_field(errors, {"due_date": due_date}, "due_date", N_("答复期限"))
        limit = add_months(today, committee_settings.get("extension_max_months"))
        if due_date is not None and not today < due_date <= limit:
            errors["due_date"] = _("答复期限应在今天之后且不晚于 %(date)s", date=limit.isoformat())
    raise_if(errors)
    leads = [d for d, r in plan if r == "lead"]
    split = len(leads) > 1
    # joint assignment: when an office supervises any of the units, the whole plan waits for
    # the offices' confirmation and starts at once
    waiting = (
        office.supervised(d.id for d, _r in plan)
        if committee_settings.get("joint_assignment")
        else set()
    )
    proposal.state = target
    log(
        proposal,
        actor,
        "assign",
        P.FILED,
        target,
        comment="、".join(
            f"{d.name}（{ROLE_LABELS['split' if split and r == 'lead' else r]}）" for d, r in plan
        ),
        now=now,
    )
    for department, role in plan:
        create_assignment(
            actor,
            proposal,
            department,
            "split" if split and role == "lead" else role,
            due_date=due_date,
            now=now,
            proposed=bool(waiting),
            confirmed=department.id not in waiting,
        )
    db.session.flush()
    return proposal


def _read_assignment_plan(departments, errors):
    if not isinstance(departments, list) or not departments:
        errors["departments"] = _("请至少指定一个承办单位")
        return []
    plan, seen = [], set()
    for item in departments:
        if not isinstance(item, dict) or item.get("role") not in ("lead", "co"):
            errors["departments"] = _("每个承办单位应写明 code 和 role（lead 或 co）")
            return []
        code = item.get("code")
        department = db.session.scalar(
            select(Department).where(Department.code == code, Department.active)
        )
        if department is None:
            errors["departments"] = _("未知的单位代码：%(codes)s", codes=code)
            return []
        if department.id in seen:
            errors["departments"] = _("单位重复：%(name)s", name=department.name)
            return []
        seen.add(department.id)
        plan.append((department, item["role"]))
    leads = sum(1 for _d, r in plan if r == "lead")
    cos = len(plan) - leads
    if leads == 0:
        errors["departments"] = _("须有一个主办单位")
    elif leads > 1 and cos:
        errors["departments"] = _("分办时不设会办单位；主办加会办时只能有一个主办单位")
    return plan


def mark_key(actor, proposal, key, supervisor=None, *, now=None):
    """Mark or unmark a key proposal (重点提案) with its supervising leader (督办领导)."""
    move("proposal", "mark_key", proposal, actor)
    errors = {}
    if not isinstance(key, bool):
        errors["key"] = _("key 应为 true 或 false")
    leader = None
    if key is True:
        if not isinstance(supervisor, str) or not supervisor:
            errors["supervisor"] = _("请指定督办领导（用户名）")
        else:
            leader = db.session.scalar(select(User).where(User.username == supervisor, User.active))
            if leader is None:
                errors["supervisor"] = _("未知的用户：%(name)s", name=supervisor)
    raise_if(errors)
    proposal.is_key, proposal.supervisor = key, leader
    log(
        proposal,
        actor,
        "mark_key" if key else "unmark_key",
        proposal.state,
        proposal.state,
        comment=f"督办领导：{leader.name}" if leader else None,
        now=now,
    )
    db.session.flush()
    return proposal


def record_consultation(actor, proposal, note, *, now=None):
    """After a second 不满意 the secretariat records the face-to-face consultation."""
    move("proposal", "record_consultation", proposal, actor)
    if not proposal.consultation_due:
        raise InvalidState(_("此提案没有待办的当面协商"))
    errors = {}
    note = text_field(errors, {"note": note}, "note", N_("协商情况"), max_len=5000)
    raise_if(errors)
    proposal.consultation_due, proposal.consultation_note = False, note
    log(
        proposal,
        actor,
        "record_consultation",
        proposal.state,
        proposal.state,
        comment=note,
        now=now,
    )
    db.session.flush()
    return proposal
