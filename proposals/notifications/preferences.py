"""Who is reached how: each person's choice of channels per kind of notification, the SMS quiet
period and the daily digest, with the committee's defaults (settings notification_channels,
sms_quiet_start, sms_quiet_end) for whatever a person has not chosen.

A kind here is a family of notifications: ``reply_due`` covers the reminders 30, 7 and 1 days
before (``reply_due_30`` …). ``in_app`` left out of a kind's channels means its notifications
arrive already read (they stay in the list, without the unread badge).
"""

import re
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from ..committee import settings as committee_settings
from ..committee.calendar import LOCAL_TZ
from ..errors import ValidationError
from ..extensions import db
from ..i18n import N_, _, join
from .channels import CHANNELS
from .models import NotificationPreference

IN_APP = "in_app"
CHANNEL_NAMES = committee_settings.NOTIFICATION_CHANNELS
CHANNEL_LABELS = {IN_APP: N_("站内提醒"), **{n: c.label for n, c in CHANNELS.items()}}

# every kind a person may choose for, in the order the preferences page lists them
KINDS = {
    # events, told at once
    "cosign_invited": N_("联名邀请"),
    "proposal_filed": N_("提案已立案"),
    "proposal_not_filed": N_("提案不予立案"),
    "proposal_merged": N_("提案被并案"),
    "proposal_returned": N_("提案退回修改"),
    "assignment_new": N_("新交办提案"),
    "assignment_confirm_needed": N_("交办待督查室确认"),
    "assignment_not_confirmed": N_("交办未获督查室确认"),
    "reassignment_decided": N_("调整申请结果"),
    "extension_decided": N_("延期申请结果"),
    "opinion_received": N_("收到会办意见"),
    "reply_signoff_needed": N_("答复待签发"),
    "reply_review_needed": N_("答复待审核"),
    "reply_returned": N_("答复被退回"),
    "reply_delivered": N_("收到答复"),
    "rehandling_started": N_("重新办理"),
    "key_marked": N_("列为重点提案"),
    "proposal_excellent": N_("提案评为优秀提案"),
    # reminders and chasing, made by the sweep
    "cosign_expiring": N_("联名邀请即将到期"),
    "review_digest": N_("待审查提案汇总"),
    "accept_due": N_("签收期限提醒"),
    "contact_missing": N_("办前沟通提醒"),
    "opinion_due": N_("会办意见期限提醒"),
    "opinion_overdue": N_("会办意见逾期"),
    "reply_due": N_("答复期限提醒"),
    "reply_overdue": N_("答复逾期催办"),
    "key_overdue": N_("重点提案逾期"),
    "rating_due": N_("满意度测评提醒"),
}
TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def family(kind):
    """``reply_due_30`` → ``reply_due``; an event's kind is its own family."""
    return re.sub(r"_\d+$", "", kind)


def load(user_ids):
    """The preference rows of these people (one query): {user id: NotificationPreference}."""
    ids = set(user_ids)
    if not ids:
        return {}
    rows = db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(ids))
    )
    return {row.user_id: row for row in rows}


class Choice:
    """What reaches one person for one kind: ``in_app`` and the channels to deliver through,
    with the first moment each may be sent (an SMS waits for the end of the quiet period)."""

    def __init__(self, user, kind, pref, conf, now):
        chosen = (pref.kinds or {}).get(family(kind)) if pref is not None else None
        if chosen is None:
            chosen = conf["notification_channels"]
        self.in_app = IN_APP in chosen
        self.deliveries = []  # (channel, address, not before)
        digest = pref is not None and pref.digest
        for name in chosen:
            channel = CHANNELS.get(name)
            if channel is None or not available(name, conf):
                continue
            if name == "email" and digest:
                continue  # the daily digest carries it
            address = channel.address(user)
            if not address:
                continue
            not_before = now
            if name == "sms":
                start = (pref and pref.sms_quiet_start) or conf["sms_quiet_start"]
                end = (pref and pref.sms_quiet_end) or conf["sms_quiet_end"]
                not_before = after_quiet(now, start, end)
            self.deliveries.append((name, address, not_before))


def available(name, conf):
    """A channel the deployment set up (SMS also needs the committee's sms_enabled)."""
    if name == "sms" and not conf["sms_enabled"]:
        return False
    return CHANNELS[name].configured(current_app.config)


def after_quiet(now, start, end):
    """``now``, or the end of the quiet period (Beijing time) when ``now`` falls inside it. The
    period may run over midnight (22:00–07:30) or not (12:00–14:00); equal ends: no quiet."""
    local = now.astimezone(LOCAL_TZ)
    begin, finish = _time(start), _time(end)
    clock = local.time()
    if begin == finish:
        return now
    inside = (begin <= clock < finish) if begin < finish else (clock >= begin or clock < finish)
    if not inside:
        return now
    day = local.date() if clock < finish else local.date() + timedelta(days=1)
    return datetime.combine(day, finish, tzinfo=LOCAL_TZ).astimezone(now.tzinfo)


def _time(text):
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


# --- a person's own preferences (the page and GET/PUT /me/notification-preferences) ---------


def as_json(user, conf=None):
    conf = conf or committee_settings.all_settings()
    pref = load([user.id]).get(user.id)
    chosen = pref.kinds if pref is not None and pref.kinds else {}
    return {
        "kinds": {k: list(chosen.get(k, conf["notification_channels"])) for k in KINDS},
        "sms_quiet": [
            (pref and pref.sms_quiet_start) or conf["sms_quiet_start"],
            (pref and pref.sms_quiet_end) or conf["sms_quiet_end"],
        ],
        "digest": bool(pref and pref.digest),
    }


def save(user, data):
    """Replace ``user``'s preferences with ``data`` (the JSON shape of ``as_json``; a missing
    part stays as it was). Raises ValidationError naming each bad field; writes nothing then."""
    if not isinstance(data, dict):
        raise ValidationError(fields={"body": _("应为 JSON 对象")})
    errors = {}
    current = as_json(user)
    kinds = data.get("kinds", current["kinds"])
    if not isinstance(kinds, dict):
        errors["kinds"] = _("应为“提醒类别: 通道列表”的对象")
        kinds = {}
    clean = dict(current["kinds"])
    for kind, channels in kinds.items():
        if kind not in KINDS:
            errors[f"kinds.{kind}"] = _("未知的提醒类别")
        elif not isinstance(channels, list) or not all(c in CHANNEL_NAMES for c in channels):
            errors[f"kinds.{kind}"] = _("通道应为 %(names)s 中的若干项", names=join(CHANNEL_NAMES))
        else:
            clean[kind] = list(dict.fromkeys(channels))
    quiet = data.get("sms_quiet", current["sms_quiet"])
    if not (
        isinstance(quiet, list)
        and len(quiet) == 2
        and all(isinstance(t, str) and TIME.fullmatch(t) for t in quiet)
    ):
        errors["sms_quiet"] = _('应为两个时间，如 ["22:00", "07:30"]')
    digest = data.get("digest", current["digest"])
    if not isinstance(digest, bool):
        errors["digest"] = _("应为 true 或 false")
    if errors:
        raise ValidationError(fields=errors)
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id)
        db.session.add(pref)
    pref.kinds, pref.digest = clean, digest
    pref.sms_quiet_start, pref.sms_quiet_end = quiet
    db.session.flush()
    return as_json(user)
