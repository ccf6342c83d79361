"""Template filters: times in Asia/Shanghai, days left or overdue, state and other labels."""

from markupsafe import Markup, escape

from ..committee.calendar import LOCAL_TZ, local_date, utcnow
from ..i18n import _, ngettext
from ..workflow.core import STATE_LABELS


def localtime(value, fmt="%Y-%m-%d %H:%M"):
    if value is None:
        return ""
    return value.astimezone(LOCAL_TZ).strftime(fmt)


def days_left(due, today=None):
    """'剩 3 天' / '今天到期' / '逾期 2 天' for a deadline date."""
    if due is None:
        return ""
    today = today or local_date(utcnow())
    delta = (due - today).days
    if delta > 0:
        return ngettext("剩 %(n)d 天", "剩 %(n)d 天", delta, n=delta)
    if delta == 0:
        return _("今天到期")
    return ngettext("逾期 %(n)d 天", "逾期 %(n)d 天", -delta, n=-delta)


def deadline(due, done=False):
    """A deadline with its days left, as a badge; red when overdue."""
    if due is None:
        return ""
    text = days_left(due)
    # the date never breaks across lines (a phone's narrow card)
    date = f'<span class="text-nowrap">{escape(due.isoformat())}</span>'
    if done:
        return Markup(date)  # nosec B704  # escaped date
    delta = (due - local_date(utcnow())).days
    tone = "danger" if delta < 0 else "warning text-dark" if delta <= 3 else "secondary"
    return Markup(f'{date} <span class="badge bg-{tone}">{escape(text)}</span>')  # nosec B704  # text escaped, fixed class


def state_label(state):
    return _(STATE_LABELS.get(state, state))


def label(msgid):
    """A msgid that comes from data (a category's or a not-filed reason's name, a label table),
    translated. Unlike ``_(…)`` in a template (Jinja formats every message with ``%``), a "%"
    in an admin's name cannot break the page, and an empty value stays empty (gettext("") is
    the catalog's header)."""
    return _(msgid) if msgid else ""


def register_filters(app):
    app.add_template_filter(localtime)
    app.add_template_filter(days_left)
    app.add_template_filter(deadline)
    app.add_template_filter(state_label)
    app.add_template_filter(label)
