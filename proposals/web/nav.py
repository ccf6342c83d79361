"""The navigation of each role; entries whose page does not exist are left out."""
from flask import url_for
from flask_babel import gettext as _
from werkzeug.routing import BuildError

NAV = {
    "member": [("home.index", "首页"), ("member.new_proposal", "写提案"),
               ("lists.proposals", "我的提案")],
    "secretariat": [("home.index", "首页"), ("lists.proposals", "提案"),
                    ("lists.assignments", "交办"), ("secretariat.queues", "待办"),
                    ("stats.dashboard", "统计")],
    "clerk": [("home.index", "首页"), ("lists.assignments", "本单位承办")],
    "department_head": [("home.index", "首页"), ("lists.assignments", "本单位承办")],
    "admin": [("home.index", "首页"), ("admin.users", "用户"), ("admin.departments", "承办单位"),
              ("admin.sessions", "会次"), ("admin.categories", "类别"),
              ("admin.reasons", "不予立案理由"), ("admin.settings", "设置")],
}


def nav_items(user):
    items = []
    for endpoint, label in NAV.get(getattr(user, "role", None), []):
        try:
            items.append((url_for(endpoint), _(label), endpoint))
        except BuildError:
            continue
    return items
