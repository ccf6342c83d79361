"""Events (docs/domain.md): what an action tells the people it concerns, at once.

Every action writes a history entry (workflow/core.py ``log``), and ``told`` is called with it:
the table ACTIONS below says, per history action, which event that is, who hears of it and in
what words. The notification and its deliveries are written in the action's own transaction
(an outbox): if the action is rolled back, nobody is told; once it commits, the dispatcher
(dispatch.py) sends the deliveries within seconds. The person who acted is never told of
their own action.

Each event has two texts: the full one for the notification list, e-mail and WeChat Work (with
the title, never a proposal's text or anyone's contact details: a comment quoted is redacted
as the public portal redacts) and a short one for SMS (at most SHORT_MAX characters, with the
proposal's number only).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..accounts.models import User, office_units
from ..committee import settings as committee_settings
from ..committee.models import DISPOSITION_LABELS
from ..disclosure.redact import redact
from ..extensions import db
from ..handling.models import ROLE_LABELS, Assignment
from ..workflow.models import Cosigner, Proposal
from ..workflow.states import AssignmentState as A
from ..workflow.states import CosignerState
from ..workflow.states import ReplyState as R
from .models import Delivery, Notification
from .preferences import Choice, load

SHORT_MAX = 60


@dataclass
class Action:
    """One history entry, with the records it names (as the operation holds them)."""

    name: str
    proposal: Proposal
    actor: User | None
    to_state: str | None
    assignment: Assignment | None
    reply: object
    comment: str | None
    now: datetime


def day(d):
    return f"{d.year}年{d.month}月{d.day}日"


def short_day(d):
    return f"{d.month}月{d.day}日"


def title(p):
    return f"《{redact(p.title)}》"


# --- who ---------------------------------------------------------------------------------------


def proposers(p):
    """The first proposer (an organisation account for a collective proposal) and the
    co-signers who accepted."""
    accepted = db.session.scalars(
        select(Cosigner.user_id).where(
            Cosigner.proposal_id == p.id, Cosigner.state == CosignerState.ACCEPTED
        )
    )
    return [p.proposer_id, *accepted]


def raters(p):
    """Those who may rate a reply: the first proposer, the first proposers of the proposals
    merged into this one and, when every proposer rates (setting rating_by), the co-signers
    who accepted."""
    merged = db.session.scalars(select(Proposal.proposer_id).where(Proposal.merged_into_id == p.id))
    if committee_settings.get("rating_by") == "all":
        return [*proposers(p), *merged]
    return [p.proposer_id, *merged]


def staff(department_id, roles=("clerk", "department_head")):
    return list(
        db.session.scalars(
            select(User.id).where(
                User.department_id == department_id, User.role.in_(roles), User.active
            )
        )
    )


def secretariat():
    return list(db.session.scalars(select(User.id).where(User.role == "secretariat", User.active)))


def offices(department_id):
    """The active office accounts that supervise this unit."""
    return list(
        db.session.scalars(
            select(User.id)
            .join(office_units, office_units.c.user_id == User.id)
            .where(
                office_units.c.department_id == department_id,
                User.role == "office",
                User.active,
            )
        )
    )


def unit_name(assignment):
    return assignment.department.name


# --- what: one function per history action ----------------------------------------------------
# Each returns (kind, recipients, text, short text) or None (nothing to tell).


def submitted(a):
    if a.to_state != "awaiting_cosigners":
        return None
    p = a.proposal
    invited = db.session.execute(
        select(Cosigner.user_id, Cosigner.expires_on).where(
            Cosigner.proposal_id == p.id, Cosigner.state == CosignerState.INVITED
        )
    ).all()
    name = db.session.get(User, p.proposer_id).name
    events = []
    for user_id, expires in invited:
        events.append(
            (
                "cosign_invited",
                [user_id],
                f"{name}邀请您联名提案{title(p)}，请于{day(expires)}前确认。",
                f"{name}邀请您联名一件提案，请于{short_day(expires)}前登录系统确认。",
            )
        )
    return events


def filed(a):
    p = a.proposal
    return (
        "proposal_filed",
        proposers(p),
        f"您的提案{title(p)}已立案，提案号{p.number_label}。",
        f"您的提案已立案，提案号{p.number_label}。",
    )


def not_filed(a):
    p = a.proposal
    reason = p.not_filed_reason  # set by the review, in memory
    disposition = DISPOSITION_LABELS.get(p.not_filed_disposition, "")
    return (
        "proposal_not_filed",
        proposers(p),
        f"您的提案{title(p)}经审查不予立案。理由：{reason.name if reason else ''}；"
        f"处理方式：{disposition}。",
        "您的提案经审查不予立案，理由和处理方式请登录系统查看。",
    )


def merged(a):
    p = a.proposal
    host = p.merged_into  # set by the review, in memory
    return (
        "proposal_merged",
        proposers(p),
        f"您的提案{title(p)}已并入{host.number_label}提案{title(host)}办理。",
        f"您的提案已并入{host.number_label}提案办理。",
    )


def returned(a):
    p = a.proposal
    return (
        "proposal_returned",
        proposers(p),
        f"您的提案{title(p)}已退回修改。意见：{redact(a.comment or '')}",
        "您的提案已退回修改，请登录系统查看意见。",
    )


def assigned(a):
    p, x = a.proposal, a.assignment
    role = ROLE_LABELS[x.role]
    if a.to_state == A.PROPOSED:  # joint assignment: the unit hears of it once it starts
        if x.confirmed_at is not None:
            return None
        text = f"{p.number_label}提案{title(p)}拟交{unit_name(x)}（{role}），待您确认。"
        short = f"{p.number_label}提案拟交{unit_name(x)}办理，待您确认。"
        return ("assignment_confirm_needed", offices(x.department_id), text, short[:SHORT_MAX])
    return (
        "assignment_new",
        staff(x.department.id),
        f"新交办提案：{p.number_label}{title(p)}（{role}），请于{day(x.accept_due)}前签收。",
        f"贵单位有新交办的{p.number_label}提案（{role}），请于{short_day(x.accept_due)}前签收。",
    )


def not_confirmed(a):
    p, x = a.proposal, a.assignment
    text = f"督查室不同意{p.number_label}提案{title(p)}交{unit_name(x)}办理，请重新交办。"
    short = f"{p.number_label}提案交办未获督查室确认，请重新交办。"
    return ("assignment_not_confirmed", secretariat(), text, short)


def reassignment_decided(a):
    p, x = a.proposal, a.assignment
    if a.name == "approve_reassignment":
        text = f"{p.number_label}提案的调整申请已同意，改由其他单位承办。"
    else:
        text = f"{p.number_label}提案的调整申请未同意，请贵单位继续办理。"
    return ("reassignment_decided", staff(x.department_id), text, text)


def extension_decided(a):
    p, x = a.proposal, a.assignment
    due = x.effective_due
    if a.name == "approve_extension":
        text = f"{p.number_label}提案的延期申请已同意，答复期限为{day(due)}。"
    else:
        text = f"{p.number_label}提案的延期申请未同意，答复期限仍为{day(due)}。"
    return ("extension_decided", staff(x.department_id), text, text)


def opinion_received(a):
    p, x = a.proposal, a.assignment
    lead = db.session.scalar(
        select(Assignment.department_id).where(
            Assignment.proposal_id == p.id,
            Assignment.role == "lead",
            Assignment.state != A.REASSIGNED,
        )
    )
    if lead is None:
        return None
    text = f"{unit_name(x)}已提交{p.number_label}提案的会办意见。"
    return ("opinion_received", staff(lead, ("clerk",)), text, text)


def reply_waits(a):
    p, x = a.proposal, a.assignment
    if a.to_state == R.AWAITING_SIGNOFF:
        text = f"{p.number_label}提案的答复已起草，待您签发。"
        return ("reply_signoff_needed", staff(x.department_id, ("department_head",)), text, text)
    if a.to_state == R.AWAITING_OFFICE_REVIEW:
        text = f"{unit_name(x)}对{p.number_label}提案的答复待督查室审核。"
        return ("reply_review_needed", offices(x.department_id), text, text)
    if a.to_state == R.AWAITING_REVIEW:
        text = f"{unit_name(x)}对{p.number_label}提案的答复待审核。"
        return ("reply_review_needed", secretariat(), text, text)
    return None


def reply_returned(a):
    p, x = a.proposal, a.assignment
    return (
        "reply_returned",
        staff(x.department_id, ("clerk",)),
        f"{p.number_label}提案的答复被退回修改。意见：{redact(a.comment or '')}",
        f"{p.number_label}提案的答复被退回修改，请登录系统查看意见。",
    )


def reply_delivered(a):
    p, x, reply = a.proposal, a.assignment, a.reply
    return (
        "reply_delivered",
        raters(p),
        f"{unit_name(x)}已答复{p.number_label}提案{title(p)}，"
        f"请于{day(reply.rating_due)}前进行满意度测评。",
        f"{p.number_label}提案已收到答复，请于{short_day(reply.rating_due)}前登录系统测评。",
    )


def rehandling_started(a):
    p, x = a.proposal, a.assignment
    text = (
        f"{p.number_label}提案的答复经测评不满意，{unit_name(x)}须重新办理，"
        f"答复期限为{day(x.reply_due)}。"
    )
    short = f"{p.number_label}提案答复测评不满意，须重新办理，请登录系统查看。"
    return ("rehandling_started", staff(x.department_id) + secretariat(), text, short)


def key_marked(a):
    p = a.proposal
    leader = p.supervisor  # set by the action, in memory
    if leader is None:
        return None
    return (
        "key_marked",
        [leader.id],
        f"{p.number_label}提案{title(p)}已列为重点提案，请您督办。",
        f"{p.number_label}提案已列为重点提案，请您督办。",
    )


def awarded(a):
    p = a.proposal
    return (
        "proposal_excellent",
        proposers(p),
        f"您的提案{p.number_label}{title(p)}被评为优秀提案。",
        f"您的{p.number_label}提案被评为优秀提案。",
    )


ACTIONS = {
    "submit": submitted,
    "file": filed,
    "not_file": not_filed,
    "merge": merged,
    "return": returned,
    "assign_unit": assigned,
    "start_assignment": assigned,
    "refuse_confirmation": not_confirmed,
    "approve_reassignment": reassignment_decided,
    "refuse_reassignment": reassignment_decided,
    "approve_extension": extension_decided,
    "refuse_extension": extension_decided,
    "submit_opinion": opinion_received,
    "draft_reply": reply_waits,
    "signoff": reply_waits,
    "signoff_return": reply_returned,
    "review_return": reply_returned,
    "office_review_reply": reply_waits,
    "office_review_return": reply_returned,
    "deliver_reply": reply_delivered,
    "rehandle": rehandling_started,
    "mark_key": key_marked,
    "award_excellent": awarded,
}


# --- telling -----------------------------------------------------------------------------------


def told(proposal, actor, action, to_state, *, assignment, reply, comment, now):
    """Tell the people an action concerns (called by workflow.core.log for every action)."""
    make = ACTIONS.get(action)
    if make is None:
        return
    made = make(Action(action, proposal, actor, to_state, assignment, reply, comment, now))
    for kind, recipients, text, short in [made] if isinstance(made, tuple) else made or []:
        notify(kind, recipients, proposal, text, short, now=now, actor=actor)


def notify(kind, recipient_ids, proposal, text, short, *, now, actor=None):
    """One notification per recipient (not the actor, only active accounts) with the
    deliveries their choices ask for; added to the session, written with the action."""
    assert len(short) <= SHORT_MAX, short
    ids = [i for i in dict.fromkeys(recipient_ids) if i is not None]
    if actor is not None:
        ids = [i for i in ids if i != actor.id]
    if not ids:
        return []
    users = db.session.scalars(select(User).where(User.id.in_(ids), User.active)).all()
    prefs = load(ids)
    conf = committee_settings.all_settings()
    made = []
    for user in users:
        choice = Choice(user, kind, prefs.get(user.id), conf, now)
        notification = Notification(
            recipient=user,
            kind=kind,
            record_type="proposal",
            record_id=proposal.id,
            proposal_id=proposal.id,
            text=text,
            short_text=short,
            link=f"/proposals/{proposal.id}",
            created_at=now,
            read_at=None if choice.in_app else now,
        )
        for channel, address, not_before in choice.deliveries:
            notification.deliveries.append(
                Delivery(
                    channel=channel,
                    address=address,
                    status="pending",
                    attempts=0,
                    next_attempt_at=not_before,
                )
            )
        db.session.add(notification)
        made.append(notification)
    return made


__all__ = ["told", "notify", "ACTIONS", "SHORT_MAX"]
