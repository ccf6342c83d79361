"""The navigation of each role; entries whose page does not exist are left out."""

from flask import url_for
from werkzeug.routing import BuildError

from ..i18n import N_, _

NAV = {
    "member": [
        ("home.index", "首页"),
        ("member.new_proposal", "写提案"),
        ("lists.proposals", "我的提案"),
    ],
    "secretariat": [
        ("home.index", "首页"),
        ("lists.proposals", "提案"),
        ("lists.assignments", "交办"),
        ("plans.index", N_("交办方案")),
        ("secretariat.queues", "待办"),
        ("key_proposals.index", "重点提案"),
        ("stats.dashboard", "统计"),
        ("document_exports.index", N_("汇编和清单")),
        ("recognition.index", N_("年度评优")),
        ("archive.import_sheet", N_("历年提案导入")),
    ],
    "office": [
        ("home.index", "首页"),
        ("lists.proposals", "提案"),
        ("lists.assignments", N_("所联系单位承办")),
        ("stats.dashboard", "统计"),
    ],
    "clerk": [("home.index", "首页"), ("lists.assignments", "本单位承办")],
    "department_head": [("home.index", "首页"), ("lists.assignments", "本单位承办")],
    "admin": [
        ("home.index", "首页"),
        ("admin.users", "用户"),
        ("admin.departments", "承办单位"),
        ("admin.sessions", "会次"),
        ("admin.categories", "类别"),
        ("admin.reasons", "不予立案理由"),
        ("admin.settings", "设置"),
        ("admin.documents", N_("公文模板")),
        ("account.audit_log", "审计日志"),
    ],
}
# A supervising leader (督办领导) who is not the secretariat gets the board once named.
SUPERVISOR_ITEM = ("key_proposals.index", "重点提案督办")


def nav_entries(user):
    """The (endpoint, label) entries of ``user``'s navigation."""
    entries = list(NAV.get(getattr(user, "role", None), []))
    if getattr(user, "role", None) in ("member", "department_head", "clerk", "office", "admin"):
        from .key_proposals import supervises_any  # one small query, only for these roles

        if supervises_any(user):
            entries.append(SUPERVISOR_ITEM)
    return tuple(entries)


def nav_items(user):
    """(link, label, endpoint) of each entry of ``user``'s navigation whose page exists."""
    items = []
    for endpoint, label in nav_entries(user):
        try:
            items.append((url_for(endpoint), _(label), endpoint))
        except BuildError:
            continue
    return items
