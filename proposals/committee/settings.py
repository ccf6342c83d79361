"""The committee's settings (docs/domain.md): every default, editable, typed and checked."""

import re
from dataclasses import dataclass

from sqlalchemy import select

from ..errors import ValidationError
from ..extensions import db
from ..i18n import N_, _, join
from ..notifications.channels import CHANNELS
from .models import Setting

# the channels a person may choose: the app itself and every channel of notifications/channels
NOTIFICATION_CHANNELS = ("in_app", *CHANNELS)


@dataclass(frozen=True)
class Spec:
    default: object
    kind: str  # int, bool, int_list, str_list, time, choice
    label: str  # a msgid: translate where shown
    minimum: int = 0
    maximum: int = 100000
    # a str_list's allowed values (empty: any); a choice's values as (value, label msgid)
    choices: tuple = ()
    distinct: bool = True  # a str_list drops repeated values (not so for wordings)


SPECS = {
    # proposals
    "proposal_min_chars": Spec(100, "int", N_("提案正文最少字数"), 1, 100000),
    "proposal_max_chars": Spec(5000, "int", N_("提案正文最多字数"), 1, 100000),
    "cosign_window_working_days": Spec(5, "int", N_("联名邀请确认期限（工作日）"), 1, 60),
    "cosigners_max": Spec(20, "int", N_("每件提案联名人最多人数"), 1, 500),
    # filing review in two steps: 初审 by staff, then 审定 by another secretariat account
    "staged_review": Spec(False, "bool", N_("立案审查分初审、审定两步")),
    # assignment and handling
    # the supervising office (督查室, role office): joint assignment, its units' requests and
    # replies; a unit no office supervises stays with the secretariat whatever these say
    "joint_assignment": Spec(False, "bool", N_("交办须经督查室确认（联合交办）")),
    "office_decides_requests": Spec(False, "bool", N_("督查室决定其单位的调整和延期申请")),
    "office_reply_review": Spec(
        "off",
        "choice",
        N_("督查室审核其单位的答复"),
        choices=(
            ("off", N_("不审核")),
            ("before", N_("在提案委审核之前")),
            ("instead", N_("代替提案委审核")),
        ),
    ),
    "accept_window_working_days": Spec(5, "int", N_("签收或申请调整期限（工作日）"), 1, 60),
    "contact_due_working_days": Spec(15, "int", N_("办前沟通期限（工作日）"), 1, 120),
    "contact_required_before_reply": Spec(True, "bool", N_("答复前须有办前沟通记录")),
    "opinion_due_months": Spec(1, "int", N_("会办意见期限（月）"), 1, 12),
    # the reply deadline by kind of proposal: reply_due_months (its name kept from before the
    # split) for proposals between sessions (平时提案) and for any whose kind is not recorded,
    # reply_due_months_plenary for plenary proposals (大会提案)
    "reply_due_months": Spec(3, "int", N_("平时提案答复期限（月）"), 1, 12),
    "reply_due_months_plenary": Spec(3, "int", N_("大会提案答复期限（月）"), 1, 12),
    "extension_max_months": Spec(6, "int", N_("延期最长至交办后（月）"), 1, 12),
    "reply_requires_co_opinions": Spec(True, "bool", N_("主办单位答复前须收齐会办意见")),
    "signoff_required": Spec(True, "bool", N_("答复须经单位负责人签发")),
    "reply_review_required": Spec(True, "bool", N_("答复须经提案委审核")),
    "result_codes": Spec(["A", "B", "C"], "str_list", N_("答复结果代码")),
    # the committee's own wording of each code, in the order of result_codes (shown as written,
    # not translated)
    "result_code_labels": Spec(
        ["已解决或采纳", "正在解决或列入计划", "因条件限制留作参考"],
        "str_list",
        N_("答复结果代码的含义（与答复结果代码一一对应）"),
        distinct=False,
    ),
    # rating and re-handling
    "rating_window_working_days": Spec(15, "int", N_("满意度测评期限（工作日）"), 1, 120),
    "rehandling_due_months": Spec(3, "int", N_("重新办理答复期限（月）"), 1, 12),
    "rating_by": Spec(
        "first",
        "choice",
        N_("满意度测评由谁进行"),
        choices=(
            ("first", N_("第一提案人（或集体提案单位）")),
            ("all", N_("联名提案的每位提案人")),
        ),
    ),
    # disclosure
    "disclosure_delay_working_days": Spec(20, "int", N_("办复后公开延迟（工作日）"), 0, 365),
    # reminders (docs/domain.md), each offset a setting
    "reminder_cosign_before_working_days": Spec(
        [1], "int_list", N_("联名邀请到期前提醒（工作日）")
    ),
    "reminder_review_wait_working_days": Spec(
        5, "int", N_("待审查超过几个工作日发每日汇总"), 1, 60
    ),
    "reminder_accept_before_working_days": Spec([1], "int_list", N_("签收期限前提醒（工作日）")),
    "reminder_contact_at_working_days": Spec(
        [10], "int_list", N_("交办后第几个工作日提醒办前沟通")
    ),
    "reminder_opinion_before_days": Spec([7, 1], "int_list", N_("会办意见到期前提醒（天）")),
    "reminder_reply_before_days": Spec([30, 7, 1], "int_list", N_("答复到期前提醒（天）")),
    "reminder_overdue_repeat_days": Spec(7, "int", N_("逾期催办间隔（天）"), 1, 60),
    "reminder_rating_before_working_days": Spec([3], "int_list", N_("测评期限前提醒（工作日）")),
    "sms_enabled": Spec(False, "bool", N_("短信通道（默认仅记录日志）")),
    # notifications: what reaches a person who has not chosen for themselves
    "notification_channels": Spec(
        ["in_app", "email", "sms", "wecom"],
        "str_list",
        N_("提醒默认通道（in_app、email、sms、wecom）"),
        choices=NOTIFICATION_CHANNELS,
    ),
    "sms_quiet_start": Spec("22:00", "time", N_("短信免打扰开始时间")),
    "sms_quiet_end": Spec("07:30", "time", N_("短信免打扰结束时间")),
}

# Pairs that must stay in order whichever of the two is changed.
ORDERED = (
    ("proposal_min_chars", "proposal_max_chars", N_("最少字数不能大于最多字数")),
    ("opinion_due_months", "reply_due_months", N_("会办意见期限不能晚于答复期限")),
    ("opinion_due_months", "reply_due_months_plenary", N_("会办意见期限不能晚于答复期限")),
    ("reply_due_months", "extension_max_months", N_("答复期限不能超过延期上限")),
    ("reply_due_months_plenary", "extension_max_months", N_("答复期限不能超过延期上限")),
    ("rehandling_due_months", "extension_max_months", N_("重新办理答复期限不能超过延期上限")),
)

TRUE_WORDS = {"1", "true", "yes", "on", "是", "开"}
FALSE_WORDS = {"0", "false", "no", "off", "否", "关"}


class _BadValue(ValueError):
    """A value the setting's kind refuses, with the message to show."""


def parse(key, raw):
    """Parse a setting's text value; raise ValidationError naming the key."""
    spec = SPECS.get(key)
    if spec is None:
        raise ValidationError(fields={"key": _("未知的设置项 %(key)s", key=key)})
    text = str(raw).strip()
    try:
        if spec.kind == "bool":
            if text.lower() in TRUE_WORDS:
                return True
            if text.lower() in FALSE_WORDS:
                return False
            raise _BadValue(_("应为 true 或 false"))
        if spec.kind == "int":
            expected = _(
                "应为整数，且应在 %(min)d 到 %(max)d 之间", min=spec.minimum, max=spec.maximum
            )
            if not re.fullmatch(r"-?\d+", text):
                raise _BadValue(expected)
            value = int(text)
            if not spec.minimum <= value <= spec.maximum:
                raise _BadValue(
                    _("应在 %(min)d 到 %(max)d 之间", min=spec.minimum, max=spec.maximum)
                )
            return value
        if spec.kind == "int_list":
            expected = _("应为逗号分隔的 0–365 的整数")
            parts = [v.strip() for v in text.replace("，", ",").split(",") if v.strip()]
            if not parts or not all(re.fullmatch(r"\d+", v) for v in parts):
                raise _BadValue(expected)
            values = [int(v) for v in parts]
            if any(v > 365 for v in values):
                raise _BadValue(expected)
            return sorted(set(values), reverse=True)
        if spec.kind == "str_list":
            values = [v.strip() for v in text.replace("，", ",").split(",") if v.strip()]
            if not values:
                raise ValueError  # shown as 格式不正确
            wrong = [v for v in values if spec.choices and v not in spec.choices]
            if wrong:
                raise _BadValue(_("可选值为 %(values)s", values=join(spec.choices)))
            return list(dict.fromkeys(values)) if spec.distinct else values
        if spec.kind == "choice":
            values = [value for value, _label in spec.choices]
            if text not in values:
                raise _BadValue(_("可选值为 %(values)s", values=join(values)))
            return text
        if spec.kind == "time":
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", text):
                raise _BadValue(_("应为 00:00 到 23:59 之间的时间，如 22:00"))
            return text
    except _BadValue as exc:
        raise ValidationError(fields={key: str(exc)}) from None
    except ValueError:
        raise ValidationError(fields={key: _("格式不正确")}) from None
    raise AssertionError(spec.kind)


def reply_due_months_key(is_plenary):
    """The setting giving a proposal's reply deadline: 大会提案 and 平时提案 may differ."""
    return "reply_due_months_plenary" if is_plenary else "reply_due_months"


def format_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def all_settings():
    """Every setting's current value, defaults filled in (one query)."""
    values = {k: s.default for k, s in SPECS.items()}
    for row in db.session.scalars(select(Setting)):
        if row.key in SPECS:
            values[row.key] = parse(row.key, row.value)
    return values


def get(key):
    spec = SPECS[key]
    row = db.session.get(Setting, key)
    return parse(key, row.value) if row else spec.default


# Lists that must stay the same length whichever of the two is changed (change them together).
SAME_LENGTH = (
    (
        "result_codes",
        "result_code_labels",
        N_("答复结果代码与其含义的个数应相同，请一并修改"),
    ),
)


def set_value(key, raw):
    return set_values({key: raw})[key]


def set_values(changes):
    """Parse and store several settings at once, checking the pairs that must stay in order or
    of the same length on the values they will all have; raise ValidationError (each message on
    the key changed) and store nothing if any is refused."""
    values = {key: parse(key, raw) for key, raw in changes.items()}
    current = all_settings()
    current.update(values)
    problems = {}

    def refuse(pair, message):
        key = next((k for k in pair if k in values), pair[0])
        problems.setdefault(key, message)

    for low, high, message in ORDERED:
        if current[low] > current[high]:
            refuse(
                (low, high),
                _("%(message)s（%(low)s ≤ %(high)s）", message=_(message), low=low, high=high),
            )
    for one, other, message in SAME_LENGTH:
        if len(current[one]) != len(current[other]):
            refuse(
                (one, other),
                _(
                    "%(message)s（%(one)s %(n)d 项，%(other)s %(m)d 项）",
                    message=_(message),
                    one=one,
                    n=len(current[one]),
                    other=other,
                    m=len(current[other]),
                ),
            )
    if problems:
        raise ValidationError(fields=problems)
    for key, value in values.items():
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=format_value(value)))
        else:
            row.value = format_value(value)
    db.session.flush()
    return values


# --- result codes ------------------------------------------------------------------------------


def result_labels(values=None):
    """The result codes in use, in order, each with the committee's wording: {code: wording}.
    The one place pages, answers, figures and reports take them from (one query: read it once
    per page or answer and pass it to what shows many replies)."""
    values = values or all_settings()
    return dict(zip(values["result_codes"], values["result_code_labels"]))


def result_text(code, labels):
    """ "D · 因条件限制暂不能解决", or the code alone when it has no wording (any more)."""
    if not code:
        return ""
    return f"{code} · {labels[code]}" if labels.get(code) else code
