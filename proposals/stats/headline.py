"""The report's headline sentence (docs/domain.md), built from the figures.

For a year it opens "一年来"; for a session "本次会议以来" (since the session's plenary: a
session's proposals run from its plenary into the following months). Then:

- every filed proposal's replies delivered by 31 December, counted on or after that day:
  "…截至 2023 年底，提案已全部办复，满意率达 100%。";
- all delivered by the date but not all by the year's end, or counted within the year:
  "…截至 2024 年 1 月 31 日，提案已全部办复，满意率达 97.5%。";
- not all delivered: "…截至 2023 年 6 月 30 日，已办复 120 件，办复率 48.78%，满意率达 95%。"
  (the date reads "2023 年底" when the count is as of 31 December);
- without any rating yet the satisfaction clause is left out, and with no filed proposal the
  sentence stops after the filing.

Percentages drop trailing zeros (100%, 97.5%, 92.31%). The sentence is a msgid of its own in
each variant (Chinese outside a request, the request's language inside one).
"""

from datetime import date
from decimal import Decimal

from ..i18n import _


def percent(rate):
    """0.975 → "97.5", 1.0 → "100", 0.9231 → "92.31"."""
    value = (Decimal(str(rate)) * 100).normalize()
    return format(value, "f")


def _day(day):
    return _("%(year)d 年 %(month)d 月 %(day)d 日", year=day.year, month=day.month, day=day.day)


def headline(figures):
    period = figures["period"]
    as_of = date.fromisoformat(figures["as_of"])
    year_end = date(period["year"], 12, 31)
    opening = _("本次会议以来") if period["kind"] == "session" else _("一年来")
    values = {"opening": opening, "received": figures["received"], "filed": figures["filed"]}
    if not figures["filed"]:
        return _("%(opening)s，共接受提案 %(received)d 件，经审查，立案 %(filed)d 件。", **values)
    satisfaction = figures["satisfaction"]
    rated = satisfaction["rated"] > 0 and satisfaction["rate"] is not None
    if rated:
        values["satisfaction"] = percent(satisfaction["rate"])
    if figures["replied_proposals"] == figures["filed"]:
        by_year_end = figures["replied_proposals_by_year_end"] == figures["filed"]
        values["when"] = (
            _("%(year)d 年底", year=period["year"])
            if as_of >= year_end and by_year_end
            else _day(as_of)
        )
        if rated:
            return _(
                "%(opening)s，共接受提案 %(received)d 件，经审查，立案 %(filed)d 件，"
                "截至 %(when)s，提案已全部办复，满意率达 %(satisfaction)s%%。",
                **values,
            )
        return _(
            "%(opening)s，共接受提案 %(received)d 件，经审查，立案 %(filed)d 件，"
            "截至 %(when)s，提案已全部办复。",
            **values,
        )
    values["when"] = _("%(year)d 年底", year=period["year"]) if as_of == year_end else _day(as_of)
    values["replied"] = figures["replied_proposals"]
    values["reply_rate"] = percent(figures["reply_rate"])
    if rated:
        return _(
            "%(opening)s，共接受提案 %(received)d 件，经审查，立案 %(filed)d 件，"
            "截至 %(when)s，已办复 %(replied)d 件，办复率 %(reply_rate)s%%，"
            "满意率达 %(satisfaction)s%%。",
            **values,
        )
    return _(
        "%(opening)s，共接受提案 %(received)d 件，经审查，立案 %(filed)d 件，"
        "截至 %(when)s，已办复 %(replied)d 件，办复率 %(reply_rate)s%%。",
        **values,
    )


def rating_basis(figures):
    """Whose ratings the satisfaction figures count (the setting rating_by when counted): 'first'
    (one per unit-item) or 'all' (every proposer's, so that the figures count ratings)."""
    return "all" if figures.get("rating_basis") == "all" else "first"


def rating_basis_words(figures):
    """The satisfaction basis in words, for every report that shows the figures."""
    if rating_basis(figures) == "all":
        return _("按每位提案人的测评计")
    return _("按第一提案人测评计")


def rated_unit(figures):
    """What the rated counts count: unit-items (件次), or ratings (人次) on the basis 'all'."""
    return _("人次") if rating_basis(figures) == "all" else _("件次")
