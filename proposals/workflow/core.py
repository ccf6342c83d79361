"""What every operation shares: the state check against the table, the history row, the clock,
optimistic version checks and input checks that name the field."""
from datetime import date

from ..committee.calendar import local_date, utcnow
from ..errors import Conflict, InvalidState, NotPermitted, ValidationError
from ..extensions import db
from .models import HistoryEntry
from .states import InvalidTransition, Role, RoleNotAllowed, transition

STATE_LABELS = {
    "draft": "草稿", "awaiting_cosigners": "待联名确认", "submitted": "待审查", "filed": "已立案",
    "not_filed": "不予立案", "merged": "已并案", "withdrawn": "已撤案", "assigned": "已交办",
    "closed": "已办结", "pending": "待签收", "reassignment_requested": "申请调整中",
    "handling": "办理中", "replied": "已答复", "rehandling": "重新办理", "reassigned": "已调整",
    "awaiting_signoff": "待签发", "awaiting_review": "待审核", "returned": "已退回",
    "delivered": "已送达", "rated": "已测评", "unrated": "未测评",
}

ACTION_LABELS = {
    "create": "起草", "edit": "修改", "submit": "提交", "cosign_accept": "同意联名",
    "cosign_decline": "谢绝联名", "cosign_expire": "联名邀请过期", "withdraw": "撤案",
    "file": "立案", "not_file": "不予立案", "merge": "并案", "absorb": "并入提案",
    "return": "退回修改", "assign": "交办", "assign_unit": "交办承办单位",
    "mark_key": "列为重点提案", "unmark_key": "取消重点提案", "record_consultation": "当面协商",
    "close": "办结", "accept": "签收", "auto_accept": "视为签收",
    "request_reassignment": "申请调整", "approve_reassignment": "同意调整",
    "refuse_reassignment": "不同意调整", "record_contact": "办前沟通",
    "submit_opinion": "提交会办意见", "request_extension": "申请延期",
    "approve_extension": "同意延期", "refuse_extension": "不同意延期",
    "draft_reply": "拟写答复", "signoff": "签发答复", "signoff_return": "退回答复（签发）",
    "review_reply": "审核通过答复", "review_return": "退回答复（审核）", "deliver_reply": "答复送达",
    "rate": "满意度测评", "rate_merged": "并案提案人测评", "rehandle": "重新办理",
    "expire_rating": "测评期限已过", "follow_up": "跟踪办理",
}


def role_of(actor):
    return Role.SYSTEM if actor is None else Role(actor.role)


def move(machine, action, record, actor, to=None):
    """Check ``action`` on ``record`` against the transition table; return the target state.
    Nothing is changed here: callers assign the state once every other check has passed."""
    try:
        return transition(machine, action, record.state if record is not None else None,
                          role_of(actor), to)
    except RoleNotAllowed:
        raise NotPermitted("您的角色不能执行此操作") from None
    except InvalidTransition:
        label = STATE_LABELS.get(record.state, record.state) if record is not None else ""
        raise InvalidState(f"当前状态（{label}）下不能执行此操作") from None


def log(proposal, actor, action, from_state, to_state, *, comment=None, assignment=None,
        reply=None, now=None):
    entry = HistoryEntry(proposal=proposal, actor_id=actor.id if actor else None, action=action,
                         from_state=from_state, to_state=to_state, comment=comment,
                         assignment_id=assignment.id if assignment is not None else None,
                         reply_id=reply.id if reply is not None else None,
                         created_at=now or utcnow())
    db.session.add(entry)
    return entry


def clock(now):
    """(now, today in Asia/Shanghai)."""
    now = now or utcnow()
    return now, local_date(now)


def expect_version(record, version):
    """Optimistic concurrency: a client that read version N and acts on version M ≠ N loses."""
    if version is None:
        return
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise ValidationError(fields={"version": "版本号应为整数"}) from None
    if record.version != version:
        raise Conflict("记录已被他人修改，请刷新后重试")


def text_field(errors, data, name, label, *, required=True, max_len=None, min_len=None):
    """Read a text field; record a message under its name when it is wrong."""
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[name] = f"请填写{label}"
        return None
    if not isinstance(value, str):
        errors[name] = f"{label}应为文本"
        return None
    value = value.strip()
    if max_len is not None and len(value) > max_len:
        errors[name] = f"{label}不能超过 {max_len} 个字"
    elif min_len is not None and len(value) < min_len:
        errors[name] = f"{label}不能少于 {min_len} 个字"
    return value


def date_field(errors, data, name, label, *, required=True):
    value = data.get(name)
    if value in (None, ""):
        if required:
            errors[name] = f"请填写{label}"
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = f"{label}应为 YYYY-MM-DD 格式的日期"
        return None


def bool_field(errors, data, name, label, *, required=True):
    value = data.get(name)
    if value is None:
        if required:
            errors[name] = f"请说明{label}"
        return None
    if not isinstance(value, bool):
        errors[name] = f"{label}应为 true 或 false"
        return None
    return value


def raise_if(errors):
    if errors:
        raise ValidationError(fields=errors)
