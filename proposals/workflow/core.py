"""What every operation shares: the state check against the table, the history row, the clock,
optimistic version checks and input checks that name the field."""

from datetime import date

from sqlalchemy import inspect
from sqlalchemy.orm import MANYTOONE
from sqlalchemy.orm.attributes import set_committed_value

from ..committee.calendar import local_date, utcnow
from ..errors import Conflict, InvalidState, NotPermitted, ValidationError
from ..extensions import db
from ..i18n import N_, _
from ..inputs import MAX_ID, bounded_int
from ..notifications import events
from .models import HistoryEntry
from .states import InvalidTransition, Role, RoleNotAllowed, transition

# Labels are msgids: marked with N_ for the extractor, translated where shown (_(label)).
STATE_LABELS = {
    "draft": N_("草稿"),
    "awaiting_cosigners": N_("待联名确认"),
    "submitted": N_("待审查"),
    "pre_reviewed": N_("待审定"),
    "filed": N_("已立案"),
    "not_filed": N_("不予立案"),
    "merged": N_("已并案"),
    "withdrawn": N_("已撤案"),
    "assigned": N_("已交办"),
    "closed": N_("已办结"),
    "proposed": N_("待督查室确认"),
    "not_confirmed": N_("督查室未确认"),
    "pending": N_("待签收"),
    "reassignment_requested": N_("申请调整中"),
    "handling": N_("办理中"),
    "replied": N_("已答复"),
    "rehandling": N_("重新办理"),
    "reassigned": N_("已调整"),
    "awaiting_signoff": N_("待签发"),
    "awaiting_office_review": N_("待督查室审核"),
    "awaiting_review": N_("待审核"),
    "returned": N_("已退回"),
    "delivered": N_("已送达"),
    "rated": N_("已测评"),
    "unrated": N_("未测评"),
}

ACTION_LABELS = {
    "create": N_("起草"),
    "edit": N_("修改"),
    "submit": N_("提交"),
    "cosign_accept": N_("同意联名"),
    "cosign_decline": N_("谢绝联名"),
    "cosign_expire": N_("联名邀请过期"),
    "withdraw": N_("撤案"),
    "pre_review": N_("初审"),
    "file": N_("立案"),
    "correct_title": N_("更正案由"),
    "not_file": N_("不予立案"),
    "merge": N_("并案"),
    "absorb": N_("并入提案"),
    "return": N_("退回修改"),
    "assign": N_("交办"),
    "assign_unit": N_("交办承办单位"),
    "confirm_assignment": N_("督查室确认交办"),
    "refuse_confirmation": N_("督查室不同意交办"),
    "start_assignment": N_("交办生效"),
    "mark_key": N_("列为重点提案"),
    "nominate_excellent": N_("提名优秀提案"),
    "award_excellent": N_("评为优秀提案"),
    "decline_excellent": N_("未评为优秀提案"),
    "import": N_("历年提案导入"),
    "unmark_key": N_("取消重点提案"),
    "record_consultation": N_("当面协商"),
    "close": N_("办结"),
    "accept": N_("签收"),
    "auto_accept": N_("视为签收"),
    "request_reassignment": N_("申请调整"),
    "approve_reassignment": N_("同意调整"),
    "refuse_reassignment": N_("不同意调整"),
    "record_contact": N_("办前沟通"),
    "submit_opinion": N_("提交会办意见"),
    "request_extension": N_("申请延期"),
    "approve_extension": N_("同意延期"),
    "refuse_extension": N_("不同意延期"),
    "draft_reply": N_("拟写答复"),
    "signoff": N_("签发答复"),
    "signoff_return": N_("退回答复（签发）"),
    "review_reply": N_("审核通过答复"),
    "review_return": N_("退回答复（审核）"),
    "office_review_reply": N_("督查室审核通过答复"),
    "office_review_return": N_("退回答复（督查室审核）"),
    "deliver_reply": N_("答复送达"),
    "rate": N_("满意度测评"),
    "rate_merged": N_("并案提案人测评"),
    "rehandle": N_("重新办理"),
    "expire_rating": N_("测评期限已过"),
    "follow_up": N_("跟踪办理"),
    "withhold_disclosure": N_("设为不公开"),
    "allow_disclosure": N_("恢复公开"),
}


def role_of(actor):
    return Role.SYSTEM if actor is None else Role(actor.role)


def move(machine, action, record, actor, to=None):
    """Check ``action`` on ``record`` against the transition table; return the target state.
    Nothing is changed here: callers assign the state once every other check has passed."""
    try:
        return transition(
            machine, action, record.state if record is not None else None, role_of(actor), to
        )
    except RoleNotAllowed:
        raise NotPermitted(_("您的角色不能执行此操作")) from None
    except InvalidTransition:
        label = _(STATE_LABELS.get(record.state, record.state)) if record is not None else ""
        raise InvalidState(_("当前状态（%(state)s）下不能执行此操作", state=label)) from None


def log(
    proposal,
    actor,
    action,
    from_state,
    to_state,
    *,
    comment=None,
    assignment=None,
    reply=None,
    now=None,
):
    entry = HistoryEntry(
        proposal=proposal,
        actor_id=actor.id if actor else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        assignment_id=assignment.id if assignment is not None else None,
        reply_id=reply.id if reply is not None else None,
        created_at=now or utcnow(),
    )
    db.session.add(entry)
    events.told(
        proposal,
        actor,
        action,
        to_state,
        assignment=assignment,
        reply=reply,
        comment=comment,
        now=entry.created_at,
    )
    return entry


def loaded(record, *names):
    """Load explicitly the named relationships of ``record`` that are not loaded yet and
    return ``record``. Relationships raise instead of loading lazily: the lists and
    pages load what they show with the statement that fetches their rows; an operation on one
    record (called from a page, the API, a command, a sweep or a test) loads here what it
    needs. A many-to-one comes from the identity map when its target is there (no statement),
    each collection not loaded costs one SELECT; what is loaded (or pending) is left as is."""
    state = inspect(record)
    if not state.persistent:
        return record  # a pending record's relationships are what was set on it
    collections = []
    for name in names:
        if name in state.dict:
            continue
        prop = state.mapper.relationships[name]
        if prop.direction is MANYTOONE and prop.secondary is None:
            (column,) = prop.local_columns
            key = state.mapper.get_property_by_column(column).key
            ident = getattr(record, key)
            # from the identity map, or one SELECT of the row; kept on the record
            set_committed_value(
                record, name, None if ident is None else db.session.get(prop.mapper.class_, ident)
            )
        else:
            collections.append(name)
    if collections:
        db.session.refresh(record, collections)
    return record


def clock(now):
    """(now, today in Asia/Shanghai)."""
    now = now or utcnow()
    return now, local_date(now)


def expect_version(record, version):
    """Optimistic concurrency: a client that read version N and acts on version M ≠ N loses."""
    if version is None:
        return
    version = bounded_int(version, 0, MAX_ID)  # a header's text or JSON's integer, not a bool
    if version is None:
        raise ValidationError(
            fields={"version": _("版本号应为 0 到 %(max)d 之间的整数", max=MAX_ID)}
        )
    if record.version != version:
        raise Conflict(_("记录已被他人修改，请刷新后重试"))


def text_field(errors, data, name, label, *, required=True, max_len=None, min_len=None):
    """Read a text field; record a message under its name when it is wrong.
    ``label`` is a msgid (mark it with N_ at the call) and is translated here."""
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = _("请填写%(label)s", label=_(label))
        return None
    if not isinstance(value, str):
        errors[name] = _("%(label)s应为文本", label=_(label))
        return None
    value = value.strip()
    if max_len is not None and len(value) > max_len:
        errors[name] = _("%(label)s不能超过 %(n)d 个字", label=_(label), n=max_len)
    elif min_len is not None and len(value) < min_len:
        errors[name] = _("%(label)s不能少于 %(n)d 个字", label=_(label), n=min_len)
    return value


def date_field(errors, data, name, label, *, required=True):
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors[name] = _("请填写%(label)s", label=_(label))
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = _("%(label)s应为 YYYY-MM-DD 格式的日期", label=_(label))
        return None


def bool_field(errors, data, name, label, *, required=True):
    value = data.get(name)
    if value is None:
        if required:
            errors[name] = _("请说明%(label)s", label=_(label))
        return None
    if not isinstance(value, bool):
        errors[name] = _("%(label)s应为 true 或 false", label=_(label))
        return None
    return value


def raise_if(errors):
    if errors:
        raise ValidationError(fields=errors)
